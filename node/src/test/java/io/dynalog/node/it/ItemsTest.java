package io.dynalog.node.it;

import static io.dynalog.node.it.Values.n;
import static io.dynalog.node.it.Values.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** PutItem, GetItem, DeleteItem, BatchWriteItem and BatchGetItem through the AWS SDK. */
class ItemsTest {
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
        node.createTable("Items", "pk", ScalarAttributeType.S, null, null);
        node.createTable("Pairs", "pk", ScalarAttributeType.N, "sk", ScalarAttributeType.B);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void everyTypeRoundTrips() {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s("all-types"));
        item.put("s", s("text"));
        item.put("empty", s(""));
        item.put("n", n("-12.500"));
        item.put("big", n("99999999999999999999999999999999999999"));
        item.put("tiny", n("1E-130"));
        item.put("b", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, 1, (byte) 0xFF})));
        item.put("bool", AttributeValue.fromBool(true));
        item.put("null", AttributeValue.fromNul(true));
        item.put("m", AttributeValue.fromM(Map.of("inner", AttributeValue.fromL(List.of(n("1"), s("x"))))));
        item.put("ss", AttributeValue.fromSs(List.of("a", "b")));
        item.put("ns", AttributeValue.fromNs(List.of("1", "2.5")));
        item.put("bs", AttributeValue.fromBs(List.of(SdkBytes.fromUtf8String("x"), SdkBytes.fromUtf8String("y"))));
        node.client.putItem(r -> r.tableName("Items").item(item));

        for (boolean consistent : new boolean[] {true, false}) {
            Map<String, AttributeValue> got = node.client.getItem(r -> r.tableName("Items")
                    .key(Map.of("pk", s("all-types"))).consistentRead(consistent)).item();
            if (!consistent && got.isEmpty()) {
                got = awaitEventual("Items", Map.of("pk", s("all-types")));
            }
            assertThat(got.get("s").s()).isEqualTo("text");
            assertThat(got.get("empty").s()).isEmpty();
            assertThat(got.get("n").n()).isEqualTo("-12.5");
            assertThat(got.get("big").n()).isEqualTo("99999999999999999999999999999999999999");
            assertThat(new java.math.BigDecimal(got.get("tiny").n())).isEqualByComparingTo("1E-130");
            assertThat(got.get("b").b().asByteArray()).containsExactly(0, 1, 0xFF);
            assertThat(got.get("bool").bool()).isTrue();
            assertThat(got.get("null").nul()).isTrue();
            assertThat(got.get("m").m().get("inner").l()).containsExactly(n("1"), s("x"));
            assertThat(got.get("ss").ss()).containsExactlyInAnyOrder("a", "b");
            assertThat(got.get("ns").ns()).containsExactlyInAnyOrder("1", "2.5");
            assertThat(got.get("bs").bs()).hasSize(2);
        }
    }

    /** An eventually consistent read of an item just written: the local replica may lag a few milliseconds. */
    static Map<String, AttributeValue> awaitEventual(String table, Map<String, AttributeValue> key) {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> node.client.getItem(r -> r.tableName(table).key(key)).item(), item -> !item.isEmpty());
    }

    @Test
    void consistentReadSeesEveryAcknowledgedWrite() {
        for (int i = 0; i < 200; i++) {
            String v = "v" + i;
            node.client.putItem(r -> r.tableName("Items").item(Map.of("pk", s("counter"), "v", s(v))));
            Map<String, AttributeValue> got = node.client.getItem(r -> r.tableName("Items")
                    .key(Map.of("pk", s("counter"))).consistentRead(true)).item();
            assertThat(got.get("v").s()).isEqualTo(v);
        }
    }

    @Test
    void returnValuesAllOldAndDelete() {
        var first = node.client.putItem(r -> r.tableName("Items").item(Map.of("pk", s("rv"), "a", n("1")))
                .returnValues(ReturnValue.ALL_OLD));
        assertThat(first.attributes()).isEmpty();
        var second = node.client.putItem(r -> r.tableName("Items").item(Map.of("pk", s("rv"), "a", n("2")))
                .returnValues(ReturnValue.ALL_OLD));
        assertThat(second.attributes()).containsEntry("a", n("1"));
        var deleted = node.client.deleteItem(r -> r.tableName("Items").key(Map.of("pk", s("rv")))
                .returnValues(ReturnValue.ALL_OLD));
        assertThat(deleted.attributes()).containsEntry("a", n("2"));
        assertThat(node.client.getItem(r -> r.tableName("Items").key(Map.of("pk", s("rv"))).consistentRead(true)).hasItem()).isFalse();
        var again = node.client.deleteItem(r -> r.tableName("Items").key(Map.of("pk", s("rv")))
                .returnValues(ReturnValue.ALL_OLD));
        assertThat(again.attributes()).isEmpty();
        assertThatThrownBy(() -> node.client.putItem(r -> r.tableName("Items").item(Map.of("pk", s("rv")))
                .returnValues(ReturnValue.ALL_NEW)))
                .hasMessageContaining("ReturnValues can only be ALL_OLD or NONE");
    }

    @Test
    void batchWriteAndBatchGet() {
        List<WriteRequest> writes = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(Map.of(
                    "pk", n(Integer.toString(i)), "sk", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {(byte) i})),
                    "v", s("value" + i))).build()).build());
        }
        assertThat(node.client.batchWriteItem(r -> r.requestItems(Map.of("Pairs", writes))).unprocessedItems()).isEmpty();

        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            keys.add(Map.of("pk", n(Integer.toString(i)), "sk", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {(byte) i}))));
        }
        keys.add(Map.of("pk", n("1000"), "sk", AttributeValue.fromB(SdkBytes.fromUtf8String("absent"))));
        BatchGetItemResponse got = node.client.batchGetItem(r -> r.requestItems(Map.of("Pairs",
                KeysAndAttributes.builder().keys(keys).consistentRead(true).build())));
        assertThat(got.responses().get("Pairs")).hasSize(25);
        assertThat(got.unprocessedKeys()).isEmpty();

        node.client.batchWriteItem(r -> r.requestItems(Map.of("Pairs", List.of(
                WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(keys.get(0)).build()).build()))));
        assertThat(node.client.getItem(r -> r.tableName("Pairs").key(keys.get(0)).consistentRead(true)).hasItem()).isFalse();
    }

    @Test
    void batchLimitsAndDuplicates() {
        List<WriteRequest> tooMany = new ArrayList<>();
        for (int i = 0; i < 26; i++) {
            tooMany.add(WriteRequest.builder().putRequest(PutRequest.builder().item(Map.of("pk", s("k" + i))).build()).build());
        }
        assertThatThrownBy(() -> node.client.batchWriteItem(r -> r.requestItems(Map.of("Items", tooMany))))
                .hasMessageContaining("Member must have length less than or equal to 25");
        WriteRequest dup = WriteRequest.builder().putRequest(PutRequest.builder().item(Map.of("pk", s("dup"))).build()).build();
        assertThatThrownBy(() -> node.client.batchWriteItem(r -> r.requestItems(Map.of("Items", List.of(dup, dup)))))
                .hasMessageContaining("Provided list of item keys contains duplicates");
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int i = 0; i < 101; i++) keys.add(Map.of("pk", s("k" + i)));
        assertThatThrownBy(() -> node.client.batchGetItem(r -> r.requestItems(Map.of("Items",
                KeysAndAttributes.builder().keys(keys).build()))))
                .hasMessageContaining("Too many items requested for the BatchGetItem call");
        assertThatThrownBy(() -> node.client.batchGetItem(r -> r.requestItems(Map.of("Items",
                KeysAndAttributes.builder().keys(Map.of("pk", s("a")), Map.of("pk", s("a"))).build()))))
                .hasMessageContaining("Provided list of item keys contains duplicates");
    }

    @Test
    void badItemsAreRejected() {
        assertValidation(() -> node.client.putItem(r -> r.tableName("Items").item(Map.of("other", s("x")))),
                "Missing the key pk in the item");
        assertValidation(() -> node.client.putItem(r -> r.tableName("Items").item(Map.of("pk", n("1")))),
                "Type mismatch for key");
        assertValidation(() -> node.client.putItem(r -> r.tableName("Items").item(Map.of("pk", s("")))),
                "empty string value");
        assertValidation(() -> node.client.putItem(r -> r.tableName("Items").item(Map.of("pk", s("x".repeat(2049))))),
                "2048");
        assertValidation(() -> node.client.putItem(r -> r.tableName("Items").item(Map.of("pk", s("big"), "v", s("x".repeat(410_000))))),
                "Item size has exceeded the maximum allowed size");
        assertValidation(() -> node.client.putItem(r -> r.tableName("Items").item(Map.of("pk", s("n"), "v", n("1E+126")))),
                "Number overflow");
        assertValidation(() -> node.client.putItem(r -> r.tableName("Items").item(Map.of("pk", s("n"), "v", n("1.000000000000000000000000000000000000001")))),
                "38 significant digits");
        assertValidation(() -> node.client.putItem(r -> r.tableName("Items").item(Map.of("pk", s("n"), "v", n("abc")))),
                "cannot be converted into a number");
        assertValidation(() -> node.client.putItem(r -> r.tableName("Items").item(Map.of("pk", s("set"), "v", AttributeValue.fromSs(List.of("a", "a"))))),
                "contains duplicates");
        assertValidation(() -> node.client.getItem(r -> r.tableName("Items").key(Map.of("pk", s("a"), "extra", s("b")))),
                "The provided key element does not match the schema");
        assertThatThrownBy(() -> node.client.getItem(r -> r.tableName("NoSuchTable").key(Map.of("pk", s("a")))))
                .isInstanceOf(ResourceNotFoundException.class);
        // Nesting beyond 32 levels.
        AttributeValue deep = s("leaf");
        for (int i = 0; i < 33; i++) deep = AttributeValue.fromL(List.of(deep));
        AttributeValue tooDeep = deep;
        assertThatThrownBy(() -> node.client.putItem(r -> r.tableName("Items").item(Map.of("pk", s("deep"), "v", tooDeep))))
                .isInstanceOf(DynamoDbException.class);
        // The node keeps serving.
        node.client.putItem(r -> r.tableName("Items").item(Map.of("pk", s("after-errors"))));
        assertThat(node.client.getItem(r -> r.tableName("Items").key(Map.of("pk", s("after-errors"))).consistentRead(true)).hasItem()).isTrue();
    }

    static void assertValidation(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOf(DynamoDbException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((DynamoDbException) e).awsErrorDetails().errorCode()).isEqualTo("ValidationException"));
    }
}
