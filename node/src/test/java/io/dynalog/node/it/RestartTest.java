package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Durability across restarts: the catalog comes back from the meta topic, items from the local
 * store (resuming at the persisted offsets), and a store that was deleted is rebuilt from the WAL.
 */
class RestartTest {
    TestNode node;

    @BeforeEach
    void start() {
        node = TestNode.start();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private void write(int from, int to) {
        for (int i = from; i < to; i++) {
            String id = Integer.toString(i);
            node.client.putItem(r -> r.tableName("Durable").item(Map.of("pk", AttributeValue.fromS("p" + (Integer.parseInt(id) % 7)),
                    "sk", AttributeValue.fromN(id), "v", AttributeValue.fromS("value-" + id))));
        }
        node.client.deleteItem(r -> r.tableName("Durable").key(Map.of("pk", AttributeValue.fromS("p0"), "sk", AttributeValue.fromN("0"))));
    }

    private List<String> all() {
        List<String> values = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            var page = node.client.scan(r -> r.tableName("Durable").consistentRead(true).limit(40).exclusiveStartKey(from));
            page.items().forEach(i -> values.add(i.get("v").s()));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return values;
    }

    @Test
    void dataAndCatalogSurviveARestart() {
        node.createTable("Durable", "pk", ScalarAttributeType.S, "sk", ScalarAttributeType.N);
        write(0, 100);
        List<String> before = all();
        assertThat(before).hasSize(99).doesNotContain("value-0");

        node.restart();
        assertThat(node.client.describeTable(r -> r.tableName("Durable")).table().tableStatus()).isEqualTo(TableStatus.ACTIVE);
        assertThat(all()).containsExactlyInAnyOrderElementsOf(before);
        // The eventually consistent path serves the same data from the resumed store.
        var item = node.client.getItem(r -> r.tableName("Durable").key(Map.of("pk", AttributeValue.fromS("p1"), "sk", AttributeValue.fromN("1"))));
        assertThat(item.item().get("v").s()).isEqualTo("value-1");

        write(100, 150);
        node.restart();
        assertThat(all()).hasSize(149);
    }

    @Test
    void aDeletedStoreIsRebuiltFromKafka() {
        node.createTable("Durable", "pk", ScalarAttributeType.S, "sk", ScalarAttributeType.N);
        write(0, 120);
        List<String> before = all();
        node.restartWithoutStore();
        assertThat(all()).containsExactlyInAnyOrderElementsOf(before);
        assertThat(node.client.getItem(r -> r.tableName("Durable")
                .key(Map.of("pk", AttributeValue.fromS("p0"), "sk", AttributeValue.fromN("0"))).consistentRead(true)).hasItem()).isFalse();
        write(120, 130);
        assertThat(all()).hasSize(129);
    }
}
