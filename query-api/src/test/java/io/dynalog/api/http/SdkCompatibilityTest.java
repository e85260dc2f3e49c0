package io.dynalog.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.json.AttributeValues;
import io.dynalog.api.json.Json;
import io.dynalog.api.json.Params;
import io.dynalog.api.json.ValidationErrors;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.InternalServerErrorException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * The AWS SDK for Java v2, unmodified, against the server: requests it signs and sends are read,
 * responses (CRC32 included, which the SDK checks) and errors are understood as DynamoDB's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdkCompatibilityTest {

    private final Map<String, Map<String, io.dynalog.topology.model.AttributeValue>> items = new ConcurrentHashMap<>();
    private TestServer server;
    private DynamoDbClient client;

    @BeforeAll
    void start() throws Exception {
        server = new TestServer(Map.of(
                "ListTables", request -> CompletableFuture.completedFuture(
                        (ObjectNode) Json.object().set("TableNames", Json.mapper().createArrayNode().add("a"))),
                "DescribeTable", request -> CompletableFuture.failedFuture(ApiException.resourceNotFound(
                        "Requested resource not found: Table: " + request.path("TableName").asText() + " not found")),
                "PutItem", this::putItem,
                "GetItem", this::getItem,
                "DeleteItem", request -> {
                    throw new IllegalStateException("a bug in an operation");
                }));
        client = DynamoDbClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + server.port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("dummy", "dummy")))
                .httpClient(Apache5HttpClient.builder().build())
                // InternalServerError would otherwise be retried; one attempt keeps the test exact.
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterAll
    void stop() throws Exception {
        client.close();
        server.close();
    }

    /** Stores the item unless the request asks for a condition on an existing one, which then fails. */
    private CompletableFuture<ObjectNode> putItem(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        String table = Params.requiredTableName(request, "TableName", errors);
        errors.throwIfAny();
        Map<String, io.dynalog.topology.model.AttributeValue> item = AttributeValues.itemFromJson(request.get("Item"), "Item");
        Map<String, io.dynalog.topology.model.AttributeValue> old = items.get(table);
        if (request.has("ConditionExpression") && old != null) {
            return CompletableFuture.failedFuture(
                    ApiException.conditionalCheckFailed("The conditional request failed", AttributeValues.itemNode(old)));
        }
        items.put(table, item);
        return CompletableFuture.completedFuture(Json.object());
    }

    private CompletableFuture<ObjectNode> getItem(ObjectNode request) {
        Map<String, io.dynalog.topology.model.AttributeValue> item = items.get(request.path("TableName").asText());
        ObjectNode response = Json.object();
        if (item != null) response.set("Item", AttributeValues.itemNode(item));
        return CompletableFuture.completedFuture(response);
    }

    @Test
    void listTables() {
        assertThat(client.listTables().tableNames()).containsExactly("a");
    }

    @Test
    void errorsSurfaceAsTheSdksExceptions() {
        ResourceNotFoundException e = catchThrowableOfType(ResourceNotFoundException.class,
                () -> client.describeTable(b -> b.tableName("missing")));
        assertThat(e).isNotNull();
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Requested resource not found: Table: missing not found");
        assertThat(e.requestId()).matches("[0-9A-Z]{52}");
    }

    @Test
    void validationErrorsSurfaceAsDynamoDbExceptionWithTheCode() {
        DynamoDbException e = catchThrowableOfType(DynamoDbException.class,
                () -> client.putItem(b -> b.tableName("x").item(Map.of("pk", AttributeValue.fromS("a")))));
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("1 validation error detected: Value 'x' at 'tableName' "
                + "failed to satisfy constraint: Member must have length greater than or equal to 3");
    }

    @Test
    void internalErrorsSurfaceAsInternalServerError() {
        InternalServerErrorException e = catchThrowableOfType(InternalServerErrorException.class,
                () -> client.deleteItem(b -> b.tableName("tab").key(Map.of("pk", AttributeValue.fromS("a")))));
        assertThat(e.statusCode()).isEqualTo(500);
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Internal server error");
    }

    @Test
    void itemsOfEveryTypeRoundTrip() {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("pk", AttributeValue.fromS("key-é-😀"));
        item.put("n", AttributeValue.fromN("-12.50"));
        item.put("big", AttributeValue.fromN("99999999999999999999999999999999999999"));
        item.put("b", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, -1, 2})));
        item.put("empty", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[0])));
        item.put("bool", AttributeValue.fromBool(true));
        item.put("null", AttributeValue.fromNul(true));
        item.put("ss", AttributeValue.fromSs(List.of("x", "y")));
        item.put("ns", AttributeValue.fromNs(List.of("1", "2.5")));
        item.put("bs", AttributeValue.fromBs(List.of(SdkBytes.fromUtf8String("a"), SdkBytes.fromUtf8String("b"))));
        item.put("l", AttributeValue.fromL(List.of(AttributeValue.fromS("in list"), AttributeValue.fromN("3"))));
        item.put("m", AttributeValue.fromM(Map.of("inner", AttributeValue.fromM(Map.of("deep", AttributeValue.fromBool(false))))));
        client.putItem(b -> b.tableName("items").item(item));

        Map<String, AttributeValue> back = client.getItem(b -> b.tableName("items").key(Map.of("pk", item.get("pk")))).item();
        Map<String, AttributeValue> expected = new LinkedHashMap<>(item);
        expected.put("n", AttributeValue.fromN("-12.5")); // DynamoDB's canonical form
        assertThat(back).isEqualTo(expected);
    }

    @Test
    void conditionalCheckFailedCarriesTheItem() {
        Map<String, AttributeValue> item = Map.of("pk", AttributeValue.fromS("k"), "v", AttributeValue.fromN("1"));
        client.putItem(b -> b.tableName("conditional").item(item));
        ConditionalCheckFailedException e = catchThrowableOfType(ConditionalCheckFailedException.class,
                () -> client.putItem(b -> b.tableName("conditional").item(item)
                        .conditionExpression("attribute_not_exists(pk)")
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The conditional request failed");
        assertThat(e.item()).isEqualTo(item);
    }

    @Test
    void aMissingItemIsNoItem() {
        assertThat(client.getItem(b -> b.tableName("nothing").key(Map.of("pk", AttributeValue.fromS("x")))).hasItem()).isFalse();
    }
}
