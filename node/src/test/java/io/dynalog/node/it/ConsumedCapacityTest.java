package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** ReturnConsumedCapacity with DynamoDB's arithmetic: 4 KB read units (half for eventual reads), 1 KB write units. */
class ConsumedCapacityTest {
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(1);
        node.createTable("Cap", "pk", ScalarAttributeType.S, "sk", ScalarAttributeType.N);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** An item of about {@code kb} KB. */
    static Map<String, AttributeValue> item(int sk, double kb) {
        return Map.of("pk", AttributeValue.fromS("p"), "sk", AttributeValue.fromN(Integer.toString(sk)),
                "v", AttributeValue.fromS("x".repeat((int) (kb * 1024) - 20)));
    }

    static Map<String, AttributeValue> key(int sk) {
        return Map.of("pk", AttributeValue.fromS("p"), "sk", AttributeValue.fromN(Integer.toString(sk)));
    }

    @Test
    void writesCountKilobytesOfTheLargerImage() {
        ConsumedCapacity put = node.client.putItem(r -> r.tableName("Cap").item(item(1, 1.5))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).consumedCapacity();
        assertThat(put.tableName()).isEqualTo("Cap");
        assertThat(put.capacityUnits()).isEqualTo(2.0);
        assertThat(put.table()).isNull();
        ConsumedCapacity smaller = node.client.putItem(r -> r.tableName("Cap").item(item(1, 0.5))
                .returnConsumedCapacity(ReturnConsumedCapacity.INDEXES)).consumedCapacity();
        assertThat(smaller.capacityUnits()).as("the item it replaced was larger").isEqualTo(2.0);
        assertThat(smaller.table().capacityUnits()).isEqualTo(2.0);
        ConsumedCapacity update = node.client.updateItem(r -> r.tableName("Cap").key(key(1)).updateExpression("SET w = :w")
                .expressionAttributeValues(Map.of(":w", AttributeValue.fromS("y".repeat(3000))))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).consumedCapacity();
        assertThat(update.capacityUnits()).isEqualTo(4.0);
        assertThat(node.client.deleteItem(r -> r.tableName("Cap").key(key(99)).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL))
                .consumedCapacity().capacityUnits()).as("deleting nothing costs a unit").isEqualTo(1.0);
        assertThat(node.client.putItem(r -> r.tableName("Cap").item(item(2, 1))).consumedCapacity()).as("not asked for").isNull();
    }

    @Test
    void batchesReportTheUnitsOfEachTableTheyTouched() {
        node.client.putItem(r -> r.tableName("Cap").item(item(20, 2.5)));
        var write = node.client.batchWriteItem(r -> r.returnConsumedCapacity(ReturnConsumedCapacity.INDEXES).requestItems(Map.of("Cap",
                java.util.List.of(
                        software.amazon.awssdk.services.dynamodb.model.WriteRequest.builder().putRequest(p -> p.item(item(21, 1.5))).build(),
                        software.amazon.awssdk.services.dynamodb.model.WriteRequest.builder().deleteRequest(d -> d.key(key(20))).build()))));
        assertThat(write.consumedCapacity()).hasSize(1);
        assertThat(write.consumedCapacity().get(0).tableName()).isEqualTo("Cap");
        assertThat(write.consumedCapacity().get(0).capacityUnits()).as("2 for the 1.5 KB put, 3 for deleting a 2.5 KB item").isEqualTo(5.0);
        assertThat(write.consumedCapacity().get(0).table().capacityUnits()).isEqualTo(5.0);

        var read = node.client.batchGetItem(r -> r.returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).requestItems(Map.of("Cap",
                software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes.builder().keys(key(21), key(20)).build())));
        assertThat(read.consumedCapacity()).hasSize(1);
        assertThat(read.consumedCapacity().get(0).capacityUnits()).as("each key eventually consistent: half a unit, the missing one too")
                .isEqualTo(1.0);
        assertThat(node.client.batchGetItem(r -> r.requestItems(Map.of("Cap",
                software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes.builder().keys(key(21)).build()))).consumedCapacity())
                .as("not asked for").isEmpty();
    }

    @Test
    void readsCountFourKilobyteUnitsHalvedWhenEventual() {
        node.client.putItem(r -> r.tableName("Cap").item(item(10, 5)));
        node.client.putItem(r -> r.tableName("Cap").item(item(11, 3)));
        assertThat(node.client.getItem(r -> r.tableName("Cap").key(key(10)).consistentRead(true)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).consumedCapacity().capacityUnits()).isEqualTo(2.0);
        // Eventual reads may hit a replica still applying the puts: measure once it has them.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> node.client.query(r -> r.tableName("Cap")
                .keyConditionExpression("pk = :p AND sk BETWEEN :a AND :b").expressionAttributeValues(Map.of(":p", AttributeValue.fromS("p"),
                        ":a", AttributeValue.fromN("10"), ":b", AttributeValue.fromN("11")))).count() == 2);
        assertThat(node.client.getItem(r -> r.tableName("Cap").key(key(10))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).consumedCapacity().capacityUnits()).isEqualTo(1.0);
        assertThat(node.client.getItem(r -> r.tableName("Cap").key(key(12))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).consumedCapacity().capacityUnits()).as("no item").isEqualTo(0.5);
        ConsumedCapacity query = node.client.query(r -> r.tableName("Cap").keyConditionExpression("pk = :p AND sk BETWEEN :a AND :b")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("p"), ":a", AttributeValue.fromN("10"), ":b", AttributeValue.fromN("11")))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).consumedCapacity();
        assertThat(query.capacityUnits()).as("8 KB read together, eventually").isEqualTo(1.0);
    }
}
