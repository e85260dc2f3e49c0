package io.dynalog.ingest;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;

/** Items, mutations and future helpers shared by the ingest tests. */
final class IngestFixtures {
    private IngestFixtures() {}

    /** A fatal error in a test is a failure of the test: it throws where it is reported. */
    static final FatalErrors FAIL_TEST = (why, cause) -> {
        throw new AssertionError("fatal: " + why, cause);
    };

    static byte[] key(String name) {
        return ("key:" + name).getBytes(StandardCharsets.UTF_8);
    }

    /** An item {pk: S name, v: N version}. */
    static Map<String, AttributeValue> item(String name, long version) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("pk", new AttributeValue.S(name));
        item.put("v", new AttributeValue.N(BigDecimal.valueOf(version)));
        return item;
    }

    static long version(Map<String, AttributeValue> item) {
        return ((AttributeValue.N) item.get("v")).value().longValueExact();
    }

    static Mutation put(Map<String, AttributeValue> item) {
        return current -> Mutation.Result.put(item);
    }

    /** DeleteItem: deletes an existing item, leaves a missing one alone. */
    static Mutation delete() {
        return current -> current == null ? Mutation.Result.unchanged(null) : Mutation.Result.delete();
    }

    /** An update that depends on the current image: v := v + 1 (1 when the item is absent). */
    static Mutation increment(String name) {
        return current -> Mutation.Result.put(item(name, current == null ? 1 : version(current) + 1));
    }

    static Mutation throwing(RuntimeException e) {
        return current -> {
            throw e;
        };
    }

    /** Records every image it was resolved against, then does what {@code then} says. */
    static final class RecordingMutation implements Mutation {
        final List<Map<String, AttributeValue>> seen = new ArrayList<>();
        private final UnaryOperator<Map<String, AttributeValue>> then;

        RecordingMutation(UnaryOperator<Map<String, AttributeValue>> then) {
            this.then = then;
        }

        static RecordingMutation putting(Map<String, AttributeValue> item) {
            return new RecordingMutation(current -> item);
        }

        @Override
        public Result resolve(Map<String, AttributeValue> current) {
            seen.add(current);
            Map<String, AttributeValue> next = then.apply(current);
            return next == null ? Result.delete() : Result.put(next);
        }

        int resolutions() {
            return seen.size();
        }
    }

    static TableDescriptor table(String name, long tableId, int partitions, TableStatus status) {
        return new TableDescriptor(name, tableId, KeySchema.hash("pk", ScalarType.S),
                List.of(new TableDescriptor.AttributeDefinition("pk", ScalarType.S)), "PAY_PER_REQUEST",
                0, 0, partitions, 1_700_000_000_000L, status, "dynalog.wal." + name + "." + Long.toHexString(tableId),
                // Every partition has a replica on each node id the tests use (IngestServiceTest 2, PartitionLeaderTestContext 7).
                java.util.Collections.nCopies(partitions, List.of(1, 2, 7)));
    }

    /** The value of a future that must have completed normally (never blocks a test). */
    static <T> T done(CompletableFuture<T> f) {
        if (!f.isDone() || f.isCompletedExceptionally()) throw new AssertionError("expected a completed future, was " + f);
        return f.join();
    }

    /** The exception a completed future failed with, unwrapped. */
    static Throwable failure(CompletableFuture<?> f) {
        if (!f.isCompletedExceptionally()) throw new AssertionError("expected a failed future, was " + f);
        Throwable e = f.handle((v, error) -> error).join();
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
