package io.dynalog.node.it;

import static io.dynalog.node.it.Values.n;
import static io.dynalog.node.it.Values.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/** UpdateItem with UpdateExpression (SET, REMOVE, ADD, DELETE), ConditionExpression and ReturnValues, through the AWS SDK. */
class UpdateItemTest {
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(2);
        node.createTable("Upd", "pk", ScalarAttributeType.S, null, null);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", s(pk));
    }

    static UpdateItemResponse update(String pk, String expression, Map<String, AttributeValue> values, Consumer<UpdateItemRequest.Builder> more) {
        return node.client.updateItem(r -> {
            r.tableName("Upd").key(key(pk)).updateExpression(expression);
            if (!values.isEmpty()) r.expressionAttributeValues(values);
            more.accept(r);
        });
    }

    static Map<String, AttributeValue> get(String pk) {
        return node.client.getItem(r -> r.tableName("Upd").key(key(pk)).consistentRead(true)).item();
    }

    @Test
    void anUpdateCreatesTheItemAndEachActionDoesWhatDynamoDbDoes() {
        UpdateItemResponse created = update("u1", "SET title = :t, plays = :zero, tags = :tags, songs = :songs, info = :info",
                Map.of(":t", s("Pastel Blues"), ":zero", n("0"), ":tags", AttributeValue.fromSs(List.of("jazz", "soul")),
                        ":songs", AttributeValue.fromL(List.of(s("Sinnerman"))), ":info", AttributeValue.fromM(Map.of("label", s("Philips")))),
                r -> r.returnValues(ReturnValue.ALL_NEW));
        assertThat(created.attributes()).containsEntry("pk", s("u1")).containsEntry("plays", n("0"));

        UpdateItemResponse counted = update("u1", "SET plays = plays + :one, songs = list_append(songs, :more), info.#y = :y, "
                        + "rating = if_not_exists(rating, :five) ADD fans :two, tags :blues",
                Map.of(":one", n("1"), ":more", AttributeValue.fromL(List.of(s("Feeling Good"))), ":y", n("1965"), ":five", n("5"),
                        ":two", n("2"), ":blues", AttributeValue.fromSs(List.of("blues"))),
                r -> r.expressionAttributeNames(Map.of("#y", "year")).returnValues(ReturnValue.UPDATED_NEW));
        assertThat(counted.attributes()).containsOnlyKeys("plays", "songs", "info", "rating", "fans", "tags");
        assertThat(counted.attributes()).containsEntry("plays", n("1"))
                .containsEntry("songs", AttributeValue.fromL(List.of(s("Sinnerman"), s("Feeling Good"))))
                .containsEntry("info", AttributeValue.fromM(Map.of("year", n("1965")))).containsEntry("rating", n("5"))
                .containsEntry("fans", n("2"));
        assertThat(counted.attributes().get("tags").ss()).containsExactlyInAnyOrder("jazz", "soul", "blues");
        update("u1", "DELETE tags :soul", Map.of(":soul", AttributeValue.fromSs(List.of("soul"))), r -> { });

        UpdateItemResponse removed = update("u1", "REMOVE songs[0], info.label SET rating = rating - :one",
                Map.of(":one", n("1")), r -> r.returnValues(ReturnValue.UPDATED_OLD));
        assertThat(removed.attributes()).isEqualTo(Map.of("songs", AttributeValue.fromL(List.of(s("Sinnerman"))),
                "info", AttributeValue.fromM(Map.of("label", s("Philips"))), "rating", n("5")));
        Map<String, AttributeValue> item = get("u1");
        assertThat(item.get("songs")).isEqualTo(AttributeValue.fromL(List.of(s("Feeling Good"))));
        assertThat(item.get("info")).isEqualTo(AttributeValue.fromM(Map.of("year", n("1965"))));
        assertThat(item.get("rating")).isEqualTo(n("4"));
        assertThat(item.get("tags").ss()).containsExactlyInAnyOrder("jazz", "blues");

        UpdateItemResponse old = update("u1", "DELETE tags :all", Map.of(":all", AttributeValue.fromSs(List.of("jazz", "blues"))),
                r -> r.returnValues(ReturnValue.ALL_OLD));
        assertThat(old.attributes()).containsKey("tags");
        assertThat(get("u1")).doesNotContainKey("tags");
    }

    @Test
    void aConditionIsCheckedAgainstTheItemBeforeTheUpdate() {
        update("c1", "SET stock = :n", Map.of(":n", n("1")), r -> { });
        update("c1", "SET stock = stock - :one", Map.of(":one", n("1"), ":zero", n("0")), r -> r.conditionExpression("stock > :zero"));
        assertThatThrownBy(() -> update("c1", "SET stock = stock - :one", Map.of(":one", n("1"), ":zero", n("0")),
                r -> r.conditionExpression("stock > :zero")))
                .isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(get("c1").get("stock")).isEqualTo(n("0"));
    }

    @Test
    void invalidUpdatesAreValidationErrorsInDynamoDbsWords() {
        update("e1", "SET a = :one, m = :m", Map.of(":one", n("1"), ":m", AttributeValue.fromM(Map.of())), r -> { });
        expectValidation(() -> update("e1", "SET pk = :v", Map.of(":v", s("x")), r -> { }),
                "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key");
        expectValidation(() -> update("e1", "SET a = :v REMOVE a", Map.of(":v", s("x")), r -> { }),
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; "
                        + "path one: [a], path two: [a]");
        expectValidation(() -> update("e1", "SET a = nope + :v", Map.of(":v", n("1")), r -> { }),
                "The provided expression refers to an attribute that does not exist in the item");
        expectValidation(() -> update("e1", "SET a = m + :v", Map.of(":v", n("1")), r -> { }),
                "An operand in the update expression has an incorrect data type");
        expectValidation(() -> update("e1", "SET nope.b = :v", Map.of(":v", n("1")), r -> { }),
                "The document path provided in the update expression is invalid for update");
        expectValidation(() -> update("e1", "SET a = :v SET b = :v", Map.of(":v", n("1")), r -> { }),
                "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;");
        expectValidation(() -> update("e1", "ADD a :v", Map.of(":v", s("x")), r -> { }),
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: S");
        assertThat(get("e1")).isEqualTo(Map.of("pk", s("e1"), "a", n("1"), "m", AttributeValue.fromM(Map.of())));
    }

    static void expectValidation(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(DynamoDbException.class, e -> {
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(message);
        });
    }
}
