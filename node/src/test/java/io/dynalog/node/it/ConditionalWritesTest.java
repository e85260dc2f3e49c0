package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** ConditionExpression on PutItem and DeleteItem through the AWS SDK, checked at the partition's leader. */
class ConditionalWritesTest {
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(2);
        node.createTable("Cond", "pk", ScalarAttributeType.S, null, null);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static Map<String, AttributeValue> item(String pk, String v, int version) {
        return Map.of("pk", AttributeValue.fromS(pk), "v", AttributeValue.fromS(v), "version", AttributeValue.fromN(Integer.toString(version)));
    }

    @Test
    void putIfAbsentSucceedsOnceAndAFailedConditionCanReturnTheItem() {
        node.client.putItem(r -> r.tableName("Cond").item(item("once", "first", 1)).conditionExpression("attribute_not_exists(pk)"));
        assertThatThrownBy(() -> node.client.putItem(r -> r.tableName("Cond").item(item("once", "second", 1))
                .conditionExpression("attribute_not_exists(pk)")))
                .isInstanceOfSatisfying(ConditionalCheckFailedException.class, e -> {
                    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The conditional request failed");
                    assertThat(e.item()).isEmpty();
                });
        assertThatThrownBy(() -> node.client.putItem(r -> r.tableName("Cond").item(item("once", "second", 1))
                .conditionExpression("attribute_not_exists(pk)")
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)))
                .isInstanceOfSatisfying(ConditionalCheckFailedException.class, e -> assertThat(e.item()).isEqualTo(item("once", "first", 1)));
        assertThat(node.client.getItem(r -> r.tableName("Cond").key(Map.of("pk", AttributeValue.fromS("once"))).consistentRead(true))
                .item()).isEqualTo(item("once", "first", 1));
    }

    @Test
    void conditionalDeleteWithPlaceholders() {
        node.client.putItem(r -> r.tableName("Cond").item(item("del", "keep", 3)));
        assertThatThrownBy(() -> node.client.deleteItem(r -> r.tableName("Cond").key(Map.of("pk", AttributeValue.fromS("del")))
                .conditionExpression("#v = :v").expressionAttributeNames(Map.of("#v", "version"))
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromN("2")))))
                .isInstanceOf(ConditionalCheckFailedException.class);
        node.client.deleteItem(r -> r.tableName("Cond").key(Map.of("pk", AttributeValue.fromS("del")))
                .conditionExpression("#v = :v AND begins_with(v, :p)").expressionAttributeNames(Map.of("#v", "version"))
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromN("3"), ":p", AttributeValue.fromS("ke"))));
        assertThatThrownBy(() -> node.client.deleteItem(r -> r.tableName("Cond").key(Map.of("pk", AttributeValue.fromS("del")))
                .conditionExpression("attribute_exists(pk)")))
                .as("a condition on an item that is not there").isInstanceOf(ConditionalCheckFailedException.class);
    }

    @Test
    void badExpressionsAreValidationErrorsInDynamoDbsWords() {
        assertThatThrownBy(() -> node.client.putItem(r -> r.tableName("Cond").item(item("bad", "x", 1))
                .conditionExpression("attribute_not_exists(pk)").expressionAttributeValues(Map.of(":unused", AttributeValue.fromS("x")))))
                .isInstanceOfSatisfying(DynamoDbException.class, e -> {
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
                    assertThat(e.awsErrorDetails().errorMessage())
                            .isEqualTo("Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}");
                });
        assertThatThrownBy(() -> node.client.putItem(r -> r.tableName("Cond").item(item("bad", "x", 1)).conditionExpression("status = :v")
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromN("1")))))
                .isInstanceOfSatisfying(DynamoDbException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
                        .isEqualTo("Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"));
        assertThatThrownBy(() -> node.client.putItem(r -> r.tableName("Cond").item(item("bad", "x", 1)).conditionExpression("pk = ")))
                .isInstanceOfSatisfying(DynamoDbException.class, e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException"));
    }

    /** Optimistic locking: concurrent read-check-write cycles; every success is one increment, none lost. */
    @Test
    void concurrentConditionalIncrementsNeverLoseOne() {
        node.client.putItem(r -> r.tableName("Cond").item(item("counter", "c", 0)));
        AtomicInteger successes = new AtomicInteger();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            workers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 25; i++) {
                    Map<String, AttributeValue> seen = node.client.getItem(r -> r.tableName("Cond")
                            .key(Map.of("pk", AttributeValue.fromS("counter"))).consistentRead(true)).item();
                    int version = Integer.parseInt(seen.get("version").n());
                    try {
                        node.client.putItem(r -> r.tableName("Cond").item(item("counter", "c", version + 1))
                                .conditionExpression("#v = :seen").expressionAttributeNames(Map.of("#v", "version"))
                                .expressionAttributeValues(Map.of(":seen", AttributeValue.fromN(Integer.toString(version)))));
                        successes.incrementAndGet();
                    } catch (ConditionalCheckFailedException lost) {
                        // another worker moved the version on first
                    }
                }
            }));
        }
        workers.forEach(CompletableFuture::join);
        Map<String, AttributeValue> last = node.client.getItem(r -> r.tableName("Cond")
                .key(Map.of("pk", AttributeValue.fromS("counter"))).consistentRead(true)).item();
        assertThat(successes.get()).isPositive();
        assertThat(Integer.parseInt(last.get("version").n())).isEqualTo(successes.get());
    }
}
