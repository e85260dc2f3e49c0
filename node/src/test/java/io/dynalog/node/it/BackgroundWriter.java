package io.dynalog.node.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Writes items {@code item-0, item-1, ...} (key attribute {@code id}) to a table, one after the
 * other, on a thread of its own until stopped, keeping what was acknowledged and what failed.
 */
final class BackgroundWriter implements AutoCloseable {
    final List<String> acknowledged = new CopyOnWriteArrayList<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final Thread thread;

    private BackgroundWriter(DynamoDbClient client, String table) {
        thread = new Thread(() -> {
            for (int i = 0; writing.get(); i++) {
                String id = "item-" + i;
                try {
                    client.putItem(r -> r.tableName(table).item(Map.of("id", AttributeValue.fromS(id))));
                    acknowledged.add(id);
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
        }, "writer");
    }

    static BackgroundWriter start(DynamoDbClient client, String table) {
        BackgroundWriter w = new BackgroundWriter(client, table);
        w.thread.start();
        return w;
    }

    /** Stops writing and waits for the write under way. */
    @Override
    public void close() throws InterruptedException {
        writing.set(false);
        thread.join();
    }

    /** The acknowledged items a strongly consistent read through {@code client} does not find. */
    List<String> missing(DynamoDbClient client, String table) {
        return missing(client, table, acknowledged);
    }

    /** The items of {@code ids} a strongly consistent read through {@code client} does not find. */
    static List<String> missing(DynamoDbClient client, String table, List<String> ids) {
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            if (!client.getItem(r -> r.tableName(table).consistentRead(true).key(Map.of("id", AttributeValue.fromS(id)))).hasItem()) {
                missing.add(id);
            }
        }
        return missing;
    }
}
