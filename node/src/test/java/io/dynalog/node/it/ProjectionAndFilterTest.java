package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/** ProjectionExpression on GetItem, BatchGetItem, Query and Scan; FilterExpression on Query and Scan, applied after Limit. */
class ProjectionAndFilterTest {
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(3);
        node.createTable("Songs", "artist", ScalarAttributeType.S, "n", ScalarAttributeType.N);
        for (int i = 0; i < 10; i++) {
            int n = i;
            node.client.putItem(r -> r.tableName("Songs").item(Map.of("artist", AttributeValue.fromS("Nina"),
                    "n", AttributeValue.fromN(Integer.toString(n)), "plays", AttributeValue.fromN(Integer.toString(n * 10)),
                    "info", AttributeValue.fromM(Map.of("label", AttributeValue.fromS("L" + n), "year", AttributeValue.fromN("1965"))),
                    "tracks", AttributeValue.fromL(List.of(AttributeValue.fromS("a" + n), AttributeValue.fromS("b" + n))))));
        }
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static Map<String, AttributeValue> key(int n) {
        return Map.of("artist", AttributeValue.fromS("Nina"), "n", AttributeValue.fromN(Integer.toString(n)));
    }

    @Test
    void getItemAndBatchGetItemReturnOnlyTheProjectedPaths() {
        Map<String, AttributeValue> item = node.client.getItem(r -> r.tableName("Songs").key(key(3)).consistentRead(true)
                .projectionExpression("plays, info.#y, tracks[1]").expressionAttributeNames(Map.of("#y", "year"))).item();
        assertThat(item).isEqualTo(Map.of("plays", AttributeValue.fromN("30"),
                "info", AttributeValue.fromM(Map.of("year", AttributeValue.fromN("1965"))),
                "tracks", AttributeValue.fromL(List.of(AttributeValue.fromS("b3")))));
        Map<String, AttributeValue> consistent = node.client.getItem(r -> r.tableName("Songs").key(key(3)).consistentRead(true)
                .projectionExpression("nope")).item();
        assertThat(consistent).as("an item with none of the paths").isEmpty();
        var batch = node.client.batchGetItem(r -> r.requestItems(Map.of("Songs",
                KeysAndAttributes.builder().keys(List.of(key(1), key(2))).consistentRead(true).projectionExpression("n, plays").build())));
        assertThat(batch.responses().get("Songs")).containsExactlyInAnyOrder(
                Map.of("n", AttributeValue.fromN("1"), "plays", AttributeValue.fromN("10")),
                Map.of("n", AttributeValue.fromN("2"), "plays", AttributeValue.fromN("20")));
    }

    @Test
    void theLegacyAttributesToGetProjectsTopLevelAttributes() {
        assertThat(node.client.getItem(r -> r.tableName("Songs").key(key(4)).consistentRead(true).attributesToGet("plays", "n")).item())
                .isEqualTo(Map.of("plays", AttributeValue.fromN("40"), "n", AttributeValue.fromN("4")));
        assertThat(node.client.query(r -> r.tableName("Songs").consistentRead(true).attributesToGet("plays").limit(1).keyConditions(Map.of("artist",
                software.amazon.awssdk.services.dynamodb.model.Condition.builder().comparisonOperator("EQ")
                        .attributeValueList(AttributeValue.fromS("Nina")).build()))).items())
                .containsExactly(Map.of("plays", AttributeValue.fromN("0")));
        expectValidation(() -> node.client.query(r -> r.tableName("Songs").keyConditionExpression("artist = :a").attributesToGet("plays")
                        .expressionAttributeValues(Map.of(":a", AttributeValue.fromS("Nina")))),
                "Can not use both expression and non-expression parameters in the same request: "
                        + "Non-expression parameters: {AttributesToGet} Expression parameters: {KeyConditionExpression}");
        expectValidation(() -> node.client.getItem(r -> r.tableName("Songs").key(key(4)).attributesToGet("plays").projectionExpression("n")),
                "Can not use both expression and non-expression parameters in the same request: "
                        + "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}");
    }

    @Test
    void aFilterAppliesAfterLimitAndCountsAsDynamoDbCounts() {
        QueryResponse page = node.client.query(r -> r.tableName("Songs").keyConditionExpression("artist = :a")
                .filterExpression("plays >= :p").projectionExpression("n").limit(6).consistentRead(true)
                .expressionAttributeValues(Map.of(":a", AttributeValue.fromS("Nina"), ":p", AttributeValue.fromN("40"))));
        assertThat(page.scannedCount()).isEqualTo(6);
        assertThat(page.count()).isEqualTo(2);
        assertThat(page.items()).containsExactly(Map.of("n", AttributeValue.fromN("4")), Map.of("n", AttributeValue.fromN("5")));
        assertThat(page.lastEvaluatedKey()).isEqualTo(key(5));

        ScanResponse scan = node.client.scan(r -> r.tableName("Songs").filterExpression("begins_with(info.label, :l) AND plays < :p")
                .projectionExpression("n").consistentRead(true).expressionAttributeValues(Map.of(":l", AttributeValue.fromS("L"), ":p", AttributeValue.fromN("30"))));
        assertThat(scan.count()).isEqualTo(3);
        assertThat(scan.scannedCount()).isEqualTo(10);
        assertThat(scan.items()).allSatisfy(i -> assertThat(i).containsOnlyKeys("n"));
    }

    @Test
    void invalidProjectionsAndFiltersAreValidationErrors() {
        expectValidation(() -> node.client.getItem(r -> r.tableName("Songs").key(key(1)).projectionExpression("name")),
                "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name");
        expectValidation(() -> node.client.getItem(r -> r.tableName("Songs").key(key(1)).projectionExpression("info, info.label")),
                "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; "
                        + "path one: [info], path two: [info, label]");
        expectValidation(() -> node.client.query(r -> r.tableName("Songs").keyConditionExpression("artist = :a").filterExpression("n > :z")
                        .expressionAttributeValues(Map.of(":a", AttributeValue.fromS("Nina"), ":z", AttributeValue.fromN("0")))),
                "Filter Expression can only contain non-primary key attributes: Primary key attribute: n");
        expectValidation(() -> node.client.scan(r -> r.tableName("Songs").expressionAttributeValues(Map.of(":z", AttributeValue.fromN("0")))),
                "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null");
        expectValidation(() -> node.client.scan(r -> r.tableName("Songs").filterExpression("plays > :p")
                        .expressionAttributeValues(Map.of(":p", AttributeValue.fromN("0"), ":z", AttributeValue.fromN("0")))),
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {:z}");
    }

    static void expectValidation(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(DynamoDbException.class, e -> {
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(message);
        });
    }
}
