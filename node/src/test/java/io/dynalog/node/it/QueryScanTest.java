package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** Query and Scan through the AWS SDK: key conditions, order, paging, the 1 MB limit, segments. */
class QueryScanTest {
    static TestNode node;
    /** The sort keys written under partition key "numbers", in numeric order. */
    static final List<BigDecimal> NUMBERS = new ArrayList<>();

    @BeforeAll
    static void start() {
        node = TestNode.start();
        node.createTable("Numbers", "pk", ScalarAttributeType.S, "sk", ScalarAttributeType.N);
        node.createTable("Strings", "pk", ScalarAttributeType.S, "sk", ScalarAttributeType.S);
        node.createTable("Flat", "id", ScalarAttributeType.N, null, null);
        Random random = new Random(42);
        Set<BigDecimal> distinct = new HashSet<>();
        while (distinct.size() < 240) {
            BigDecimal v = switch (random.nextInt(4)) {
                case 0 -> BigDecimal.valueOf(random.nextInt(2000) - 1000);
                case 1 -> BigDecimal.valueOf(random.nextGaussian() * 100).setScale(random.nextInt(6), java.math.RoundingMode.HALF_UP);
                case 2 -> new BigDecimal((random.nextBoolean() ? "-" : "") + (1 + random.nextInt(9)) + "E" + (random.nextInt(250) - 125));
                default -> new BigDecimal("0." + "0".repeat(random.nextInt(20)) + (1 + random.nextInt(999)));
            };
            distinct.add(v.stripTrailingZeros());
        }
        distinct.add(BigDecimal.ZERO);
        NUMBERS.addAll(distinct);
        NUMBERS.sort(Comparator.naturalOrder());
        List<WriteRequest> batch = new ArrayList<>();
        for (BigDecimal n : NUMBERS) {
            batch.add(put(Map.of("pk", AttributeValue.fromS("numbers"), "sk", AttributeValue.fromN(n.toString()))));
            if (batch.size() == 25) flush("Numbers", batch);
        }
        flush("Numbers", batch);
        for (String s : List.of("a", "ab", "abc", "abd", "b", "ba", "\u00e9", "\uD83D\uDE00", "a\u0000", "A")) {
            node.client.putItem(r -> r.tableName("Strings").item(Map.of("pk", AttributeValue.fromS("s"), "sk", AttributeValue.fromS(s))));
        }
        for (int i = 0; i < 500; i++) {
            batch.add(put(Map.of("id", AttributeValue.fromN(Integer.toString(i)), "v", AttributeValue.fromS("x".repeat(100)))));
            if (batch.size() == 25) flush("Flat", batch);
        }
        flush("Flat", batch);
    }

    static WriteRequest put(Map<String, AttributeValue> item) {
        return WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build();
    }

    static void flush(String table, List<WriteRequest> batch) {
        if (batch.isEmpty()) return;
        assertThat(node.client.batchWriteItem(r -> r.requestItems(Map.of(table, List.copyOf(batch)))).unprocessedItems()).isEmpty();
        batch.clear();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static List<BigDecimal> query(String condition, Map<String, AttributeValue> values, boolean forward, Integer limit) {
        List<BigDecimal> result = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        int pages = 0;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = node.client.query(QueryRequest.builder().tableName("Numbers")
                    .keyConditionExpression(condition).expressionAttributeValues(values)
                    .scanIndexForward(forward).limit(limit).exclusiveStartKey(from).consistentRead(true).build());
            page.items().forEach(i -> result.add(new BigDecimal(i.get("sk").n()).stripTrailingZeros()));
            assertThat(page.count()).isEqualTo(page.items().size());
            if (limit != null) assertThat(page.items()).hasSizeLessThanOrEqualTo(limit);
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            pages++;
        } while (start != null && pages < 1000);
        return result;
    }

    static List<BigDecimal> expected(Predicate<BigDecimal> p, boolean forward) {
        List<BigDecimal> e = NUMBERS.stream().filter(p).collect(Collectors.toCollection(ArrayList::new));
        if (!forward) java.util.Collections.reverse(e);
        return e;
    }

    static Map<String, AttributeValue> vals(String... kv) {
        Map<String, AttributeValue> m = new java.util.HashMap<>();
        m.put(":pk", AttributeValue.fromS("numbers"));
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], AttributeValue.fromN(kv[i + 1]));
        return m;
    }

    @Test
    void numbersSortNumericallyInBothDirectionsAcrossPages() {
        for (boolean forward : new boolean[] {true, false}) {
            for (Integer limit : new Integer[] {null, 1, 7, 100}) {
                assertThat(query("pk = :pk", vals(), forward, limit)).containsExactlyElementsOf(expected(n -> true, forward));
            }
        }
    }

    @Test
    void everySortKeyCondition() {
        BigDecimal mid = NUMBERS.get(NUMBERS.size() / 2);
        BigDecimal low = NUMBERS.get(NUMBERS.size() / 4);
        for (boolean forward : new boolean[] {true, false}) {
            assertThat(query("pk = :pk AND sk = :v", vals(":v", mid.toString()), forward, 3))
                    .containsExactly(mid);
            assertThat(query("pk = :pk AND sk < :v", vals(":v", mid.toString()), forward, 9))
                    .containsExactlyElementsOf(expected(n -> n.compareTo(mid) < 0, forward));
            assertThat(query("pk = :pk AND sk <= :v", vals(":v", mid.toString()), forward, null))
                    .containsExactlyElementsOf(expected(n -> n.compareTo(mid) <= 0, forward));
            assertThat(query("pk = :pk AND sk > :v", vals(":v", mid.toString()), forward, 11))
                    .containsExactlyElementsOf(expected(n -> n.compareTo(mid) > 0, forward));
            assertThat(query("sk >= :v AND pk = :pk", vals(":v", mid.toString()), forward, null))
                    .containsExactlyElementsOf(expected(n -> n.compareTo(mid) >= 0, forward));
            assertThat(query("pk = :pk AND sk BETWEEN :a AND :b", vals(":a", low.toString(), ":b", mid.toString()), forward, 5))
                    .containsExactlyElementsOf(expected(n -> n.compareTo(low) >= 0 && n.compareTo(mid) <= 0, forward));
            assertThat(query("pk = :pk AND sk = :v", vals(":v", "123456789.123"), forward, null)).isEmpty();
        }
    }

    @Test
    void beginsWithAndStringOrder() {
        QueryResponse all = node.client.query(r -> r.tableName("Strings").consistentRead(true).keyConditionExpression("#p = :p")
                .expressionAttributeNames(Map.of("#p", "pk")).expressionAttributeValues(Map.of(":p", AttributeValue.fromS("s"))));
        assertThat(all.items()).extracting(i -> i.get("sk").s())
                .containsExactly("A", "a", "a\u0000", "ab", "abc", "abd", "b", "ba", "\u00e9", "\uD83D\uDE00");
        QueryResponse ab = node.client.query(r -> r.tableName("Strings").consistentRead(true).keyConditionExpression("pk = :p AND begins_with(sk, :b)")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("s"), ":b", AttributeValue.fromS("ab"))));
        assertThat(ab.items()).extracting(i -> i.get("sk").s()).containsExactly("ab", "abc", "abd");
        QueryResponse a = node.client.query(r -> r.tableName("Strings").consistentRead(true).keyConditionExpression("pk = :p AND begins_with(sk, :b)")
                .scanIndexForward(false)
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("s"), ":b", AttributeValue.fromS("a"))));
        assertThat(a.items()).extracting(i -> i.get("sk").s()).containsExactly("abd", "abc", "ab", "a\u0000", "a");
    }

    @Test
    void selectCountAndScannedCount() {
        QueryResponse count = node.client.query(r -> r.tableName("Numbers").keyConditionExpression("pk = :pk").consistentRead(true)
                .expressionAttributeValues(vals()).select(Select.COUNT));
        assertThat(count.items()).isEmpty();
        assertThat(count.count()).isEqualTo(NUMBERS.size());
        assertThat(count.scannedCount()).isEqualTo(NUMBERS.size());
    }

    @Test
    void pagesStopAtOneMegabyte() {
        node.createTable("Large", "pk", ScalarAttributeType.S, "sk", ScalarAttributeType.N);
        String blob = "x".repeat(100_000);
        for (int i = 0; i < 25; i++) {
            int sk = i;
            node.client.putItem(r -> r.tableName("Large").item(Map.of("pk", AttributeValue.fromS("p"),
                    "sk", AttributeValue.fromN(Integer.toString(sk)), "blob", AttributeValue.fromS(blob))));
        }
        QueryResponse first = node.client.query(r -> r.tableName("Large").keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("p"))).consistentRead(true));
        // Each item is about 100 KB: the page ends with the item that reaches 1 MB.
        assertThat(first.items()).hasSize(11);
        assertThat(first.lastEvaluatedKey()).containsEntry("sk", AttributeValue.fromN("10"));
        ScanResponse scan = node.client.scan(r -> r.tableName("Large").consistentRead(true));
        assertThat(scan.items()).hasSize(11);
        assertThat(scan.hasLastEvaluatedKey()).isTrue();
    }

    @Test
    void scanPagesThroughEverything() {
        for (Integer limit : new Integer[] {null, 1, 33}) {
            List<String> ids = new ArrayList<>();
            Map<String, AttributeValue> start = null;
            do {
                Map<String, AttributeValue> from = start;
                ScanResponse page = node.client.scan(r -> r.tableName("Flat").limit(limit).exclusiveStartKey(from).consistentRead(true));
                page.items().forEach(i -> ids.add(i.get("id").n()));
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            } while (start != null);
            assertThat(ids).hasSize(500).doesNotHaveDuplicates();
        }
    }

    @Test
    void parallelScanSegmentsPartitionTheTable() {
        for (int total : new int[] {1, 3, 7}) {
            List<String> ids = new ArrayList<>();
            for (int segment = 0; segment < total; segment++) {
                int seg = segment;
                Map<String, AttributeValue> start = null;
                do {
                    Map<String, AttributeValue> from = start;
                    ScanResponse page = node.client.scan(r -> r.tableName("Flat").segment(seg).totalSegments(total)
                            .limit(50).exclusiveStartKey(from).consistentRead(true));
                    page.items().forEach(i -> ids.add(i.get("id").n()));
                    start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
                } while (start != null);
            }
            assertThat(ids).hasSize(500).doesNotHaveDuplicates();
        }
        assertThatThrownBy(() -> node.client.scan(r -> r.tableName("Flat").segment(3).totalSegments(3)))
                .hasMessageContaining("must be less than parameter TotalSegments");
        assertThatThrownBy(() -> node.client.scan(r -> r.tableName("Flat").segment(1)))
                .hasMessageContaining("TotalSegments parameter is required");
    }

    @Test
    void invalidQueries() {
        ItemsTest.assertValidation(() -> node.client.query(r -> r.tableName("Numbers")),
                "Either the KeyConditions or KeyConditionExpression parameter must be specified");
        ItemsTest.assertValidation(() -> node.client.query(r -> r.tableName("Numbers").keyConditionExpression("sk = :v")
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromN("1")))), "Query condition missed key schema element");
        ItemsTest.assertValidation(() -> node.client.query(r -> r.tableName("Numbers").keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("x"), ":unused", AttributeValue.fromS("y")))),
                "unused in expressions");
        ItemsTest.assertValidation(() -> node.client.query(r -> r.tableName("Numbers").keyConditionExpression("pk = :pk AND sk = :v")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("x"), ":v", AttributeValue.fromS("y")))),
                "Condition parameter type does not match schema type");
        ItemsTest.assertValidation(() -> node.client.query(r -> r.tableName("Numbers").keyConditionExpression("pk = :pk")
                .limit(0).expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("x")))),
                "Member must have value greater than or equal to 1");
        ItemsTest.assertValidation(() -> node.client.query(r -> r.tableName("Numbers").keyConditionExpression("pk = = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("x")))),
                "Invalid KeyConditionExpression");
        ItemsTest.assertValidation(() -> node.client.query(r -> r.tableName("Numbers").keyConditionExpression("pk = :pk")
                .exclusiveStartKey(Map.of("pk", AttributeValue.fromS("numbers")))
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("numbers")))),
                "The provided starting key is invalid");
    }

    @Test
    void binarySortKeysOrderAsUnsignedBytes() {
        node.createTable("Bin", "pk", ScalarAttributeType.S, "sk", ScalarAttributeType.B);
        byte[][] values = {{0}, {0, 0}, {1}, {(byte) 0x7F}, {(byte) 0x80}, {(byte) 0xFF}, {(byte) 0xFF, 0}};
        for (int i = values.length - 1; i >= 0; i--) {
            byte[] v = values[i];
            node.client.putItem(r -> r.tableName("Bin").item(Map.of("pk", AttributeValue.fromS("b"),
                    "sk", AttributeValue.fromB(SdkBytes.fromByteArray(v)))));
        }
        QueryResponse all = node.client.query(r -> r.tableName("Bin").keyConditionExpression("pk = :p").consistentRead(true)
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("b"))));
        assertThat(all.items()).extracting(i -> i.get("sk").b().asByteArray()).containsExactly(values);
    }
}
