package io.dynalog.ingest;

import static io.dynalog.ingest.IngestFixtures.item;
import static io.dynalog.ingest.IngestFixtures.key;
import static io.dynalog.ingest.IngestFixtures.version;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.ingest.IngestException.Reason;
import io.dynalog.ingest.PartitionLeader.State;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.WalEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tuple;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Random scripts of writes to a few items, interleaved with WAL acknowledgements (in append order,
 * as Kafka acknowledges one partition), failed suffixes, executor steps, replica progress and
 * catch-ups. A failure fails every append pending or made until the leader catches up again (a
 * failed suffix); that a later append may land after a failed one is
 * {@code PartitionLeaderTest.AppendFailures#anAppendThatLandsAfterAFailedSlotNeverLeavesTwoEntriesForOneSlot}. Invariants, checked as the script runs and once everything settled:
 * <ul>
 *   <li>per item, every write that completed saw as its old image the new image of the write
 *       that completed before it (linearizable per item), and every mutation ran at most once;</li>
 *   <li>the WAL holds increasing slots, never one twice, each entry's old image the previous entry's new image
 *       for its item, ballots never decreasing;</li>
 *   <li>a quiescent serving leader's consistent reads return the last completed write's image, and
 *       its read barrier is passed exactly when the replica applied the whole WAL.</li>
 * </ul>
 */
class PartitionLeaderPropertyTest {
    private static final int KEYS = 3;
    private static final RuntimeException KAFKA_DOWN = new TimeoutException("delivery timeout");

    sealed interface Op {}

    enum WriteKind { INCREMENT, DELETE_IF_PRESENT, INCREMENT_IF_PRESENT, PUT }

    /** A client write to item k{key}. */
    record Write(int key, WriteKind kind) implements Op {}

    /** Kafka acknowledges up to {@code count} pending appends, oldest first. */
    record Ack(int count) implements Op {}

    /** Kafka acknowledges {@code keep} pending appends and fails the rest. */
    record FailSuffix(int keep) implements Op {}

    /** The executor runs its oldest task. */
    record RunOneTask() implements Op {}

    record Drain() implements Op {}

    /** The replica applies up to {@code count} acknowledged entries and tells the leader. */
    record ReplicaApply(int count) implements Op {}

    /** A pending catch-up completes, the replica having applied everything acknowledged. */
    record CatchUp() implements Op {}

    /** Checks consistent reads and the read barrier, when the leader is quiescent and serving. */
    record Check() implements Op {}

    @Provide
    Arbitrary<List<Op>> scripts() {
        Arbitrary<Op> write = Combinators.combine(Arbitraries.integers().between(0, KEYS - 1), Arbitraries.of(WriteKind.class))
                .as(Write::new);
        Arbitrary<Op> ack = Arbitraries.integers().between(1, 3).map(Ack::new);
        Arbitrary<Op> fail = Arbitraries.integers().between(0, 2).map(FailSuffix::new);
        Arbitrary<Op> apply = Arbitraries.integers().between(1, 4).map(ReplicaApply::new);
        return Arbitraries.frequencyOf(
                        Tuple.of(12, write),
                        Tuple.of(6, ack),
                        Tuple.of(1, fail),
                        Tuple.of(4, Arbitraries.<Op>just(new RunOneTask())),
                        Tuple.of(2, Arbitraries.<Op>just(new Drain())),
                        Tuple.of(2, apply),
                        Tuple.of(2, Arbitraries.<Op>just(new CatchUp())),
                        Tuple.of(2, Arbitraries.<Op>just(new Check())))
                .list().ofMinSize(1).ofMaxSize(120).withSizeDistribution(RandomDistribution.uniform());
    }

    @Property(tries = 400)
    void writesAreLinearizablePerItemAndWalSlotsOnlyIncrease(@ForAll("scripts") List<Op> script) {
        new Run().execute(script);
    }

    /** One script's execution and the model it is checked against. */
    private static final class Run {
        final PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder()
                .withItem("k0", item("k0", 5))
                .build();
        final Map<Integer, Map<String, AttributeValue>> lastCompleted = new HashMap<>();
        final List<CompletableFuture<WriteOutcome>> writes = new ArrayList<>();
        final List<int[]> resolutions = new ArrayList<>();
        final List<AssertionError> violations = new ArrayList<>();

        Run() {
            lastCompleted.put(0, item("k0", 5));
        }

        void execute(List<Op> script) {
            ctx.leader.start();
            for (Op op : script) {
                step(op);
                throwViolations();
            }
            settle();
            checkFinal();
            Statistics.label("recovered after a failed append")
                    .collect(ctx.appender.appended().size() > ctx.appender.landed().size());
            Statistics.label("entries in the WAL").collect(Math.min(ctx.appender.landed().size() / 10 * 10, 40));
        }

        private void step(Op op) {
            if (op instanceof Write w) {
                write(w);
            } else if (op instanceof Ack a) {
                for (int i = 0; i < a.count() && ctx.appender.inFlight() > 0; i++) ctx.appender.settleNext();
            } else if (op instanceof FailSuffix f) {
                for (int i = 0; i < f.keep() && ctx.appender.inFlight() > 0; i++) ctx.appender.settleNext();
                ctx.appender.failSuffix(KAFKA_DOWN);
            } else if (op instanceof RunOneTask) {
                ctx.executor.runNext();
            } else if (op instanceof Drain) {
                ctx.drain();
            } else if (op instanceof ReplicaApply a) {
                List<WalEntry> landed = ctx.appender.landed();
                for (int i = 0; i < a.count() && appliedCount < landed.size(); i++) {
                    ctx.replica.apply(landed.get(appliedCount++));
                }
                ctx.leader.onApplied(ctx.replica.appliedSlot());
            } else if (op instanceof CatchUp) {
                if (ctx.replica.catchUpPending()) {
                    assertThat(ctx.appender.inFlight()).as("catch-up started with appends in flight").isZero();
                    catchUp();
                }
            } else if (op instanceof Check) {
                checkReads();
            } else {
                throw new IllegalArgumentException("unknown op " + op);
            }
        }

        private void write(Write w) {
            int index = writes.size();
            int[] resolved = new int[1];
            resolutions.add(resolved);
            String name = "k" + w.key();
            Mutation m = current -> {
                resolved[0]++;
                return switch (w.kind()) {
                    case INCREMENT -> Mutation.Result.put(item(name, current == null ? 1 : version(current) + 1));
                    case DELETE_IF_PRESENT -> current == null ? Mutation.Result.unchanged(null) : Mutation.Result.delete();
                    case INCREMENT_IF_PRESENT -> {
                        if (current == null) throw new IllegalStateException("condition failed");
                        yield Mutation.Result.put(item(name, version(current) + 1));
                    }
                    case PUT -> Mutation.Result.put(item(name, 1_000 + index));
                };
            };
            CompletableFuture<WriteOutcome> f = ctx.leader.write(key(name), m);
            writes.add(f);
            f.whenComplete((outcome, error) -> onCompleted(w.key(), outcome, error));
        }

        private void onCompleted(int key, WriteOutcome outcome, Throwable error) {
            try {
                if (error == null) {
                    assertThat(outcome.oldImage()).as("old image of a write to k%d", key).isEqualTo(lastCompleted.get(key));
                    if (outcome.slot() == 0) assertThat(outcome.newImage()).isEqualTo(outcome.oldImage());
                    lastCompleted.put(key, outcome.newImage());
                    return;
                }
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof IngestException ie) {
                    // Our fake WAL drops a failed append: the item is as the last completed write left it.
                    assertThat(ie.reason()).isEqualTo(Reason.OUTCOME_UNKNOWN);
                } else {
                    assertThat(cause).isInstanceOf(IllegalStateException.class).hasMessage("condition failed");
                    assertThat(lastCompleted.get(key)).as("a rejected conditional write saw k%d absent", key).isNull();
                }
            } catch (AssertionError e) {
                violations.add(e);
            }
        }

        /** How many of the landed WAL entries the replica has applied (slots may skip, so not its slot). */
        private int appliedCount;

        /** The leader catches up only once nothing is in flight: the broken suffix has ended. */
        private void catchUp() {
            ctx.appender.heal();
            applyEverythingLanded();
            ctx.replica.completeCatchUp();
        }

        private void applyEverythingLanded() {
            List<WalEntry> landed = ctx.appender.landed();
            while (appliedCount < landed.size()) ctx.replica.apply(landed.get(appliedCount++));
        }

        private void checkReads() {
            if (ctx.executor.pendingTasks() > 0 || ctx.leader.state() != State.SERVING) return;
            for (int k = 0; k < KEYS; k++) {
                CompletableFuture<Map<String, AttributeValue>> get = ctx.leader.consistentGet(key("k" + k));
                assertThat(get).as("a serving leader answers at once").isDone();
                assertThat(get.join()).as("consistent read of k%d", k).isEqualTo(lastCompleted.get(k));
            }
            CompletableFuture<Void> barrier = ctx.leader.readBarrier();
            assertThat(barrier.isDone()).as("barrier passed with the replica at entry %d of %d",
                    appliedCount, ctx.appender.landed().size())
                    .isEqualTo(appliedCount >= ctx.appender.landed().size());
        }

        /** Acknowledges, catches up and drains until nothing is left to do. */
        private void settle() {
            for (int round = 0; round < 1_000; round++) {
                ctx.drain();
                if (ctx.appender.inFlight() > 0) {
                    ctx.appender.settleNext();
                } else if (ctx.replica.catchUpPending()) {
                    catchUp();
                } else if (ctx.executor.pendingTasks() == 0) {
                    throwViolations();
                    return;
                }
            }
            throw new AssertionError("the leader never settled");
        }

        private void checkFinal() {
            assertThat(ctx.leader.state()).isEqualTo(State.SERVING);
            assertThat(writes).as("every write completed").allMatch(CompletableFuture::isDone);
            assertThat(resolutions).as("every mutation resolved exactly once").allMatch(r -> r[0] == 1);

            List<WalEntry> landed = ctx.appender.landed();
            // Slots only increase: a slot whose append failed is never handed out again (the WAL
            // may skip it, which a replica reads as a jump), so no slot holds two entries.
            assertThat(landed).extracting(WalEntry::slot).isSorted().doesNotHaveDuplicates();
            Map<Integer, Map<String, AttributeValue>> images = new HashMap<>();
            images.put(0, item("k0", 5));
            for (int i = 0; i < landed.size(); i++) {
                WalEntry e = landed.get(i);
                int k = new String(e.storeKey()).charAt("key:k".length()) - '0';
                assertThat(e.oldImage()).as("old image of slot %d", e.slot()).isEqualTo(images.get(k));
                images.put(k, e.newImage());
                if (i > 0) assertThat(e.ballot()).isGreaterThanOrEqualTo(landed.get(i - 1).ballot());
            }
            if (ctx.appender.appended().size() == landed.size()) {
                assertThat(ctx.appender.appended()).as("with no failure, everything appended landed").isEqualTo(landed);
            }
            for (int k = 0; k < KEYS; k++) assertThat(images.get(k)).isEqualTo(lastCompleted.get(k));
            checkReads();
        }

        private void throwViolations() {
            if (!violations.isEmpty()) throw violations.get(0);
        }
    }
}
