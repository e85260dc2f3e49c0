package io.dynalog.node.it;

import static io.dynalog.node.it.Values.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ItemCollectionMetrics;
import software.amazon.awssdk.services.dynamodb.model.ItemCollectionSizeLimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnItemCollectionMetrics;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The item collection limit of tables with local indexes, and ReturnItemCollectionMetrics, through
 * the AWS SDK against a node whose limit is configured small enough for a test to reach: writes
 * that would grow a collection past it are refused with ItemCollectionSizeLimitExceededException
 * and write nothing, writes that shrink it are accepted, and the size survives a rebuild of the
 * node's store from the WAL.
 */
class ItemCollectionsTest {
    /** About six of {@link #item}'s items (each counted with its local index row). */
    static final long LIMIT_BYTES = 4096;
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(2, config -> config.withItemCollectionLimitBytes(LIMIT_BYTES));
        node.client.createTable(r -> r.tableName("Events").billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(SecondaryIndexesTest.key("device", KeyType.HASH), SecondaryIndexesTest.key("at", KeyType.RANGE))
                .attributeDefinitions(SecondaryIndexesTest.def("device", ScalarAttributeType.S),
                        SecondaryIndexesTest.def("at", ScalarAttributeType.S), SecondaryIndexesTest.def("kind", ScalarAttributeType.S))
                .localSecondaryIndexes(LocalSecondaryIndex.builder().indexName("byKind")
                        .keySchema(SecondaryIndexesTest.key("device", KeyType.HASH), SecondaryIndexesTest.key("kind", KeyType.RANGE))
                        .projection(Projection.builder().projectionType(ProjectionType.ALL).build()).build()));
        node.createTable("Plain", "device", ScalarAttributeType.S, null, null);
        node.awaitActive("Events");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static Map<String, AttributeValue> item(String device, int at) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("device", s(device));
        item.put("at", s(String.format("t%03d", at)));
        item.put("kind", s("reading"));
        item.put("payload", s("p".repeat(250)));
        return item;
    }

    /** Puts items into the device's collection until one is refused; returns how many were accepted. */
    static int fill(String device) {
        for (int at = 0; ; at++) {
            Map<String, AttributeValue> item = item(device, at);
            try {
                node.client.putItem(r -> r.tableName("Events").item(item));
            } catch (ItemCollectionSizeLimitExceededException e) {
                assertThat(e.getMessage()).contains("Item collection size limit exceeded").contains("over the limit of 4096 bytes");
                assertThat(node.client.getItem(r -> r.tableName("Events").consistentRead(true)
                        .key(Map.of("device", s(device), "at", item.get("at")))).hasItem()).as("the refused put wrote nothing").isFalse();
                return at;
            }
            assertThat(at).as("a collection of %d items is still under 4 KB", at).isLessThan(20);
        }
    }

    @Test
    void writesThatWouldGrowACollectionPastTheLimitAreRefusedAndWritesThatShrinkItAreNot() {
        int accepted = fill("d1");
        assertThat(accepted).isBetween(3, 10);
        // Another collection of the same table has room of its own.
        node.client.putItem(r -> r.tableName("Events").item(item("d2", 0)));
        // Growing an item of the full collection is refused; shrinking one is not, and makes room.
        Map<String, AttributeValue> first = Map.of("device", s("d1"), "at", s("t000"));
        assertThatThrownBy(() -> node.client.updateItem(r -> r.tableName("Events").key(first)
                .updateExpression("SET extra = :x").expressionAttributeValues(Map.of(":x", s("x".repeat(600))))))
                .isInstanceOf(ItemCollectionSizeLimitExceededException.class);
        node.client.updateItem(r -> r.tableName("Events").key(first).updateExpression("REMOVE payload"));
        node.client.deleteItem(r -> r.tableName("Events").key(Map.of("device", s("d1"), "at", s("t001"))));
        node.client.putItem(r -> r.tableName("Events").item(item("d1", accepted)));
        assertThatThrownBy(() -> node.client.putItem(r -> r.tableName("Events").item(item("d1", accepted + 1))))
                .as("the room made is less than two items").isInstanceOf(ItemCollectionSizeLimitExceededException.class);

        // A batch with a put the collection has no room for fails with the same error.
        assertThatThrownBy(() -> node.client.batchWriteItem(r -> r.requestItems(Map.of("Events", List.of(
                WriteRequest.builder().putRequest(PutRequest.builder().item(item("d1", 90)).build()).build())))))
                .isInstanceOf(ItemCollectionSizeLimitExceededException.class);

        // A table without local indexes has no item collections to limit.
        for (int i = 0; i < 20; i++) {
            Map<String, AttributeValue> plain = item("p" + i, 0);
            node.client.putItem(r -> r.tableName("Plain").item(plain));
        }
    }

    @Test
    void theLimitHoldsAfterTheStoreIsRebuiltFromTheWal() {
        int accepted = fill("r1");
        node.restartWithoutStore();
        node.awaitActive("Events");
        assertThatThrownBy(() -> node.client.putItem(r -> r.tableName("Events").item(item("r1", accepted))))
                .isInstanceOf(ItemCollectionSizeLimitExceededException.class);
        node.client.deleteItem(r -> r.tableName("Events").key(Map.of("device", s("r1"), "at", s("t000"))));
        node.client.putItem(r -> r.tableName("Events").item(item("r1", accepted)));
    }

    @Test
    void returnItemCollectionMetricsReportsTheCollectionOfTablesWithLocalIndexes() {
        ItemCollectionMetrics put = node.client.putItem(r -> r.tableName("Events").item(item("m1", 0))
                .returnItemCollectionMetrics(ReturnItemCollectionMetrics.SIZE)).itemCollectionMetrics();
        assertThat(put.itemCollectionKey()).isEqualTo(Map.of("device", s("m1")));
        assertThat(put.sizeEstimateRangeGB()).containsExactly(0.0, 1.0);
        ItemCollectionMetrics update = node.client.updateItem(r -> r.tableName("Events")
                .key(Map.of("device", s("m1"), "at", s("t000"))).updateExpression("SET n = :n")
                .expressionAttributeValues(Map.of(":n", AttributeValue.fromN("1")))
                .returnItemCollectionMetrics(ReturnItemCollectionMetrics.SIZE)).itemCollectionMetrics();
        assertThat(update.itemCollectionKey()).isEqualTo(Map.of("device", s("m1")));
        ItemCollectionMetrics delete = node.client.deleteItem(r -> r.tableName("Events")
                .key(Map.of("device", s("m1"), "at", s("t000")))
                .returnItemCollectionMetrics(ReturnItemCollectionMetrics.SIZE)).itemCollectionMetrics();
        assertThat(delete.itemCollectionKey()).isEqualTo(Map.of("device", s("m1")));
        assertThat(delete.sizeEstimateRangeGB()).containsExactly(0.0, 1.0);

        BatchWriteItemResponse batch = node.client.batchWriteItem(r -> r.returnItemCollectionMetrics(ReturnItemCollectionMetrics.SIZE)
                .requestItems(Map.of("Events", List.of(
                                WriteRequest.builder().putRequest(PutRequest.builder().item(item("m2", 0)).build()).build(),
                                WriteRequest.builder().putRequest(PutRequest.builder().item(item("m3", 0)).build()).build()),
                        "Plain", List.of(WriteRequest.builder().putRequest(PutRequest.builder().item(item("m2", 0)).build()).build()))));
        assertThat(batch.itemCollectionMetrics()).containsOnlyKeys("Events");
        assertThat(batch.itemCollectionMetrics().get("Events")).extracting(ItemCollectionMetrics::itemCollectionKey)
                .containsExactlyInAnyOrder(Map.of("device", s("m2")), Map.of("device", s("m3")));

        // Not asked for, or a table without local indexes: none.
        assertThat(node.client.putItem(r -> r.tableName("Events").item(item("m1", 1))).itemCollectionMetrics()).isNull();
        assertThat(node.client.putItem(r -> r.tableName("Plain").item(item("m1", 1))
                .returnItemCollectionMetrics(ReturnItemCollectionMetrics.SIZE)).itemCollectionMetrics()).isNull();
        assertThatThrownBy(() -> node.client.putItem(r -> r.tableName("Events").item(item("m1", 2)).returnItemCollectionMetrics("ALL")))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("Value 'ALL' at 'returnItemCollectionMetrics' failed to satisfy constraint: "
                        + "Member must satisfy enum value set: [SIZE, NONE]");
    }
}
