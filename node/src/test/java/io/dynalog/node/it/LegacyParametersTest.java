package io.dynalog.node.it;

import static io.dynalog.node.it.Values.n;
import static io.dynalog.node.it.Values.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeAction;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.AttributeValueUpdate;
import software.amazon.awssdk.services.dynamodb.model.ComparisonOperator;
import software.amazon.awssdk.services.dynamodb.model.Condition;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConditionalOperator;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ExpectedAttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The pre-expression parameters older clients send (Expected, ConditionalOperator,
 * AttributeUpdates, KeyConditions, QueryFilter, ScanFilter), through the AWS SDK: what each means,
 * and the rules that refuse them (argument counts and types, ConditionalOperator, mixing with
 * expressions).
 */
class LegacyParametersTest {
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(2);
        node.createTable("Legacy", "pk", ScalarAttributeType.S, "sk", ScalarAttributeType.N);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static Map<String, AttributeValue> key(String pk, int sk) {
        return Map.of("pk", s(pk), "sk", n(Integer.toString(sk)));
    }

    static ExpectedAttributeValue compare(ComparisonOperator operator, AttributeValue... arguments) {
        return ExpectedAttributeValue.builder().comparisonOperator(operator).attributeValueList(arguments).build();
    }

    static Condition condition(ComparisonOperator operator, AttributeValue... arguments) {
        return Condition.builder().comparisonOperator(operator).attributeValueList(arguments).build();
    }

    static void assertValidation(Runnable request, String message) {
        assertThatThrownBy(request::run).isInstanceOfSatisfying(DynamoDbException.class, e -> {
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(message);
        });
    }

    @Test
    void expectedGuardsWritesWithValueExistsAndComparisonOperators() {
        node.client.putItem(r -> r.tableName("Legacy").item(Map.of("pk", s("e"), "sk", n("1"), "plays", n("5"), "title", s("Blue Train"))));
        Map<String, AttributeValue> replaced = Map.of("pk", s("e"), "sk", n("1"), "plays", n("6"));

        assertThatThrownBy(() -> node.client.putItem(r -> r.tableName("Legacy").item(replaced)
                .expected(Map.of("plays", ExpectedAttributeValue.builder().exists(false).build()))))
                .isInstanceOf(ConditionalCheckFailedException.class);
        node.client.putItem(r -> r.tableName("Legacy").item(replaced).expected(Map.of(
                "plays", ExpectedAttributeValue.builder().value(n("5")).build(),
                "missing", compare(ComparisonOperator.NE, s("x")))));
        assertThat(node.client.getItem(r -> r.tableName("Legacy").key(key("e", 1)).consistentRead(true)).item())
                .isEqualTo(replaced);

        // NOT_CONTAINS is false on a missing attribute (unlike NOT contains(...)); OR needs one clause to hold.
        assertThatThrownBy(() -> node.client.deleteItem(r -> r.tableName("Legacy").key(key("e", 1))
                .expected(Map.of("missing", compare(ComparisonOperator.NOT_CONTAINS, s("x"))))))
                .isInstanceOf(ConditionalCheckFailedException.class);
        node.client.deleteItem(r -> r.tableName("Legacy").key(key("e", 1)).conditionalOperator(ConditionalOperator.OR)
                .expected(Map.of("missing", compare(ComparisonOperator.NOT_NULL),
                        "plays", compare(ComparisonOperator.BETWEEN, n("1"), n("9")))));
        assertThat(node.client.getItem(r -> r.tableName("Legacy").key(key("e", 1)).consistentRead(true)).hasItem()).isFalse();
    }

    @Test
    void attributeUpdatesPutAddAndDeleteLikeDynamoDb() {
        node.client.putItem(r -> r.tableName("Legacy").item(Map.of("pk", s("u"), "sk", n("1"), "plays", n("5"), "tags",
                AttributeValue.fromSs(List.of("jazz", "soul")), "songs", AttributeValue.fromL(List.of(s("Naima"))), "label", s("Atlantic"))));
        var response = node.client.updateItem(r -> r.tableName("Legacy").key(key("u", 1)).returnValues(ReturnValue.UPDATED_NEW)
                .attributeUpdates(Map.of(
                        "plays", AttributeValueUpdate.builder().action(AttributeAction.ADD).value(n("2")).build(),
                        "tags", AttributeValueUpdate.builder().action(AttributeAction.DELETE).value(AttributeValue.fromSs(List.of("soul"))).build(),
                        "songs", AttributeValueUpdate.builder().action(AttributeAction.ADD).value(AttributeValue.fromL(List.of(s("Giant Steps")))).build(),
                        "label", AttributeValueUpdate.builder().action(AttributeAction.DELETE).build(),
                        "year", AttributeValueUpdate.builder().value(n("1960")).build())));
        assertThat(response.attributes()).containsOnlyKeys("plays", "tags", "songs", "year")
                .containsEntry("plays", n("7")).containsEntry("tags", AttributeValue.fromSs(List.of("jazz")))
                .containsEntry("songs", AttributeValue.fromL(List.of(s("Naima"), s("Giant Steps"))));
        assertThat(node.client.getItem(r -> r.tableName("Legacy").key(key("u", 1)).consistentRead(true)).item())
                .doesNotContainKey("label").containsEntry("year", n("1960"));

        assertValidation(() -> node.client.updateItem(r -> r.tableName("Legacy").key(key("u", 1)).attributeUpdates(Map.of(
                        "year", AttributeValueUpdate.builder().action(AttributeAction.ADD).value(s("x")).build()))),
                "One or more parameter values were invalid: ADD action is not supported for the type STRING");
        assertValidation(() -> node.client.updateItem(r -> r.tableName("Legacy").key(key("u", 1)).attributeUpdates(Map.of(
                        "title", AttributeValueUpdate.builder().action(AttributeAction.PUT).build()))),
                "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified");
        assertValidation(() -> node.client.updateItem(r -> r.tableName("Legacy").key(key("u", 1)).attributeUpdates(Map.of(
                        "tags", AttributeValueUpdate.builder().action(AttributeAction.ADD).value(n("1")).build()))),
                "Type mismatch for attribute to update");
        assertValidation(() -> node.client.updateItem(r -> r.tableName("Legacy").key(key("u", 1)).attributeUpdates(Map.of(
                        "sk", AttributeValueUpdate.builder().value(n("2")).build()))),
                "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key");
    }

    @Test
    void keyConditionsQueryFilterAndScanFilterSelectWhatTheirExpressionsWould() {
        for (int i = 1; i <= 4; i++) {
            int sk = i;
            node.client.putItem(r -> r.tableName("Legacy").item(Map.of("pk", s("q"), "sk", n(Integer.toString(sk)), "v", n(Integer.toString(sk * 10)))));
        }
        QueryResponse page = node.client.query(r -> r.tableName("Legacy").consistentRead(true)
                .keyConditions(Map.of("pk", condition(ComparisonOperator.EQ, s("q")), "sk", condition(ComparisonOperator.BETWEEN, n("2"), n("4"))))
                .queryFilter(Map.of("v", condition(ComparisonOperator.IN, n("20"), n("40")))).attributesToGet("sk"));
        assertThat(page.items()).containsExactly(Map.of("sk", n("2")), Map.of("sk", n("4")));
        assertThat(page.scannedCount()).isEqualTo(3);

        assertThat(node.client.scan(r -> r.tableName("Legacy").consistentRead(true).conditionalOperator(ConditionalOperator.OR)
                .scanFilter(Map.of("v", condition(ComparisonOperator.GE, n("40")), "sk", condition(ComparisonOperator.EQ, n("1"))))).items())
                .as("other tests' items with sk 1 are in the table too")
                .filteredOn(item -> item.get("pk").s().equals("q")).extracting(item -> item.get("sk").n()).containsExactlyInAnyOrder("1", "4");

        assertValidation(() -> node.client.query(r -> r.tableName("Legacy")
                        .keyConditions(Map.of("pk", condition(ComparisonOperator.EQ, s("q")), "sk", condition(ComparisonOperator.NE, n("1"))))),
                "Attempted conditional constraint is not an indexable operation");
        assertValidation(() -> node.client.query(r -> r.tableName("Legacy").keyConditions(Map.of("pk", condition(ComparisonOperator.EQ, s("q"))))
                        .queryFilter(Map.of("sk", condition(ComparisonOperator.EQ, n("1"))))),
                "QueryFilter can only contain non-primary key attributes: Primary key attribute: sk");
    }

    @Test
    void badArgumentsAndMixingWithExpressionsAreRefusedInDynamoDbsWords() {
        Map<String, AttributeValue> item = Map.of("pk", s("m"), "sk", n("1"));
        assertValidation(() -> node.client.putItem(r -> r.tableName("Legacy").item(item)
                        .expected(Map.of("a", compare(ComparisonOperator.EQ)))),
                "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator");
        assertValidation(() -> node.client.putItem(r -> r.tableName("Legacy").item(item)
                        .expected(Map.of("a", compare(ComparisonOperator.CONTAINS, AttributeValue.fromBool(true))))),
                "One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for BOOL AttributeValue type");
        assertValidation(() -> node.client.putItem(r -> r.tableName("Legacy").item(item)
                        .expected(Map.of("a", ExpectedAttributeValue.builder().value(n("1")).exists(false).build()))),
                "One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a");
        assertValidation(() -> node.client.putItem(r -> r.tableName("Legacy").item(item).conditionalOperator(ConditionalOperator.OR)
                        .expected(Map.of("a", compare(ComparisonOperator.NULL)))),
                "ConditionalOperator can only be used when Filter or Expected has two or more elements");
        assertValidation(() -> node.client.putItem(r -> r.tableName("Legacy").item(item).conditionExpression("attribute_not_exists(a)")
                        .expected(Map.of("a", compare(ComparisonOperator.NULL)))),
                "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} "
                        + "Expression parameters: {ConditionExpression}");
        assertValidation(() -> node.client.updateItem(r -> r.tableName("Legacy").key(item)
                        .attributeUpdates(Map.of("a", AttributeValueUpdate.builder().value(n("1")).build()))
                        .expressionAttributeValues(Map.of(":v", n("1")))),
                "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null");
        assertValidation(() -> node.client.query(r -> r.tableName("Legacy").keyConditionExpression("pk = :p")
                        .expressionAttributeValues(Map.of(":p", s("m"))).queryFilter(Map.of("a", condition(ComparisonOperator.NULL)))),
                "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {QueryFilter} "
                        + "Expression parameters: {KeyConditionExpression}");
    }
}
