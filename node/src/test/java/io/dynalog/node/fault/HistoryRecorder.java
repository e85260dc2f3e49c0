package io.dynalog.node.fault;

import io.dynalog.checker.ItemCollectionModel;
import io.dynalog.checker.ItemCollectionModel.Input;
import io.dynalog.checker.ItemCollectionModel.Output;
import io.dynalog.checker.Linearizability;
import io.dynalog.checker.Operation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * The history of a nemesis run: every operation the clients ran, with its partition key, the
 * node it was sent to, its invocation and completion times ({@link System#nanoTime()}), its input
 * and what the client saw, in the form the linearizability checker takes. Thread-safe.
 *
 * <p>Outcomes: a completed operation (its output, ConditionalCheckFailedException included, is a
 * definite answer); an unknown outcome (a write that timed out, failed with a server error or lost
 * its connection: it may or may not have taken effect, at any time after its invocation); a write
 * that was never sent (its connection could not be opened: dropped, it did not happen); a failed
 * read (dropped: it constrains nothing); a test bug (a ValidationException: the test sent
 * something wrong). Counts of each, by operation kind and by error, are kept for the report.
 */
final class HistoryRecorder {

    /** One recorded operation and where it went. */
    record Entry(String pk, int node, String kind, Operation<Input, Output> op) {}

    /** Every attempt, failed ones included, for availability: when it was invoked, whether a write, whether it was answered. */
    record Attempt(long invokeNs, boolean write, boolean answered) {}

    private final ConcurrentLinkedQueue<Entry> entries = new ConcurrentLinkedQueue<>();
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> testBugs = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();

    void completed(String pk, int node, int client, String kind, long invokeNs, long completeNs, Input in, Output out) {
        entries.add(new Entry(pk, node, kind, Operation.completed(client, invokeNs, completeNs, in, out)));
        attempts.add(new Attempt(invokeNs, isWrite(kind), true));
        count(outcomes, kind + " " + outcomeOf(out));
    }

    void unknown(String pk, int node, int client, String kind, long invokeNs, Input in, Throwable cause) {
        entries.add(new Entry(pk, node, kind, Operation.unknown(client, invokeNs, in)));
        attempts.add(new Attempt(invokeNs, true, false));
        count(outcomes, kind + " unknown");
        count(errors, describe(cause));
    }

    /** A write that never reached a server (its connection could not be opened): it did not happen. */
    void notSent(String kind, long invokeNs, Throwable cause) {
        attempts.add(new Attempt(invokeNs, true, false));
        count(outcomes, kind + " not sent (dropped)");
        count(errors, describe(cause));
    }

    void readFailed(String kind, long invokeNs, Throwable cause) {
        attempts.add(new Attempt(invokeNs, false, false));
        count(outcomes, kind + " failed (dropped)");
        count(errors, describe(cause));
    }

    void testBug(String what) {
        testBugs.add(what);
    }

    List<String> testBugs() {
        return List.copyOf(testBugs);
    }

    List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** "writes answered a/b, reads answered c/d" for the attempts invoked in [fromNs, toNs). */
    String availability(long fromNs, long toNs) {
        long[] n = new long[4];
        for (Attempt a : attempts) {
            if (a.invokeNs() < fromNs || a.invokeNs() >= toNs) continue;
            int base = a.write() ? 0 : 2;
            n[base + 1]++;
            if (a.answered()) n[base]++;
        }
        return String.format(Locale.ROOT, "writes answered %d/%d, reads answered %d/%d", n[0], n[1], n[2], n[3]);
    }

    private static boolean isWrite(String kind) {
        return kind.startsWith("put") || kind.startsWith("delete");
    }

    /** Checks the history, each partition key on its own. */
    Linearizability.Report<String, Input, Output> check(Linearizability.Options options) {
        List<Entry> all = entries();
        Map<Operation<Input, Output>, String> pkOf = new IdentityHashMap<>();
        List<Operation<Input, Output>> ops = new ArrayList<>(all.size());
        for (Entry e : all) {
            pkOf.put(e.op(), e.pk());
            ops.add(e.op());
        }
        return Linearizability.checkByKey(ItemCollectionModel.INSTANCE, ops, pkOf::get, options);
    }

    /** "kind outcome=count" lines, sorted. */
    String outcomeCounts() {
        return format(outcomes);
    }

    /** "error=count" lines, sorted. */
    String errorCounts() {
        return format(errors);
    }

    /** Writes one partition key's operations, in invocation order, times in ms since {@code originNs}. */
    void dump(String pk, long originNs, Path file) throws IOException {
        List<Entry> ops = new ArrayList<>();
        for (Entry e : entries) if (e.pk().equals(pk)) ops.add(e);
        ops.sort((a, b) -> Long.compare(a.op().invokeNs(), b.op().invokeNs()));
        List<String> lines = new ArrayList<>();
        for (Entry e : ops) {
            Operation<Input, Output> op = e.op();
            lines.add(String.format(Locale.ROOT, "%10.3f %10s client %4d node %d %s", (op.invokeNs() - originNs) / 1e6,
                    op.isCompleted() ? String.format(Locale.ROOT, "%10.3f", (op.completeNs() - originNs) / 1e6) : "never",
                    op.client(), e.node(), ItemCollectionModel.INSTANCE.describe(op.input(), op.output())));
        }
        Files.write(file, lines);
    }

    private static String outcomeOf(Output out) {
        return out instanceof ItemCollectionModel.ConditionFailed ? "condition-failed" : "ok";
    }

    /** An error as the report counts it: DynamoDB's error code and status, or the client-side exception (and its cause). */
    static String describe(Throwable e) {
        if (e instanceof DynamoDbException d && d.awsErrorDetails() != null) {
            return d.awsErrorDetails().errorCode() + " (" + d.statusCode() + ")";
        }
        if (e instanceof SdkClientException && e.getCause() != null) {
            Throwable root = e.getCause();
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            return e.getClass().getSimpleName() + "/" + root.getClass().getSimpleName();
        }
        return e.getClass().getSimpleName();
    }

    private static void count(Map<String, LongAdder> counts, String key) {
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static String format(Map<String, LongAdder> counts) {
        StringBuilder s = new StringBuilder();
        new TreeMap<>(counts).forEach((k, v) -> s.append("    ").append(k).append(" = ").append(v.sum()).append('\n'));
        return s.toString();
    }
}
