package io.dynalog.node.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * The bench's tables on the server under test: creates them (on-demand capacity), waits until they
 * are ACTIVE, and deletes the ones it created.
 *
 * <p>A table that already exists with the expected key schema is reused and never deleted, so
 * {@code --table} can point the bench at tables kept from an earlier run.
 */
final class BenchTables {

    static final String PARTITION_KEY = "pk";
    static final String SORT_KEY = "sk";

    private static final Duration ACTIVE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration DESCRIBE_INTERVAL = Duration.ofMillis(100);

    private final DynamoDbClient client;
    private final PrintWriter progress;

    BenchTables(DynamoDbClient client, PrintWriter progress) {
        this.client = client;
        this.progress = progress;
    }

    /**
     * Creates {@code tableName} with a string partition key {@value #PARTITION_KEY} and, if
     * {@code withSortKey}, a number sort key {@value #SORT_KEY}; waits until it is ACTIVE.
     *
     * @return true if this call created the table, false if it existed already
     */
    boolean createAndAwaitActive(String tableName, boolean withSortKey) throws InterruptedException {
        boolean created;
        try {
            client.createTable(b -> {
                b.tableName(tableName).billingMode(BillingMode.PAY_PER_REQUEST);
                if (withSortKey) {
                    b.attributeDefinitions(attribute(PARTITION_KEY, ScalarAttributeType.S), attribute(SORT_KEY, ScalarAttributeType.N))
                        .keySchema(key(PARTITION_KEY, KeyType.HASH), key(SORT_KEY, KeyType.RANGE));
                } else {
                    b.attributeDefinitions(attribute(PARTITION_KEY, ScalarAttributeType.S))
                        .keySchema(key(PARTITION_KEY, KeyType.HASH));
                }
            });
            created = true;
        } catch (ResourceInUseException e) {
            created = false;
        }
        long startNanos = System.nanoTime();
        TableDescription table = awaitActive(tableName);
        requireKeySchema(table, withSortKey);
        progress.printf("%s table %s (%s), ACTIVE after %d ms%n", created ? "created" : "reusing existing", tableName,
            withSortKey ? "pk S, sk N" : "pk S", Duration.ofNanos(System.nanoTime() - startNanos).toMillis());
        progress.flush();
        return created;
    }

    /** Deletes the table, reporting rather than throwing a failure: the results are already printed. */
    void deleteQuietly(String tableName) {
        try {
            client.deleteTable(b -> b.tableName(tableName));
            progress.printf("deleted table %s%n", tableName);
        } catch (RuntimeException e) {
            progress.printf("could not delete table %s: %s%n", tableName, WorkloadRunner.describe(e));
        }
        progress.flush();
    }

    /** Polls DescribeTable until the table is ACTIVE; a table that is not visible yet counts as not active. */
    TableDescription awaitActive(String tableName) throws InterruptedException {
        long deadlineNanos = System.nanoTime() + ACTIVE_TIMEOUT.toNanos();
        TableStatus lastStatus = null;
        while (true) {
            try {
                TableDescription table = client.describeTable(b -> b.tableName(tableName)).table();
                lastStatus = table.tableStatus();
                if (lastStatus == TableStatus.ACTIVE) {
                    return table;
                }
            } catch (ResourceNotFoundException e) {
                lastStatus = null;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                throw new IllegalStateException("Table " + tableName + " is not ACTIVE after " + ACTIVE_TIMEOUT.toSeconds()
                    + " s (last status: " + (lastStatus == null ? "not found" : lastStatus) + ")");
            }
            Thread.sleep(DESCRIBE_INTERVAL.toMillis());
        }
    }

    private static void requireKeySchema(TableDescription table, boolean withSortKey) {
        Map<String, KeyType> keys = table.keySchema().stream()
            .collect(Collectors.toMap(KeySchemaElement::attributeName, KeySchemaElement::keyType));
        Map<String, KeyType> expected = withSortKey
            ? Map.of(PARTITION_KEY, KeyType.HASH, SORT_KEY, KeyType.RANGE)
            : Map.of(PARTITION_KEY, KeyType.HASH);
        if (!keys.equals(expected)) {
            throw new IllegalStateException("Table " + table.tableName() + " exists with key schema " + keys
                + ", the bench needs " + expected + ": choose another --table");
        }
        Set<String> types = table.attributeDefinitions().stream()
            .map(d -> d.attributeName() + ":" + d.attributeTypeAsString()).collect(Collectors.toSet());
        List<String> expectedTypes = withSortKey ? List.of(PARTITION_KEY + ":S", SORT_KEY + ":N") : List.of(PARTITION_KEY + ":S");
        if (!types.containsAll(expectedTypes)) {
            throw new IllegalStateException("Table " + table.tableName() + " has key attribute types " + types
                + ", the bench needs " + expectedTypes + ": choose another --table");
        }
    }

    static AttributeDefinition attribute(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder().attributeName(Objects.requireNonNull(name)).attributeType(type).build();
    }

    static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }
}
