package io.dynalog.ingest;

import static io.dynalog.ingest.IngestFixtures.delete;
import static io.dynalog.ingest.IngestFixtures.done;
import static io.dynalog.ingest.IngestFixtures.failure;
import static io.dynalog.ingest.IngestFixtures.item;
import static io.dynalog.ingest.IngestFixtures.key;
import static io.dynalog.ingest.IngestFixtures.put;
import static io.dynalog.ingest.IngestFixtures.throwing;
import static io.dynalog.ingest.PartitionLeaderTestContext.CLOCK_START_MS;
import static io.dynalog.ingest.PartitionLeaderTestContext.NODE_ID;
import static io.dynalog.ingest.PartitionLeaderTestContext.PARTITION;
import static io.dynalog.ingest.PartitionLeaderTestContext.TABLE_ID;
import static io.dynalog.ingest.PartitionLeaderTestContext.WAL_TOPIC;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.ingest.IngestException.Reason;
import io.dynalog.ingest.IngestFixtures.RecordingMutation;
import io.dynalog.ingest.PartitionLeader.State;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** {@link PartitionLeader}, scripted through {@link PartitionLeaderTestContext}. */
class PartitionLeaderTest {
    private static final RuntimeException KAFKA_DOWN = new TimeoutException("Expiring 1 record(s): delivery timeout");

    private static Consumer<Throwable> ingestFailure(Reason reason) {
        return e -> assertThat(e).isInstanceOfSatisfying(IngestException.class, ie -> assertThat(ie.reason()).isEqualTo(reason));
    }

    @Nested
    class Recovery {
        @Test
        void servesOnlyAfterTheReplicaCaughtUp() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().build();
            assertThat(ctx.leader.state()).isEqualTo(State.RECOVERING);
            CompletableFuture<Void> serving = ctx.leader.whenServing();

            ctx.leader.start();
            ctx.drain();
            assertThat(ctx.replica.catchUpCalls()).isEqualTo(1);
            assertThat(ctx.leader.state()).isEqualTo(State.RECOVERING);
            assertThat(serving).isNotDone();

            ctx.replica.completeCatchUp();
            assertThat(serving).as("the caught-up callback runs on the executor").isNotDone();
            ctx.drain();
            assertThat(ctx.leader.state()).isEqualTo(State.SERVING);
            assertThat(serving).isCompleted();
            assertThat(ctx.leader.whenServing()).isCompleted();
        }

        @Test
        void startingTwiceCatchesUpOnce() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().build();
            ctx.leader.start();
            ctx.leader.start();
            ctx.drain();
            assertThat(ctx.replica.catchUpCalls()).isEqualTo(1);
        }

        @Test
        void nextSlotFollowsTheAppliedSlotAndTheBallotOutranksTheReplicas() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder()
                    .withReplicaPosition(17, new Ballot(4, 9))
                    .buildServing();

            ctx.write("a", put(item("a", 1)));

            WalEntry e = ctx.appender.lastAppended();
            assertThat(e.slot()).isEqualTo(18);
            assertThat(e.ballot()).isEqualTo(new Ballot(5, NODE_ID));
            assertThat(e.ballot().isAbove(new Ballot(4, 9))).isTrue();
        }

        @Test
        void anEmptyPartitionStartsAtSlotOneWithRoundOne() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().withNodeId(3).buildServing();
            ctx.write("a", put(item("a", 1)));
            assertThat(ctx.appender.lastAppended().slot()).isEqualTo(1);
            assertThat(ctx.appender.lastAppended().ballot()).isEqualTo(new Ballot(1, 3));
        }

        @Test
        void writesQueuedWhileRecoveringAreResolvedOnceItServes() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder()
                    .withReplicaPosition(5, new Ballot(2, 1))
                    .withItem("a", item("a", 1))
                    .build();
            ctx.leader.start();
            RecordingMutation first = RecordingMutation.putting(item("a", 2));
            RecordingMutation second = RecordingMutation.putting(item("a", 3));
            RecordingMutation other = RecordingMutation.putting(item("b", 1));
            CompletableFuture<WriteOutcome> w1 = ctx.write("a", first);
            CompletableFuture<WriteOutcome> w2 = ctx.write("a", second);
            CompletableFuture<WriteOutcome> wb = ctx.write("b", other);
            ctx.drain();
            assertThat(first.resolutions() + second.resolutions() + other.resolutions()).isZero();
            assertThat(ctx.appender.appended()).isEmpty();

            ctx.completeCatchUp();

            assertThat(first.seen).containsExactly(item("a", 1));
            assertThat(other.seen).containsExactly((Map<String, AttributeValue>) null);
            assertThat(second.resolutions()).as("behind the first write to a").isZero();
            assertThat(ctx.appender.appended()).extracting(WalEntry::slot).containsExactlyInAnyOrder(6L, 7L);

            ctx.chooseNext();
            ctx.chooseNext();
            assertThat(second.seen).containsExactly(item("a", 2));
            ctx.chooseNext();
            assertThat(done(w1).newImage()).isEqualTo(item("a", 2));
            assertThat(done(wb).oldImage()).isNull();
            assertThat(done(w2)).isEqualTo(new WriteOutcome(item("a", 2), item("a", 3), 8));
        }

        @Test
        void aFailedCatchUpIsRetried() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().build();
            ctx.leader.start();
            CompletableFuture<WriteOutcome> w = ctx.write("a", put(item("a", 1)));

            ctx.replica.failCatchUp(new IllegalStateException("consumer fenced"));
            ctx.drain();
            assertThat(ctx.leader.state()).isEqualTo(State.RECOVERING);
            assertThat(ctx.replica.catchUpCalls()).isEqualTo(2);

            ctx.completeCatchUp();
            assertThat(ctx.leader.state()).isEqualTo(State.SERVING);
            ctx.chooseNext();
            assertThat(done(w).slot()).isEqualTo(1);
        }

        @Test
        void readsWaitForRecovery() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().withItem("a", item("a", 1)).build();
            ctx.leader.start();
            CompletableFuture<Map<String, AttributeValue>> get = ctx.leader.consistentGet(key("a"));
            CompletableFuture<Void> barrier = ctx.leader.readBarrier();
            ctx.drain();
            assertThat(get).isNotDone();
            assertThat(barrier).isNotDone();

            ctx.completeCatchUp();
            assertThat(get).isCompletedWithValue(item("a", 1));
            assertThat(barrier).isCompleted();
        }
    }

    @Nested
    class Entries {
        @Test
        void slotsAreDenseAndHandedOverInOrder() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder()
                    .withReplicaPosition(10, new Ballot(1, NODE_ID))
                    .buildServing();
            for (String k : List.of("a", "b", "c", "d")) ctx.write(k, put(item(k, 1)));
            ctx.chooseNext();
            ctx.write("a", put(item("a", 2)));
            ctx.write("e", put(item("e", 1)));

            assertThat(ctx.appender.appended()).extracting(WalEntry::slot).containsExactly(11L, 12L, 13L, 14L, 15L, 16L);
            assertThat(ctx.appender.appends()).extracting(FakeWalAppender.Append::topic).containsOnly(WAL_TOPIC);
        }

        @Test
        void aPutCarriesTheItemsAddressBallotAndBothImages() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().withItem("a", item("a", 1)).buildServing();
            ctx.advanceClock(250);

            CompletableFuture<WriteOutcome> w = ctx.write("a", put(item("a", 2)));

            WalEntry e = ctx.appender.lastAppended();
            assertThat(e.tableId()).isEqualTo(TABLE_ID);
            assertThat(e.partition()).isEqualTo(PARTITION);
            assertThat(e.slot()).isEqualTo(1);
            assertThat(e.ballot()).isEqualTo(new Ballot(1, NODE_ID));
            assertThat(e.kind()).isEqualTo(WalEntry.Kind.PUT);
            assertThat(e.storeKey()).isEqualTo(key("a"));
            assertThat(e.newImage()).isEqualTo(item("a", 2));
            assertThat(e.oldImage()).isEqualTo(item("a", 1));
            assertThat(e.timestampMs()).isEqualTo(CLOCK_START_MS + 250);
            assertThat(w).as("acknowledged only when chosen").isNotDone();

            ctx.chooseNext();
            assertThat(w).isCompletedWithValue(new WriteOutcome(item("a", 1), item("a", 2), 1));
        }

        @Test
        void aPutOfANewItemHasNoOldImage() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            CompletableFuture<WriteOutcome> w = ctx.write("a", put(item("a", 1)));
            assertThat(ctx.appender.lastAppended().oldImage()).isNull();
            ctx.chooseNext();
            assertThat(w).isCompletedWithValue(new WriteOutcome(null, item("a", 1), 1));
        }

        @Test
        void deletingAnExistingItemAppendsItsOldImageAndNoNewImage() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().withItem("a", item("a", 4)).buildServing();

            CompletableFuture<WriteOutcome> w = ctx.write("a", delete());

            WalEntry e = ctx.appender.lastAppended();
            assertThat(e.kind()).isEqualTo(WalEntry.Kind.DELETE);
            assertThat(e.newImage()).isNull();
            assertThat(e.oldImage()).isEqualTo(item("a", 4));
            assertThat(e.storeKey()).isEqualTo(key("a"));
            ctx.chooseNext();
            assertThat(w).isCompletedWithValue(new WriteOutcome(item("a", 4), null, 1));
        }

        @Test
        void deletingAMissingItemAppendsNothingAndTakesNoSlot() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();

            CompletableFuture<WriteOutcome> w = ctx.write("a", delete());
            ctx.drain();

            assertThat(ctx.appender.appended()).isEmpty();
            assertThat(w).isCompletedWithValue(new WriteOutcome(null, null, 0));
            ctx.write("b", put(item("b", 1)));
            assertThat(ctx.appender.lastAppended().slot()).as("slot 1 was not used up").isEqualTo(1);
        }

        @Test
        void anUnchangedWriteReportsTheCurrentImageAtSlotZero() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().withItem("a", item("a", 1)).buildServing();
            CompletableFuture<WriteOutcome> w = ctx.write("a", Mutation.Result::unchanged);
            ctx.drain();
            assertThat(ctx.appender.appended()).isEmpty();
            assertThat(w).isCompletedWithValue(new WriteOutcome(item("a", 1), item("a", 1), 0));
        }

        @Test
        void anUnchangedWriteAfterAChosenWriteSeesTheChosenImage() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            ctx.write("a", put(item("a", 1)));
            CompletableFuture<WriteOutcome> noop = ctx.write("a", Mutation.Result::unchanged);
            ctx.drain();
            assertThat(noop).as("waits for the first write like any other").isNotDone();

            ctx.chooseNext();
            assertThat(noop).isCompletedWithValue(new WriteOutcome(item("a", 1), item("a", 1), 0));
        }

        @Test
        void theOutcomeIsCompletedOnTheExecutor() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            CompletableFuture<WriteOutcome> w = ctx.write("a", put(item("a", 1)));
            ctx.appender.completeNext();
            assertThat(w).isNotDone();
            ctx.drain();
            assertThat(w).isCompleted();
        }
    }

    @Nested
    class PerItemSerialisation {
        @Test
        void aSecondWriteToAnItemIsResolvedAgainstTheFirstOnlyOnceTheFirstIsChosen() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().withItem("a", item("a", 1)).buildServing();
            CompletableFuture<WriteOutcome> w1 = ctx.write("a", put(item("a", 2)));
            RecordingMutation second = RecordingMutation.putting(item("a", 3));
            CompletableFuture<WriteOutcome> w2 = ctx.write("a", second);
            ctx.drain();

            assertThat(second.resolutions()).isZero();
            assertThat(ctx.appender.appended()).hasSize(1);
            assertThat(w2).isNotDone();

            ctx.appender.completeNext();
            assertThat(second.resolutions()).as("not before the executor ran the acknowledgement").isZero();
            ctx.drain();

            assertThat(second.seen).containsExactly(item("a", 2));
            assertThat(ctx.appender.lastAppended().oldImage()).isEqualTo(item("a", 2));
            assertThat(ctx.appender.lastAppended().slot()).isEqualTo(2);
            assertThat(done(w1).slot()).isEqualTo(1);
            assertThat(w2).isNotDone();
            ctx.chooseNext();
            assertThat(w2).isCompletedWithValue(new WriteOutcome(item("a", 2), item("a", 3), 2));
        }

        @Test
        void aQueueOfWritesToOneItemRunsOneAtATime() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            List<CompletableFuture<WriteOutcome>> writes = List.of(
                    ctx.write("a", IngestFixtures.increment("a")),
                    ctx.write("a", IngestFixtures.increment("a")),
                    ctx.write("a", delete()),
                    ctx.write("a", IngestFixtures.increment("a")));
            for (int i = 1; i <= 4; i++) {
                assertThat(ctx.appender.inFlight()).isEqualTo(1);
                assertThat(ctx.appender.appended()).hasSize(i);
                ctx.chooseNext();
            }
            assertThat(writes).extracting(CompletableFuture::join).containsExactly(
                    new WriteOutcome(null, item("a", 1), 1),
                    new WriteOutcome(item("a", 1), item("a", 2), 2),
                    new WriteOutcome(item("a", 2), null, 3),
                    new WriteOutcome(null, item("a", 1), 4));
        }

        @Test
        void writesToDifferentItemsArePipelined() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            CompletableFuture<WriteOutcome> wa = ctx.write("a", put(item("a", 1)));
            CompletableFuture<WriteOutcome> wb = ctx.write("b", put(item("b", 1)));
            CompletableFuture<WriteOutcome> wc = ctx.write("c", put(item("c", 1)));

            assertThat(ctx.appender.inFlight()).isEqualTo(3);
            assertThat(ctx.appender.appended()).extracting(e -> new String(e.storeKey()))
                    .containsExactly("key:a", "key:b", "key:c");
            assertThat(List.of(wa, wb, wc)).noneMatch(CompletableFuture::isDone);

            ctx.chooseNext();
            assertThat(wa).isCompleted();
            assertThat(wb).isNotDone();
            ctx.chooseNext();
            ctx.chooseNext();
            assertThat(List.of(wa, wb, wc)).extracting(f -> done(f).slot()).containsExactly(1L, 2L, 3L);
        }

        @Test
        void aDirectExecutorGivesTheSameResults() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().withDirectExecutor().buildServing();
            CompletableFuture<WriteOutcome> w1 = ctx.write("a", IngestFixtures.increment("a"));
            CompletableFuture<WriteOutcome> w2 = ctx.write("a", IngestFixtures.increment("a"));
            CompletableFuture<WriteOutcome> wb = ctx.write("b", IngestFixtures.increment("b"));
            ctx.appender.completeNext();
            ctx.appender.completeNext();
            ctx.appender.completeNext();
            assertThat(w1).isCompletedWithValue(new WriteOutcome(null, item("a", 1), 1));
            assertThat(wb).isCompletedWithValue(new WriteOutcome(null, item("b", 1), 2));
            assertThat(w2).isCompletedWithValue(new WriteOutcome(item("a", 1), item("a", 2), 3));
        }
    }

    @Nested
    class Reads {
        @Test
        void aConsistentGetSeesAChosenWriteTheReplicaHasNotApplied() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().withItem("a", item("a", 1)).buildServing();
            ctx.write("a", put(item("a", 2)));
            assertThat(ctx.consistentGet("a")).as("not chosen yet").isEqualTo(item("a", 1));

            ctx.chooseNext();

            assertThat(ctx.replica.item(key("a"))).isEqualTo(item("a", 1));
            assertThat(ctx.consistentGet("a")).isEqualTo(item("a", 2));
        }

        @Test
        void aConsistentGetSeesNothingAfterAChosenDelete() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().withItem("a", item("a", 1)).buildServing();
            ctx.write("a", delete());
            ctx.chooseNext();
            assertThat(ctx.replica.item(key("a"))).isNotNull();
            assertThat(ctx.consistentGet("a")).isNull();
        }

        @Test
        void appliedEntriesLeaveTheOverlaySoReadsFallThroughToTheReplica() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            ctx.write("a", put(item("a", 1)));
            ctx.chooseNext();
            // A value the leader never wrote tells a replica read from an overlay read.
            ctx.replica.put(key("a"), item("a", 99));
            assertThat(ctx.consistentGet("a")).isEqualTo(item("a", 1));

            ctx.leader.onApplied(1);
            assertThat(ctx.leader.consistentGet(key("a"))).as("trimmed on the executor, not on the replica's thread")
                    .isCompletedWithValue(item("a", 1));
            ctx.drain();

            assertThat(ctx.consistentGet("a")).isEqualTo(item("a", 99));
        }

        @Test
        void manyAppliedNoticesMakeOneTrimUpToTheHighestSlot() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            ctx.write("a", put(item("a", 1)));
            ctx.write("b", put(item("b", 1)));
            ctx.chooseNext();
            ctx.chooseNext();
            ctx.replica.put(key("a"), item("a", 99));
            ctx.replica.put(key("b"), item("b", 99));

            ctx.leader.onApplied(2);
            ctx.leader.onApplied(1);
            ctx.leader.onApplied(2);
            assertThat(ctx.executor.pendingTasks()).isEqualTo(1);
            ctx.drain();

            assertThat(ctx.consistentGet("a")).isEqualTo(item("a", 99));
            assertThat(ctx.consistentGet("b")).isEqualTo(item("b", 99));
            ctx.leader.onApplied(3);
            assertThat(ctx.executor.pendingTasks()).as("a later notice schedules a new trim").isEqualTo(1);
        }

        @Test
        void trimmingUpToAnEarlierSlotKeepsTheItemsLaterChosenImage() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            ctx.write("a", put(item("a", 1)));
            ctx.write("a", put(item("a", 2)));
            ctx.write("b", put(item("b", 1)));
            ctx.chooseNext();
            ctx.chooseNext();
            ctx.chooseNext();

            ctx.replicaApplies(1);

            assertThat(ctx.replica.item(key("a"))).isEqualTo(item("a", 1));
            assertThat(ctx.consistentGet("a")).isEqualTo(item("a", 2));
            assertThat(ctx.consistentGet("b")).isEqualTo(item("b", 1));

            ctx.replicaApplies(3);
            ctx.replica.put(key("a"), item("a", 99));
            ctx.replica.put(key("b"), item("b", 99));
            assertThat(ctx.consistentGet("a")).isEqualTo(item("a", 99));
            assertThat(ctx.consistentGet("b")).isEqualTo(item("b", 99));
        }

        @Test
        void aReadBarrierWaitsForTheReplicaToApplyTheLastChosenSlot() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder()
                    .withReplicaPosition(3, new Ballot(1, 1))
                    .buildServing();
            ctx.write("a", put(item("a", 1)));
            ctx.write("b", put(item("b", 1)));
            ctx.write("c", put(item("c", 1)));
            ctx.chooseNext();
            ctx.chooseNext();

            CompletableFuture<Void> barrier = ctx.leader.readBarrier();
            ctx.drain();
            assertThat(ctx.replica.whenAppliedRequests()).as("slot 6 was not chosen when the barrier was asked for")
                    .containsExactly(5L);
            assertThat(barrier).isNotDone();

            ctx.replicaApplies(4);
            assertThat(barrier).isNotDone();
            ctx.replicaApplies(5);
            assertThat(barrier).isCompleted();
        }

        @Test
        void aReadBarrierWithNothingChosenWaitsForTheRecoveredSlot() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder()
                    .withReplicaPosition(8, new Ballot(2, 1))
                    .buildServing();
            CompletableFuture<Void> barrier = ctx.leader.readBarrier();
            ctx.drain();
            assertThat(ctx.replica.whenAppliedRequests()).containsExactly(8L);
            assertThat(barrier).isCompleted();
        }
    }

    @Nested
    class RejectedMutations {
        @Test
        void aMutationThatThrowsFailsTheWriteAndAppendsNothing() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().withItem("a", item("a", 1)).buildServing();
            IllegalArgumentException conditionFailed = new IllegalArgumentException("The conditional request failed");

            CompletableFuture<WriteOutcome> w = ctx.write("a", throwing(conditionFailed));
            ctx.drain();

            assertThat(failure(w)).isSameAs(conditionFailed);
            assertThat(ctx.appender.appended()).isEmpty();
            assertThat(ctx.leader.state()).isEqualTo(State.SERVING);
        }

        @Test
        void theNextWriteToTheItemProceedsAgainstTheUnchangedImage() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().withItem("a", item("a", 1)).buildServing();
            CompletableFuture<WriteOutcome> w1 = ctx.write("a", put(item("a", 2)));
            CompletableFuture<WriteOutcome> rejected = ctx.write("a", throwing(new IllegalStateException("nope")));
            RecordingMutation third = RecordingMutation.putting(item("a", 3));
            CompletableFuture<WriteOutcome> w3 = ctx.write("a", third);

            ctx.chooseNext();

            assertThat(failure(rejected)).hasMessage("nope");
            assertThat(third.seen).containsExactly(item("a", 2));
            assertThat(ctx.appender.lastAppended().slot()).as("the rejected write took no slot").isEqualTo(2);
            ctx.chooseNext();
            assertThat(done(w1).slot()).isEqualTo(1);
            assertThat(w3).isCompletedWithValue(new WriteOutcome(item("a", 2), item("a", 3), 2));
        }

        @Test
        void aRejectionDuringRecoveryDoesNotBlockOtherItems() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().build();
            ctx.leader.start();
            CompletableFuture<WriteOutcome> rejected = ctx.write("a", throwing(new IllegalStateException("nope")));
            CompletableFuture<WriteOutcome> next = ctx.write("a", put(item("a", 1)));
            CompletableFuture<WriteOutcome> other = ctx.write("b", put(item("b", 1)));

            ctx.completeCatchUp();
            assertThat(failure(rejected)).hasMessage("nope");
            while (ctx.appender.inFlight() > 0) ctx.chooseNext();
            assertThat(done(next).newImage()).isEqualTo(item("a", 1));
            assertThat(done(other).newImage()).isEqualTo(item("b", 1));
        }
    }

    @Nested
    class AppendFailures {
        @Test
        void aFailedAppendFailsItsWriteWithOutcomeUnknownAndTheLeaderRecovers() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            CompletableFuture<WriteOutcome> w = ctx.write("a", put(item("a", 1)));

            ctx.failNext(KAFKA_DOWN);

            assertThat(failure(w)).satisfies(ingestFailure(Reason.OUTCOME_UNKNOWN));
            assertThat(failure(w).getCause()).isSameAs(KAFKA_DOWN);
            assertThat(ctx.leader.state()).isEqualTo(State.RECOVERING);
            assertThat(ctx.replica.catchUpCalls()).isEqualTo(2);
            assertThat(ctx.leader.whenServing()).isNotDone();
        }

        @Test
        void recoveryWaitsForAppendsInFlightThenServesAtAHigherBallot() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder()
                    .withReplicaPosition(5, new Ballot(3, 1))
                    .buildServing();
            CompletableFuture<WriteOutcome> wa = ctx.write("a", put(item("a", 1)));
            ctx.chooseNext();
            ctx.replicaApplies(6);
            Ballot first = ctx.ballot();
            assertThat(first).isEqualTo(new Ballot(4, NODE_ID));

            CompletableFuture<WriteOutcome> wb = ctx.write("b", put(item("b", 1)));
            CompletableFuture<WriteOutcome> wc = ctx.write("c", put(item("c", 1)));
            ctx.failNext(KAFKA_DOWN);
            assertThat(failure(wb)).satisfies(ingestFailure(Reason.OUTCOME_UNKNOWN));
            assertThat(ctx.leader.state()).isEqualTo(State.RECOVERING);
            assertThat(ctx.replica.catchUpCalls()).as("slot 8 is still in flight").isEqualTo(1);

            RecordingMutation queuedOnA = RecordingMutation.putting(item("a", 2));
            CompletableFuture<WriteOutcome> wa2 = ctx.write("a", queuedOnA);
            CompletableFuture<WriteOutcome> wd = ctx.write("d", put(item("d", 1)));
            CompletableFuture<Map<String, AttributeValue>> get = ctx.leader.consistentGet(key("a"));
            ctx.drain();
            assertThat(ctx.appender.appended()).as("nothing is appended while recovering").hasSize(3);

            ctx.failNext(KAFKA_DOWN);
            assertThat(failure(wc)).satisfies(ingestFailure(Reason.OUTCOME_UNKNOWN));
            assertThat(ctx.replica.catchUpCalls()).isEqualTo(2);
            assertThat(queuedOnA.resolutions()).isZero();
            assertThat(get).isNotDone();

            ctx.completeCatchUp();

            assertThat(ctx.leader.state()).isEqualTo(State.SERVING);
            assertThat(get).isCompletedWithValue(item("a", 1));
            assertThat(queuedOnA.seen).containsExactly(item("a", 1));
            List<WalEntry> recovered = ctx.appender.appended().subList(3, 5);
            // Slots 7 and 8 were handed out (their outcome is unknown): they are never reused.
            assertThat(recovered).extracting(WalEntry::slot).containsExactlyInAnyOrder(9L, 10L);
            assertThat(recovered).extracting(WalEntry::ballot).containsOnly(new Ballot(5, NODE_ID));
            assertThat(recovered.get(0).ballot().isAbove(first)).isTrue();
            ctx.chooseNext();
            ctx.chooseNext();
            assertThat(done(wa).slot()).isEqualTo(6);
            assertThat(done(wa2)).isEqualTo(new WriteOutcome(item("a", 1), item("a", 2), slotOf(ctx, "a", 2)));
            assertThat(done(wd).newImage()).isEqualTo(item("d", 1));
        }

        @Test
        void aWriteAcknowledgedWhileRecoveringSucceedsAndItsSuccessorSeesItThroughTheReplica() {
            // The node's executor is a pool: the failure of slot 2 may be handled before the
            // acknowledgement of slot 1, which then arrives while recovering.
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            CompletableFuture<WriteOutcome> wa = ctx.write("a", put(item("a", 1)));
            CompletableFuture<WriteOutcome> wb = ctx.write("b", put(item("b", 1)));
            RecordingMutation a2 = RecordingMutation.putting(item("a", 2));
            CompletableFuture<WriteOutcome> wa2 = ctx.write("a", a2);
            ctx.appender.completeNext();
            ctx.appender.failNext(KAFKA_DOWN);
            assertThat(ctx.executor.pendingTasks()).isEqualTo(2);

            ctx.executor.runTask(1);
            assertThat(ctx.leader.state()).isEqualTo(State.RECOVERING);
            assertThat(ctx.replica.catchUpCalls()).as("slot 1 is still unconfirmed").isEqualTo(1);
            ctx.drain();

            assertThat(wa).isCompletedWithValue(new WriteOutcome(null, item("a", 1), 1));
            assertThat(failure(wb)).satisfies(ingestFailure(Reason.OUTCOME_UNKNOWN));
            assertThat(a2.resolutions()).isZero();
            assertThat(ctx.replica.catchUpCalls()).isEqualTo(2);

            ctx.replicaApplies(1);
            ctx.completeCatchUp();
            assertThat(a2.seen).containsExactly(item("a", 1));
            assertThat(ctx.appender.lastAppended().slot()).as("slot 2 was handed out: never reused").isEqualTo(3);
            ctx.chooseNext();
            assertThat(wa2).isCompletedWithValue(new WriteOutcome(item("a", 1), item("a", 2), 3));
        }

        @Test
        void recoveryDropsTheOverlay() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            ctx.write("a", put(item("a", 1)));
            ctx.chooseNext();
            ctx.write("b", put(item("b", 1)));
            ctx.failNext(KAFKA_DOWN);
            // The replica's catch-up is what the leader now trusts.
            ctx.replicaApplies(1);
            ctx.replica.put(key("a"), item("a", 99));
            ctx.completeCatchUp();
            assertThat(ctx.consistentGet("a")).isEqualTo(item("a", 99));
        }

        @Test
        void aWriteRejectedAfterAFailedAppendDoesNotStopRecovery() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            ctx.write("a", put(item("a", 1)));
            CompletableFuture<WriteOutcome> queued = ctx.write("a", put(item("a", 2)));
            ctx.failNext(KAFKA_DOWN);
            assertThat(queued).as("queued behind the failed write, resolved after recovery").isNotDone();
            ctx.completeCatchUp();
            assertThat(ctx.appender.lastAppended().oldImage()).as("the failed write did not land").isNull();
            ctx.chooseNext();
            assertThat(queued).isCompletedWithValue(new WriteOutcome(null, item("a", 2), 2));
        }

        @Test
        void recoveryAfterAFailedAppendAlwaysRaisesTheBallot() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            ctx.write("a", put(item("a", 1)));
            Ballot before = ctx.ballot();
            ctx.failNext(KAFKA_DOWN);
            ctx.completeCatchUp();

            ctx.write("a", put(item("a", 2)));

            // Slot 1 was written at `before` and its outcome is unknown: it is never reused, and the
            // leader serves at a higher ballot.
            assertThat(ctx.appender.lastAppended().slot()).isEqualTo(2);
            assertThat(ctx.ballot().isAbove(before)).as("ballot %s after %s", ctx.ballot(), before).isTrue();
        }

        @Test
        void aWriteIsResolvedOnceWhenRecoveryOvertakesItsScheduledResolution() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            CompletableFuture<WriteOutcome> wa = ctx.write("a", put(item("a", 1)));
            RecordingMutation a2 = RecordingMutation.putting(item("a", 2));
            CompletableFuture<WriteOutcome> wa2 = ctx.write("a", a2);
            ctx.write("b", put(item("b", 1)));
            ctx.appender.completeNext();
            ctx.executor.runNext(); // slot 1 chosen: schedules "resolve a2" and "complete wa"
            assertThat(ctx.executor.pendingTasks()).isEqualTo(2);

            // Another pool thread handles slot 2's failure and the catch-up before "resolve a2" runs.
            ctx.appender.failNext(KAFKA_DOWN);
            ctx.executor.runLast();
            ctx.replica.apply(ctx.appender.landed().get(0));
            ctx.replica.completeCatchUp();
            ctx.executor.runLast();
            assertThat(ctx.leader.state()).isEqualTo(State.SERVING);
            assertThat(a2.resolutions()).isEqualTo(1);
            ctx.drain();

            assertThat(done(wa).slot()).isEqualTo(1);
            assertThat(a2.resolutions()).isEqualTo(1);
            assertThat(ctx.appender.appended()).filteredOn(e -> Arrays.equals(e.storeKey(), key("a"))).hasSize(2);
            while (ctx.appender.inFlight() > 0) ctx.chooseNext();
            assertThat(done(wa2).slot()).as("slot 2 (b's, failed) is never reused").isEqualTo(3);
        }

        @Test
        void anAppendThatLandsAfterAFailedSlotNeverLeavesTwoEntriesForOneSlot() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            ctx.write("a", put(item("a", 1)));
            CompletableFuture<WriteOutcome> wb = ctx.write("b", put(item("b", 1)));
            ctx.appender.failNext(KAFKA_DOWN);
            ctx.appender.completeNext();
            ctx.drain();
            assertThat(done(wb).slot()).as("reported chosen although slot 1 is missing").isEqualTo(2);

            // Whatever the replica reports, no slot handed out before is handed out again.
            ctx.completeCatchUp();
            ctx.write("c", put(item("c", 1)));
            ctx.write("d", put(item("d", 1)));
            while (ctx.appender.inFlight() > 0) ctx.chooseNext();

            assertThat(ctx.appender.landed()).extracting(WalEntry::slot).doesNotHaveDuplicates();
        }

        private long slotOf(PartitionLeaderTestContext ctx, String name, long version) {
            return ctx.appender.appended().stream()
                    .filter(e -> Arrays.equals(e.storeKey(), key(name)) && item(name, version).equals(e.newImage()))
                    .mapToLong(WalEntry::slot).findFirst().orElseThrow();
        }
    }

    @Nested
    class Overload {
        private static final int MAX = PartitionLeader.MAX_PENDING_WRITES;

        @Test
        void writesBeyondTheLimitAreRefusedUntilOneCompletes() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            CompletableFuture<WriteOutcome> head = ctx.write("a", put(item("a", 0)));
            for (int i = 1; i < MAX; i++) ctx.write(i % 2 == 0 ? "a" : "b" + (i % 7), put(item("a", i)));

            CompletableFuture<WriteOutcome> refused = ctx.write("z", put(item("z", 1)));

            assertThat(failure(refused)).satisfies(ingestFailure(Reason.OVERLOADED));
            assertThat(ctx.appender.appended()).as("a refused write is not resolved").noneMatch(
                    e -> Arrays.equals(e.storeKey(), key("z")));
            ctx.chooseNext();
            assertThat(head).isCompleted();
            assertThat(ctx.write("z", put(item("z", 1)))).isNotCompletedExceptionally();
            assertThat(failure(ctx.write("z", put(item("z", 2))))).satisfies(ingestFailure(Reason.OVERLOADED));
        }

        @Test
        void everyKindOfCompletionReleasesItsPlace() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().withItem("a", item("a", 1)).buildServing();
            ctx.write("a", throwing(new IllegalStateException("rejected")));
            ctx.write("m", delete());
            ctx.write("a", put(item("a", 2)));
            ctx.chooseNext();
            ctx.write("a", put(item("a", 3)));
            ctx.failNext(KAFKA_DOWN);
            ctx.completeCatchUp();

            ctx.drain();

            // Each of the four released its place: the leader takes the full number again.
            for (int i = 0; i < MAX; i++) assertThat(ctx.write("a", put(item("a", 10 + i)))).isNotDone();
            assertThat(failure(ctx.write("r", put(item("r", 1))))).satisfies(ingestFailure(Reason.OVERLOADED));
        }

        @Test
        void writesQueuedWhileRecoveringCount() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().build();
            ctx.leader.start();
            for (int i = 0; i < MAX; i++) ctx.write("q" + (i % 3), put(item("q", i)));
            assertThat(failure(ctx.write("r", put(item("r", 1))))).satisfies(ingestFailure(Reason.OVERLOADED));
        }

        @Test
        void closingReleasesEveryPlace() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            for (int i = 0; i < MAX; i++) ctx.write("a", put(item("a", i)));
            ctx.leader.close();
            assertThat(failure(ctx.write("a", put(item("a", 1))))).satisfies(ingestFailure(Reason.CLOSED));
        }
    }

    @Nested
    class Closing {
        @Test
        void closeFailsPendingAndQueuedWritesAndWaiters() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            CompletableFuture<WriteOutcome> inFlight = ctx.write("a", put(item("a", 1)));
            CompletableFuture<WriteOutcome> queued = ctx.write("a", put(item("a", 2)));

            ctx.leader.close();

            assertThat(ctx.leader.state()).isEqualTo(State.CLOSED);
            // Its entry may be in Kafka already: not CLOSED, which would invite a blind retry.
            assertThat(failure(inFlight)).satisfies(ingestFailure(Reason.OUTCOME_UNKNOWN));
            assertThat(failure(queued)).satisfies(ingestFailure(Reason.CLOSED));
            assertThat(failure(ctx.leader.whenServing())).satisfies(ingestFailure(Reason.CLOSED));
            assertThat(failure(ctx.write("b", put(item("b", 1))))).satisfies(ingestFailure(Reason.CLOSED));
            assertThat(failure(ctx.leader.consistentGet(key("a")))).satisfies(ingestFailure(Reason.CLOSED));
            assertThat(failure(ctx.leader.readBarrier())).satisfies(ingestFailure(Reason.CLOSED));

            ctx.chooseNext();
            assertThat(ctx.leader.state()).isEqualTo(State.CLOSED);
            assertThat(failure(inFlight)).satisfies(ingestFailure(Reason.OUTCOME_UNKNOWN));
            assertThat(ctx.appender.appended()).as("the queued write is never resolved").hasSize(1);
        }

        @Test
        void closeWhileRecoveringFailsWaitersAndQueuedWrites() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().build();
            ctx.leader.start();
            CompletableFuture<Void> serving = ctx.leader.whenServing();
            CompletableFuture<WriteOutcome> queued = ctx.write("a", put(item("a", 1)));
            CompletableFuture<Map<String, AttributeValue>> get = ctx.leader.consistentGet(key("a"));

            ctx.leader.close();

            assertThat(failure(serving)).satisfies(ingestFailure(Reason.CLOSED));
            assertThat(failure(queued)).satisfies(ingestFailure(Reason.CLOSED));
            assertThat(failure(get)).satisfies(ingestFailure(Reason.CLOSED));

            ctx.completeCatchUp();
            assertThat(ctx.leader.state()).as("a late catch-up does not revive it").isEqualTo(State.CLOSED);
            assertThat(ctx.appender.appended()).isEmpty();
        }

        @Test
        void closeIsIdempotent() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            ctx.leader.close();
            ctx.leader.close();
            assertThat(ctx.leader.state()).isEqualTo(State.CLOSED);
        }

        @Test
        void aFailedAppendAfterCloseDoesNotStartRecovery() {
            PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
            CompletableFuture<WriteOutcome> w = ctx.write("a", put(item("a", 1)));
            ctx.leader.close();
            ctx.failNext(KAFKA_DOWN);
            assertThat(ctx.leader.state()).isEqualTo(State.CLOSED);
            assertThat(ctx.replica.catchUpCalls()).isEqualTo(1);
            assertThat(failure(w)).satisfies(ingestFailure(Reason.OUTCOME_UNKNOWN));
        }
    }

    @Test
    void equalStoreKeysInDifferentArraysAreOneItem() {
        PartitionLeaderTestContext ctx = PartitionLeaderTestContext.builder().buildServing();
        byte[] k = key("a");
        ctx.leader.write(k, put(item("a", 1)));
        CompletableFuture<WriteOutcome> second = ctx.leader.write(key("a"), put(item("a", 2)));
        assertThat(ctx.appender.appended()).as("equal keys in different arrays are one item").hasSize(1);
        ctx.chooseNext();
        assertThat(second).isNotDone();
        ctx.chooseNext();
        assertThat(done(second).oldImage()).isEqualTo(item("a", 1));
    }
}
