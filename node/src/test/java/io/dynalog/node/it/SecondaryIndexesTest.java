package io.dynalog.node.it;

import static io.dynalog.node.it.Values.n;
import static io.dynalog.node.it.Values.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * Local and global secondary indexes through the AWS SDK: CreateTable with both kinds, Query and
 * Scan with IndexName (projections, fetching from the item, paging, filters), the write-time
 * checks of index keys, and UpdateTable adding (with backfill) and deleting a global index.
 */
class SecondaryIndexesTest {
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(3);
        node.client.createTable(r -> r.tableName("Orders").billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(key("customer", KeyType.HASH), key("orderId", KeyType.RANGE))
                .attributeDefinitions(def("customer", ScalarAttributeType.S), def("orderId", ScalarAttributeType.S),
                        def("total", ScalarAttributeType.N), def("status", ScalarAttributeType.S), def("placed", ScalarAttributeType.N))
                .localSecondaryIndexes(LocalSecondaryIndex.builder().indexName("byTotal")
                        .keySchema(key("customer", KeyType.HASH), key("total", KeyType.RANGE))
                        .projection(Projection.builder().projectionType(ProjectionType.INCLUDE).nonKeyAttributes("note").build()).build())
                .globalSecondaryIndexes(
                        GlobalSecondaryIndex.builder().indexName("byStatus")
                                .keySchema(key("status", KeyType.HASH), key("placed", KeyType.RANGE))
                                .projection(Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build()).build(),
                        GlobalSecondaryIndex.builder().indexName("byStatusAll")
                                .keySchema(key("status", KeyType.HASH))
                                .projection(Projection.builder().projectionType(ProjectionType.ALL).build()).build()));
        node.awaitActive("Orders");
        for (int i = 0; i < 12; i++) {
            Map<String, AttributeValue> item = new HashMap<>();
            item.put("customer", s(i % 2 == 0 ? "ann" : "bob"));
            item.put("orderId", s(String.format("o%02d", i)));
            item.put("total", n(Integer.toString(100 - i * 5)));
            item.put("note", s("note" + i));
            item.put("secret", s("s" + i));
            if (i % 3 != 0) {
                item.put("status", s(i % 3 == 1 ? "OPEN" : "SHIPPED"));
                item.put("placed", n(Integer.toString(1000 + i)));
            }
            node.client.putItem(r -> r.tableName("Orders").item(item));
        }
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }

    static AttributeDefinition def(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
    }

    static List<String> orderIds(List<Map<String, AttributeValue>> items) {
        return items.stream().map(i -> i.get("orderId").s()).toList();
    }

    @Test
    void aConsistentLocalIndexQuerySeesEveryWriteInIndexOrder() {
        QueryResponse byTotal = node.client.query(r -> r.tableName("Orders").indexName("byTotal").consistentRead(true)
                .keyConditionExpression("customer = :c AND #t < :max").expressionAttributeNames(Map.of("#t", "total"))
                .expressionAttributeValues(Map.of(":c", s("ann"), ":max", n("80"))));
        assertThat(orderIds(byTotal.items())).as("ascending total").containsExactly("o10", "o08", "o06");
        assertThat(byTotal.items().get(0)).as("keys and the INCLUDE attribute")
                .containsOnlyKeys("customer", "orderId", "total", "note");

        node.client.updateItem(r -> r.tableName("Orders").key(Map.of("customer", s("ann"), "orderId", s("o10")))
                .updateExpression("SET #t = :t").expressionAttributeNames(Map.of("#t", "total"))
                .expressionAttributeValues(Map.of(":t", n("1000"))));
        QueryResponse after = node.client.query(r -> r.tableName("Orders").indexName("byTotal").consistentRead(true)
                .keyConditionExpression("customer = :c").scanIndexForward(false).limit(2)
                .expressionAttributeValues(Map.of(":c", s("ann"))));
        assertThat(orderIds(after.items())).as("the moved row, at once, and only once").containsExactly("o10", "o00");
        assertThat(after.lastEvaluatedKey()).isEqualTo(Map.of("customer", s("ann"), "orderId", s("o00"), "total", n("100")));
        QueryResponse next = node.client.query(r -> r.tableName("Orders").indexName("byTotal").consistentRead(true)
                .keyConditionExpression("customer = :c").scanIndexForward(false).exclusiveStartKey(after.lastEvaluatedKey())
                .expressionAttributeValues(Map.of(":c", s("ann"))));
        assertThat(orderIds(next.items())).containsExactly("o02", "o04", "o06", "o08");
    }

    @Test
    void aLocalIndexFetchesWhatItsProjectionLacksFromTheItem() {
        QueryResponse all = node.client.query(r -> r.tableName("Orders").indexName("byTotal").consistentRead(true)
                .keyConditionExpression("customer = :c").select(Select.ALL_ATTRIBUTES).limit(1)
                .expressionAttributeValues(Map.of(":c", s("bob"))));
        assertThat(all.items().get(0)).containsKeys("secret", "note");
        QueryResponse projected = node.client.query(r -> r.tableName("Orders").indexName("byTotal")
                .keyConditionExpression("customer = :c").projectionExpression("secret").filterExpression("secret = :s")
                .expressionAttributeValues(Map.of(":c", s("bob"), ":s", s("s3"))).consistentRead(true));
        assertThat(projected.items()).containsExactly(Map.of("secret", s("s3")));
        assertThat(projected.scannedCount()).isEqualTo(6);
        QueryResponse filtered = node.client.query(r -> r.tableName("Orders").indexName("byTotal").consistentRead(true)
                .keyConditionExpression("customer = :c").filterExpression("secret = :s")
                .expressionAttributeValues(Map.of(":c", s("bob"), ":s", s("s3"))));
        assertThat(filtered.items()).as("filtered on the item, returned as the index projects it")
                .containsExactly(Map.of("customer", s("bob"), "orderId", s("o03"), "total", n("85"), "note", s("note3")));
    }

    @Test
    void aGlobalIndexQueryReturnsItsProjectionEventually() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            QueryResponse open = node.client.query(r -> r.tableName("Orders").indexName("byStatus")
                    .keyConditionExpression("#s = :s AND placed BETWEEN :a AND :b").expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":s", s("OPEN"), ":a", n("1000"), ":b", n("1007"))));
            assertThat(orderIds(open.items())).containsExactly("o01", "o04", "o07");
            assertThat(open.items().get(0)).containsOnlyKeys("customer", "orderId", "status", "placed");
        });
        // Each index is derived on its own: the other one is awaited too.
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(node.client.scan(r -> r.tableName("Orders").indexName("byStatusAll")).items())
                        .as("items without the index key are not indexed").hasSize(8)
                        .allSatisfy(i -> assertThat(i).containsKey("secret")));
    }

    @Test
    void aGlobalIndexRefusesWhatItCannotServe() {
        expectValidation(() -> node.client.query(r -> r.tableName("Orders").indexName("byStatus").consistentRead(true)
                        .keyConditionExpression("#s = :s").expressionAttributeNames(Map.of("#s", "status"))
                        .expressionAttributeValues(Map.of(":s", s("OPEN")))),
                "Consistent read cannot be true when querying a GSI");
        expectValidation(() -> node.client.query(r -> r.tableName("Orders").indexName("byStatus").select(Select.ALL_ATTRIBUTES)
                        .keyConditionExpression("#s = :s").expressionAttributeNames(Map.of("#s", "status"))
                        .expressionAttributeValues(Map.of(":s", s("OPEN")))),
                "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index "
                        + "byStatus because its projection type is not ALL");
        expectValidation(() -> node.client.query(r -> r.tableName("Orders").indexName("byStatus").projectionExpression("note")
                        .keyConditionExpression("#s = :s").expressionAttributeNames(Map.of("#s", "status"))
                        .expressionAttributeValues(Map.of(":s", s("OPEN")))),
                "One or more parameter values were invalid: Global secondary index byStatus does not project [note]");
        expectValidation(() -> node.client.query(r -> r.tableName("Orders").indexName("nope")
                        .keyConditionExpression("customer = :c").expressionAttributeValues(Map.of(":c", s("ann")))),
                "The table does not have the specified index: nope");
        expectValidation(() -> node.client.scan(r -> r.tableName("Orders").indexName("byStatusAll").consistentRead(true)),
                "Consistent read cannot be true when scanning a GSI");
    }

    @Test
    void aWriteWithAMistypedOrEmptyIndexKeyIsRefused() {
        expectValidation(() -> node.client.putItem(r -> r.tableName("Orders").item(Map.of("customer", s("cy"), "orderId", s("x"),
                        "status", n("1")))),
                "One or more parameter values were invalid: Type mismatch for Index Key status Expected: S Actual: N IndexName: byStatus");
        expectValidation(() -> node.client.updateItem(r -> r.tableName("Orders").key(Map.of("customer", s("cy"), "orderId", s("x")))
                        .updateExpression("SET #t = :t").expressionAttributeNames(Map.of("#t", "total"))
                        .expressionAttributeValues(Map.of(":t", s("many")))),
                "One or more parameter values were invalid: Type mismatch for Index Key total Expected: N Actual: S IndexName: byTotal");
        expectValidation(() -> node.client.putItem(r -> r.tableName("Orders").item(Map.of("customer", s("cy"), "orderId", s("x"),
                        "status", s("")))),
                "One or more parameter values are not valid. A value specified for a secondary index key is not supported. "
                        + "The AttributeValue for a key attribute cannot contain an empty string value. IndexName: byStatus, IndexKey: status");
        assertThat(node.client.getItem(r -> r.tableName("Orders").key(Map.of("customer", s("cy"), "orderId", s("x")))
                .consistentRead(true)).hasItem()).as("nothing was written").isFalse();
    }

    @Test
    void updateTableAddsAGlobalIndexWithBackfillAndDeletesIt() {
        node.client.updateTable(r -> r.tableName("Orders")
                .attributeDefinitions(def("note", ScalarAttributeType.S))
                .globalSecondaryIndexUpdates(u -> u.create(c -> c.indexName("byNote").keySchema(key("note", KeyType.HASH))
                        .projection(Projection.builder().projectionType(ProjectionType.INCLUDE).nonKeyAttributes("total").build()))));
        TableDescription creating = node.client.describeTable(r -> r.tableName("Orders")).table();
        assertThat(creating.globalSecondaryIndexes()).extracting(g -> g.indexName()).contains("byNote");
        Awaitility.await("byNote ACTIVE").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                node.client.describeTable(r -> r.tableName("Orders")).table().globalSecondaryIndexes().stream()
                        .anyMatch(g -> g.indexName().equals("byNote") && g.indexStatus() == IndexStatus.ACTIVE && !Boolean.TRUE.equals(g.backfilling())));
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<Map<String, AttributeValue>> rows = new ArrayList<>();
            node.client.scanPaginator(r -> r.tableName("Orders").indexName("byNote").limit(5)).items().forEach(rows::add);
            assertThat(rows).as("every item with a note, backfilled").hasSize(12)
                    .allSatisfy(row -> assertThat(row).containsOnlyKeys("customer", "orderId", "note", "total"));
        });
        TableDescription active = node.client.describeTable(r -> r.tableName("Orders")).table();
        var byNote = active.globalSecondaryIndexes().stream().filter(g -> g.indexName().equals("byNote")).findFirst().orElseThrow();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> node.client.describeTable(r -> r.tableName("Orders")).table()
                .globalSecondaryIndexes().stream().filter(g -> g.indexName().equals("byNote")).findFirst().orElseThrow().itemCount() == 12);
        assertThat(byNote.indexArn()).endsWith("/index/byNote");

        node.client.updateTable(r -> r.tableName("Orders").globalSecondaryIndexUpdates(u -> u.delete(d -> d.indexName("byNote"))));
        assertThat(node.client.describeTable(r -> r.tableName("Orders")).table().globalSecondaryIndexes())
                .extracting(g -> g.indexName()).doesNotContain("byNote");
        expectValidation(() -> node.client.query(r -> r.tableName("Orders").indexName("byNote")
                        .keyConditionExpression("note = :n").expressionAttributeValues(Map.of(":n", s("note1")))),
                "The table does not have the specified index: byNote");
    }

    static void expectValidation(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(DynamoDbException.class, e -> {
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(message);
        });
    }
}
