package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.AttributeValueUpdate;
import software.amazon.awssdk.services.dynamodb.model.ExpectedAttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * The same random sequence of operations against Dynalog and against DynamoDB Local, which must
 * give the same results and the same error types, seed after seed: puts, updates with random
 * expressions, conditional writes and deletes, gets, queries and scans with filters and
 * projections, and requests made invalid on purpose.
 *
 * <p>Error messages are not compared (each system words its own); error types and every returned
 * item are. Items compare as values: set members in any order, numbers by value. Scan results
 * compare as sets, since the two systems order partitions differently; Query results compare in
 * order, with their paging keys.
 *
 * <p>{@code -Ddynalog.differential.seeds=N} runs more seeds (default 40) and
 * {@code -Ddynalog.differential.firstSeed=S} starts elsewhere, to replay one seed from a failure.
 */
class DifferentialTest {
    private static final String TABLE = "Differential";
    private static final int STEPS_PER_SEED = 40;

    static TestNode dynalog;
    static DynamoDbClient reference;

    @BeforeAll
    static void start() {
        dynalog = TestNode.start(2);
        dynalog.createTable(TABLE, "pk", ScalarAttributeType.S, "sk", ScalarAttributeType.N);
        reference = DynamoDbLocal.shared().client();
        if (reference.listTables().tableNames().contains(TABLE)) reference.deleteTable(r -> r.tableName(TABLE));
        reference.createTable(r -> r.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(k -> k.attributeName("pk").keyType("HASH"), k -> k.attributeName("sk").keyType("RANGE"))
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("sk").attributeType(ScalarAttributeType.N)));
    }

    @AfterAll
    static void stop() {
        if (reference != null) reference.close();
        if (dynalog != null) dynalog.close();
    }

    @TestFactory
    Stream<DynamicTest> sameResultsAsDynamoDbLocal() {
        long firstSeed = Long.getLong("dynalog.differential.firstSeed", 1);
        int seeds = Integer.getInteger("dynalog.differential.seeds", 40);
        return IntStream.range(0, seeds).mapToObj(i -> firstSeed + i)
                .map(seed -> DynamicTest.dynamicTest("seed " + seed, () -> runSeed(seed)));
    }

    private static void runSeed(long seed) {
        Random random = new Random(seed);
        try {
            for (int step = 0; step < STEPS_PER_SEED; step++) {
                Operation operation = nextOperation(random);
                String expected = operation.run(reference);
                String actual = operation.run(dynalog.client);
                if (!operation.tolerated.test(expected, actual)) {
                    assertThat(actual).as("seed %d step %d: %s", seed, step, operation.description).isEqualTo(expected);
                }
                // The whole table after every step (a few items): a write whose response agrees
                // but whose item does not is caught where it happens.
                assertThat(allItems(dynalog.client)).as("seed %d step %d: the table after %s", seed, step, operation.description)
                        .isEqualTo(allItems(reference));
            }
        } finally {
            // Both tables are emptied for the next seed; a failure here must not hide the seed's own.
            try {
                clear(reference);
                clear(dynalog.client);
            } catch (RuntimeException e) {
                System.err.println("Cannot empty the tables after seed " + seed + ": " + e);
            }
        }
    }

    /** One request, runnable against either system; its outcome in a canonical text form. */
    private static final class Operation {
        final String description;
        final Function<DynamoDbClient, String> call;
        /** What of a successful outcome is compared: all of it, unless a known difference of DynamoDB Local is in it. */
        final Function<String, String> compared;
        /** Outcomes that differ from DynamoDB Local's where DynamoDB Local is known to be wrong: (reference, Dynalog). */
        final java.util.function.BiPredicate<String, String> tolerated;

        Operation(String description, Function<DynamoDbClient, String> call) {
            this(description, call, Function.identity(), (reference, actual) -> false);
        }

        Operation(String description, Function<DynamoDbClient, String> call, Function<String, String> compared) {
            this(description, call, compared, (reference, actual) -> false);
        }

        Operation(String description, Function<DynamoDbClient, String> call, Function<String, String> compared,
                  java.util.function.BiPredicate<String, String> tolerated) {
            this.description = description;
            this.call = call;
            this.compared = compared;
            this.tolerated = tolerated;
        }

        String run(DynamoDbClient client) {
            try {
                return compared.apply(call.apply(client));
            } catch (ConditionalCheckFailedException e) {
                return "ConditionalCheckFailedException" + (e.hasItem() ? " item " + canon(e.item()) : "");
            } catch (DynamoDbException e) {
                return e.awsErrorDetails().errorCode();
            }
        }
    }

    private static Operation nextOperation(Random random) {
        RandomRequests r = new RandomRequests(random, true);
        if (random.nextInt(10) < 3) return legacyOperation(r);
        int kind = random.nextInt(20);
        if (kind < 5) return put(r);
        if (kind < 11) return update(r);
        if (kind < 13) return delete(r);
        if (kind < 15) return get(r);
        if (kind < 18) return query(r);
        return scan(r);
    }

    private static Operation put(RandomRequests r) {
        Map<String, AttributeValue> item = r.item();
        String condition = r.random.nextInt(5) < 2 ? r.spoiled(r.condition(2), r.spoil()) : null;
        ReturnValue returnValues = r.random.nextBoolean() ? ReturnValue.ALL_OLD : ReturnValue.NONE;
        boolean returnOnFailure = r.random.nextBoolean();
        String description = "PutItem " + item + " condition " + condition + " " + r.names + " " + r.values + " " + returnValues;
        return new Operation(description, client -> canon(client.putItem(b -> {
            b.tableName(TABLE).item(item).returnValues(returnValues);
            if (condition != null) b.conditionExpression(condition);
            placeholders(r, b::expressionAttributeNames, b::expressionAttributeValues);
            if (returnOnFailure) b.returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        }).attributes()));
    }

    private static Operation update(RandomRequests r) {
        Map<String, AttributeValue> key = r.key();
        String update = r.spoiled(r.update(), r.spoil());
        String condition = r.random.nextInt(3) == 0 ? r.condition(2) : null;
        ReturnValue returnValues = r.pick(new ReturnValue[] {ReturnValue.NONE, ReturnValue.ALL_OLD, ReturnValue.UPDATED_OLD,
                ReturnValue.ALL_NEW, ReturnValue.UPDATED_NEW});
        String description = "UpdateItem " + key + " update " + update + " condition " + condition + " " + r.names + " "
                + r.values + " " + returnValues;
        // For a nested path, DynamoDB returns only the fragment at the path in UPDATED_OLD and
        // UPDATED_NEW (and nothing for an element appended to a list), as Dynalog does; DynamoDB
        // Local returns the whole top-level attribute. Those outcomes are compared as success
        // only: the item itself is compared by the reads that follow.
        boolean nestedFragment = (returnValues == ReturnValue.UPDATED_OLD || returnValues == ReturnValue.UPDATED_NEW)
                && (update.contains(".") || update.contains("["));
        Function<String, String> compared = nestedFragment ? outcome -> "success" : Function.identity();
        return new Operation(description, client -> canon(client.updateItem(b -> {
            b.tableName(TABLE).key(key).updateExpression(update).returnValues(returnValues);
            if (condition != null) b.conditionExpression(condition);
            placeholders(r, b::expressionAttributeNames, b::expressionAttributeValues);
        }).attributes()), compared);
    }

    private static Operation delete(RandomRequests r) {
        Map<String, AttributeValue> key = r.key();
        String condition = r.random.nextBoolean() ? r.spoiled(r.condition(2), r.spoil()) : null;
        ReturnValue returnValues = r.random.nextBoolean() ? ReturnValue.ALL_OLD : ReturnValue.NONE;
        String description = "DeleteItem " + key + " condition " + condition + " " + r.names + " " + r.values + " " + returnValues;
        return new Operation(description, client -> canon(client.deleteItem(b -> {
            b.tableName(TABLE).key(key).returnValues(returnValues);
            if (condition != null) b.conditionExpression(condition);
            placeholders(r, b::expressionAttributeNames, b::expressionAttributeValues);
        }).attributes()));
    }

    private static Operation get(RandomRequests r) {
        Map<String, AttributeValue> key = r.key();
        String projection = r.random.nextBoolean() ? r.spoiled(r.projection(), r.spoil()) : null;
        String description = "GetItem " + key + " projection " + projection + " " + r.names + " " + r.values;
        return new Operation(description, client -> canon(client.getItem(b -> {
            b.tableName(TABLE).key(key).consistentRead(true);
            if (projection != null) b.projectionExpression(projection);
            if (!r.names.isEmpty()) b.expressionAttributeNames(r.names);
        }).item()));
    }

    private static Operation query(RandomRequests r) {
        String keyCondition = "pk = " + r.value(AttributeValue.fromS("p" + r.random.nextInt(3)));
        switch (r.random.nextInt(4)) {
            case 0: keyCondition += " AND sk " + r.pick(new String[] {"=", "<", "<=", ">", ">="}) + " " + r.value(r.number()); break;
            case 1: keyCondition += " AND sk BETWEEN " + r.value(r.number()) + " AND " + r.value(r.number()); break;
            default: break;
        }
        String filter = r.random.nextBoolean() ? r.condition(2) : null;
        String projection = r.random.nextInt(3) == 0 ? r.projection() : null;
        RandomRequests.Spoil spoil = r.spoil();
        String spoiledFilter = filter == null ? null : r.spoiled(filter, spoil);
        Integer limit = r.random.nextBoolean() ? 1 + r.random.nextInt(4) : null;
        boolean forward = r.random.nextBoolean();
        boolean count = projection == null && r.random.nextInt(6) == 0;
        String finalKeyCondition = keyCondition;
        String description = "Query " + keyCondition + " filter " + spoiledFilter + " projection " + projection + " " + r.names
                + " " + r.values + " limit " + limit + " forward " + forward + " count " + count;
        return new Operation(description, client -> {
            QueryResponse response = client.query(b -> {
                b.tableName(TABLE).keyConditionExpression(finalKeyCondition).consistentRead(true).scanIndexForward(forward);
                if (spoiledFilter != null) b.filterExpression(spoiledFilter);
                if (projection != null) b.projectionExpression(projection);
                if (limit != null) b.limit(limit);
                if (count) b.select(Select.COUNT);
                placeholders(r, b::expressionAttributeNames, b::expressionAttributeValues);
            });
            return queryOutcome(response, limit);
        });
    }

    private static Operation scan(RandomRequests r) {
        String filter = r.random.nextInt(3) > 0 ? r.spoiled(r.condition(2), r.spoil()) : null;
        String projection = r.random.nextInt(3) == 0 ? r.projection() : null;
        String description = "Scan filter " + filter + " projection " + projection + " " + r.names + " " + r.values;
        return new Operation(description, client -> {
            ScanResponse response = client.scan(b -> {
                b.tableName(TABLE).consistentRead(true);
                if (filter != null) b.filterExpression(filter);
                if (projection != null) b.projectionExpression(projection);
                placeholders(r, b::expressionAttributeNames, b::expressionAttributeValues);
            });
            return scanOutcome(response);
        });
    }

    // ---- the legacy (pre-expression) parameters, sometimes mixed with expressions ----

    private static Operation legacyOperation(RandomRequests r) {
        int kind = r.random.nextInt(12);
        if (kind < 3) return legacyPut(r);
        if (kind < 6) return legacyUpdate(r);
        if (kind < 7) return legacyDelete(r);
        if (kind < 8) return legacyGet(r);
        if (kind < 10) return legacyQuery(r);
        return legacyScan(r);
    }

    /**
     * ConditionalOperator: absent, AND or OR. (Not a value outside the enum: DynamoDB Local fails
     * such a request with InternalFailure, where DynamoDB and Dynalog say ValidationException.)
     */
    private static String conditionalOperator(RandomRequests r) {
        int pick = r.random.nextInt(10);
        return pick < 5 ? null : pick < 8 ? "AND" : "OR";
    }

    private static Operation legacyPut(RandomRequests r) {
        Map<String, AttributeValue> item = r.item();
        Map<String, ExpectedAttributeValue> expected = r.random.nextInt(5) > 0 ? r.expected() : null;
        String operator = conditionalOperator(r);
        String mixed = r.random.nextInt(15) == 0 ? "attribute_exists(a)" : null;
        ReturnValue returnValues = r.random.nextBoolean() ? ReturnValue.ALL_OLD : ReturnValue.NONE;
        String description = "PutItem (legacy) " + item + " expected " + expected + " operator " + operator + " mixed " + mixed
                + " " + returnValues;
        return new Operation(description, client -> canon(client.putItem(b -> {
            b.tableName(TABLE).item(item).returnValues(returnValues).expected(expected).conditionalOperator(operator)
                    .conditionExpression(mixed);
        }).attributes()));
    }

    private static Operation legacyDelete(RandomRequests r) {
        Map<String, AttributeValue> key = r.key();
        Map<String, ExpectedAttributeValue> expected = r.random.nextInt(4) > 0 ? r.expected() : null;
        String operator = conditionalOperator(r);
        ReturnValue returnValues = r.random.nextBoolean() ? ReturnValue.ALL_OLD : ReturnValue.NONE;
        String description = "DeleteItem (legacy) " + key + " expected " + expected + " operator " + operator + " " + returnValues;
        return new Operation(description, client -> canon(client.deleteItem(b -> b.tableName(TABLE).key(key)
                .returnValues(returnValues).expected(expected).conditionalOperator(operator)).attributes()));
    }

    private static Operation legacyUpdate(RandomRequests r) {
        Map<String, AttributeValue> key = r.key();
        Map<String, AttributeValueUpdate> updates = r.random.nextInt(10) > 0 ? r.attributeUpdates() : null;
        Map<String, ExpectedAttributeValue> expected = r.random.nextInt(3) == 0 ? r.expected() : null;
        String operator = expected != null ? conditionalOperator(r) : null;
        boolean mixed = r.random.nextInt(15) == 0;
        // Not UPDATED_OLD or UPDATED_NEW without AttributeUpdates: DynamoDB Local fails those with InternalFailure.
        ReturnValue returnValues = updates == null ? r.pick(new ReturnValue[] {ReturnValue.NONE, ReturnValue.ALL_OLD, ReturnValue.ALL_NEW})
                : r.pick(new ReturnValue[] {ReturnValue.NONE, ReturnValue.ALL_OLD, ReturnValue.UPDATED_OLD, ReturnValue.ALL_NEW,
                        ReturnValue.UPDATED_NEW});
        String description = "UpdateItem (legacy) " + key + " updates " + updates + " expected " + expected + " operator " + operator
                + " mixed " + mixed + " " + returnValues;
        return new Operation(description, client -> canon(client.updateItem(b -> {
            b.tableName(TABLE).key(key).attributeUpdates(updates).expected(expected).conditionalOperator(operator).returnValues(returnValues);
            if (mixed) b.updateExpression("SET a = :one").expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1")));
        }).attributes()));
    }

    private static Operation legacyGet(RandomRequests r) {
        Map<String, AttributeValue> key = r.key();
        List<String> attributes = r.attributesToGet();
        String description = "GetItem (legacy) " + key + " attributesToGet " + attributes;
        return new Operation(description, client -> canon(client.getItem(b -> b.tableName(TABLE).key(key).consistentRead(true)
                .attributesToGet(attributes)).item()));
    }

    /**
     * DynamoDB Local answers KeyConditions with an operator that cannot select keys (NE) with
     * InternalFailure; a client error is a ValidationException in DynamoDB, as in Dynalog.
     */
    private static java.util.function.BiPredicate<String, String> nonIndexableKeyOperator(
            Map<String, software.amazon.awssdk.services.dynamodb.model.Condition> keyConditions) {
        boolean nonIndexable = keyConditions.values().stream().anyMatch(c -> "NE".equals(c.comparisonOperatorAsString()));
        return (reference, actual) -> nonIndexable && reference.equals("InternalFailure") && actual.equals("ValidationException");
    }

    private static Operation legacyQuery(RandomRequests r) {
        Map<String, software.amazon.awssdk.services.dynamodb.model.Condition> keyConditions = r.keyConditions("p" + r.random.nextInt(3));
        Map<String, software.amazon.awssdk.services.dynamodb.model.Condition> filter = r.random.nextBoolean() ? r.legacyFilter() : null;
        String operator = conditionalOperator(r);
        List<String> attributes = r.random.nextInt(3) == 0 ? r.attributesToGet() : null;
        String mixedFilter = r.random.nextInt(12) == 0 ? "attribute_exists(a)" : null;
        Integer limit = r.random.nextBoolean() ? 1 + r.random.nextInt(4) : null;
        boolean forward = r.random.nextBoolean();
        String description = "Query (legacy) " + keyConditions + " filter " + filter + " operator " + operator + " attributesToGet "
                + attributes + " filterExpression " + mixedFilter + " limit " + limit + " forward " + forward;
        return new Operation(description, client -> {
            QueryResponse response = client.query(b -> b.tableName(TABLE).keyConditions(keyConditions).queryFilter(filter)
                    .conditionalOperator(operator).attributesToGet(attributes).filterExpression(mixedFilter).limit(limit)
                    .scanIndexForward(forward).consistentRead(true));
            return queryOutcome(response, limit);
        }, Function.identity(), nonIndexableKeyOperator(keyConditions));
    }

    private static Operation legacyScan(RandomRequests r) {
        Map<String, software.amazon.awssdk.services.dynamodb.model.Condition> filter = r.random.nextInt(4) > 0 ? r.legacyFilter() : null;
        String operator = conditionalOperator(r);
        List<String> attributes = r.random.nextInt(3) == 0 ? r.attributesToGet() : null;
        String description = "Scan (legacy) filter " + filter + " operator " + operator + " attributesToGet " + attributes;
        return new Operation(description, client -> {
            ScanResponse response = client.scan(b -> b.tableName(TABLE).scanFilter(filter).conditionalOperator(operator)
                    .attributesToGet(attributes).consistentRead(true));
            return scanOutcome(response);
        });
    }

    /**
     * A read that stops at its Limit may end a page without knowing whether more follows: DynamoDB
     * then returns a LastEvaluatedKey, and DynamoDB Local sometimes leaves it out (when the next item
     * is past the key condition). Both are within the contract, so the key is compared only where
     * the read did not stop at its Limit.
     */
    private static String queryOutcome(QueryResponse response, Integer limit) {
        boolean stoppedAtLimit = limit != null && response.scannedCount() == limit.intValue();
        return "items " + response.items().stream().map(DifferentialTest::canon).collect(Collectors.toList())
                + " count " + response.count() + " scanned " + response.scannedCount() + " last "
                + (stoppedAtLimit ? "(stopped at Limit)" : response.hasLastEvaluatedKey() ? canon(response.lastEvaluatedKey()) : null);
    }

    /** Scan results as a set: the two systems order partitions differently. */
    private static String scanOutcome(ScanResponse response) {
        return "items " + response.items().stream().map(DifferentialTest::canon).sorted().collect(Collectors.toList())
                + " count " + response.count() + " scanned " + response.scannedCount();
    }

    private static void placeholders(RandomRequests r, Function<Map<String, String>, ?> names,
                                     Function<Map<String, AttributeValue>, ?> values) {
        if (!r.names.isEmpty()) names.apply(r.names);
        if (!r.values.isEmpty()) values.apply(r.values);
    }

    private static List<String> allItems(DynamoDbClient client) {
        List<String> items = new ArrayList<>();
        client.scanPaginator(b -> b.tableName(TABLE).consistentRead(true)).items().forEach(item -> items.add(canon(item)));
        items.sort(null);
        return items;
    }

    private static void clear(DynamoDbClient client) {
        client.scanPaginator(b -> b.tableName(TABLE).consistentRead(true)).items()
                .forEach(item -> client.deleteItem(b -> b.tableName(TABLE).key(Map.of("pk", item.get("pk"), "sk", item.get("sk")))));
    }

    // ---- canonical forms ----

    static String canon(Map<String, AttributeValue> item) {
        if (item == null) return "null";
        TreeMap<String, String> sorted = new TreeMap<>();
        item.forEach((name, value) -> sorted.put(name, canon(value)));
        return sorted.toString();
    }

    static String canon(AttributeValue value) {
        switch (value.type()) {
            case S: return "S\"" + value.s() + "\"";
            case N: return "N" + number(value.n());
            case B: return "B" + Base64.getEncoder().encodeToString(value.b().asByteArray());
            case BOOL: return "BOOL" + value.bool();
            case NUL: return "NULL";
            case SS: return "SS" + value.ss().stream().sorted().collect(Collectors.toList());
            case NS: return "NS" + value.ns().stream().map(DifferentialTest::number).sorted().collect(Collectors.toList());
            case BS: return "BS" + value.bs().stream().map(b -> Base64.getEncoder().encodeToString(b.asByteArray())).sorted()
                    .collect(Collectors.toList());
            case L: return "L" + value.l().stream().map(DifferentialTest::canon).collect(Collectors.toList());
            case M: return "M" + canon(value.m());
            default: throw new IllegalArgumentException("Unknown attribute value " + value);
        }
    }

    private static String number(String n) {
        return new BigDecimal(n).stripTrailingZeros().toPlainString();
    }
}
