package io.dynalog.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.ingest.PartitionReplicaTest.MapReplica;
import io.dynalog.ingest.acceptor.AcceptorStores;
import io.dynalog.ingest.paxos.AcceptorStore;
import io.dynalog.ingest.paxos.InMemoryAcceptorStore;
import io.dynalog.ingest.paxos.PaxosConfig;
import io.dynalog.ingest.paxos.Role;
import io.dynalog.ingest.replication.GroupId;
import io.dynalog.ingest.replication.ReplicationRuntime;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.ingest.testing.ManualTime;
import io.dynalog.ingest.testing.NoPeers;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A partition's leader answers nothing from its view without a live lease, checked when the
 * answer is formed, and nothing waits forever: one node, its runtime driven turn by turn
 * ({@link ReplicationRuntime#runOnce}) on a manual clock, so the lease can be made to lapse
 * between two turns, as a pause of the process would.
 */
class LeaseAtAnswerTest {
    static final PaxosConfig CONFIG = new PaxosConfig(500, 50, 400, 1_000, 64);
    static final KeySchema SCHEMA = KeySchema.hash("pk", ScalarType.S);

    final ManualTime time = new ManualTime(1_000_000);
    final MapReplica replica = new MapReplica();
    final InMemoryAcceptorStore disk = new InMemoryAcceptorStore();
    /** Appends land and are acknowledged at once, unless held. */
    boolean walHeld;
    ReplicationRuntime runtime;
    IngestService ingest;
    TableDescriptor table;

    @BeforeEach
    void leadAndServe() {
        AcceptorStores stores = (tableId, partition, onSynced) -> syncingAtOnce(onSynced);
        runtime = new ReplicationRuntime(1, new NoPeers(), stores, CONFIG, 10, time, new Random(1), IngestFixtures.FAIL_TEST);
        WalAppender wal = new WalAppender() {
            @Override
            public CompletableFuture<Long> append(String walTopic, WalEntry entry) {
                if (walHeld) return new CompletableFuture<>();
                return CompletableFuture.completedFuture(replica.land(entry));
            }

            @Override
            public void close() {}
        };
        ingest = new IngestService(1, replica, wal, Runnable::run, runtime, time, 1_000, Long.MAX_VALUE);
        replica.listener = ingest;
        table = new TableDescriptor("t", 42, SCHEMA, List.of(new TableDescriptor.AttributeDefinition("pk", ScalarType.S)),
                "PAY_PER_REQUEST", 0, 0, 1, 0, TableStatus.ACTIVE, "wal", List.of(List.of(1)));
        CompletableFuture<Void> served = ingest.lead(table);
        runFor(3 * CONFIG.electionTimeoutMs());
        assertThat(served).isCompleted();
        assertThat(ingest.serves(42, 0)).isTrue();
    }

    /** An acceptor store whose syncs complete at the next turn of the loop. */
    AcceptorStore syncingAtOnce(LongConsumer onSynced) {
        return disk.handle(onSynced, (token, done) -> done.run());
    }

    /** Turns of the loop, a millisecond apart, for {@code ms}. */
    void runFor(long ms) {
        for (long end = time.nowMs() + ms; time.nowMs() < end; time.advance(1)) {
            runtime.runOnce();
            runtime.runOnce();
        }
    }

    /** The clock jumps past the lease, as for a process stopped that long: nothing of the node ran meanwhile. */
    void pausePastTheLease() {
        time.advance(CONFIG.leaseDurationMs() + 1);
    }

    static byte[] key(String pk) {
        return io.dynalog.topology.keys.KeyCodec.storeKey(SCHEMA, Map.of("pk", AttributeValue.s(pk)));
    }

    static Mutation ifAbsent(String pk) {
        return current -> {
            if (current != null) throw new ConditionFailedException(null);
            return Mutation.Result.put(Map.of("pk", AttributeValue.s(pk)));
        };
    }

    static Throwable failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        return f.handle((v, e) -> e).join();
    }

    @Test
    void aFailedConditionIsAnsweredOnlyOnceTheLeaseIsBack() {
        ingest.write(table, 0, key("a"), ifAbsent("a"));
        runFor(5);
        pausePastTheLease();
        CompletableFuture<WriteOutcome> refused = ingest.write(table, 0, key("a"), ifAbsent("a"));
        runtime.runOnce(); // the write's turn comes before the timers renew the lease
        assertThat(refused).as("answered from the view without a lease").isNotDone();
        runFor(WalArchiver.NO_LEASE_RETRY_MS + 5);
        assertThat(failure(refused)).isInstanceOf(ConditionFailedException.class);
    }

    @Test
    void aDeleteOfAnAbsentItemIsAnsweredOnlyOnceTheLeaseIsBack() {
        pausePastTheLease();
        CompletableFuture<WriteOutcome> delete = ingest.write(table, 0, key("gone"), IngestFixtures.delete());
        runtime.runOnce();
        assertThat(delete).as("answered from the view without a lease").isNotDone();
        runFor(WalArchiver.NO_LEASE_RETRY_MS + 5);
        assertThat(delete.join().slot()).as("nothing to delete: no slot").isZero();
    }

    @Test
    void aReadBarrierWithoutTheLeaseIsToldToRetry() {
        pausePastTheLease();
        CompletableFuture<ReadLease> barrier = ingest.readBarrier(table, 0);
        runtime.runOnce();
        assertThat(failure(barrier)).isInstanceOfSatisfying(IngestException.class,
                e -> assertThat(e.reason()).isEqualTo(IngestException.Reason.LEADER_UNAVAILABLE));
    }

    @Test
    void aConsistentReadWhoseLeaseLapsedBeforeItsAnswerWasFormedFailsItsCheck() {
        CompletableFuture<ReadLease> barrier = ingest.readBarrier(table, 0);
        runFor(2);
        ReadLease lease = barrier.join();
        lease.check();
        pausePastTheLease(); // the page is read after a pause: another leader may have chosen writes meanwhile
        IngestException lapsed = org.assertj.core.api.Assertions.catchThrowableOfType(IngestException.class, lease::check);
        assertThat(lapsed.reason()).isEqualTo(IngestException.Reason.LEADER_UNAVAILABLE);
    }

    @Test
    void aConsistentGetWithoutTheLeaseIsToldToRetry() {
        pausePastTheLease();
        CompletableFuture<Map<String, AttributeValue>> get = ingest.consistentGet(table, 0, key("a"));
        runtime.runOnce();
        assertThat(failure(get)).isInstanceOfSatisfying(IngestException.class,
                e -> assertThat(e.reason()).isEqualTo(IngestException.Reason.LEADER_UNAVAILABLE));
    }

    @Test
    void aWriteWaitingForTheLeaseGivesUpAtItsDeadlineUnapplied() {
        pausePastTheLease();
        CompletableFuture<WriteOutcome> write = ingest.write(table, 0, key("b"), ifAbsent("b"));
        runtime.runOnce();
        assertThat(write).isNotDone();
        // The lease does not come back before the write's deadline (the clock jumps again: the
        // timers that would renew it did not run): it gives up, nothing applied, and may be retried.
        time.advance(PartitionReplica.WAIT_DEADLINE_MS);
        runFor(PartitionReplica.EXPIRY_SWEEP_MS + 1);
        assertThat(failure(write)).isInstanceOfSatisfying(IngestException.class,
                e -> assertThat(e.reason()).isEqualTo(IngestException.Reason.LEADER_UNAVAILABLE));
        assertThat(ingest.consistentGet(table, 0, key("b")).join()).as("not applied").isNull();
    }

    @Test
    void aNewLeaderThatCannotCatchUpGivesTheLeadershipUpAndItsWaitsEnd() {
        ingest.write(table, 0, key("b"), ifAbsent("b")); // in the WAL, and reported archived
        runFor(5);
        walHeld = true;
        ingest.write(table, 0, key("c"), ifAbsent("c")); // chosen, and never reaches the WAL
        runFor(5);
        // The member starts again (as after a crash) with a replica that lost what it had applied
        // (rebuilt from nothing): it cannot serve until that replica has read the archived slot
        // from the WAL, which never happens. (A replica that had applied every archived slot would
        // let it serve at once, from its view.)
        GroupId group = new GroupId(42, 0);
        runtime.leave(group);
        runFor(1);
        MapReplica rebuilt = new MapReplica();
        IngestService again = new IngestService(1, rebuilt, new WalAppender() {
            @Override
            public CompletableFuture<Long> append(String walTopic, WalEntry entry) {
                return new CompletableFuture<>();
            }

            @Override
            public void close() {}
        }, Runnable::run, runtime, time, 1_000, Long.MAX_VALUE);
        rebuilt.listener = again;
        again.lead(table);
        runFor(3 * CONFIG.electionTimeoutMs());
        assertThat(role(group)).isEqualTo(Role.LEADER);
        assertThat(again.serves(42, 0)).isFalse();

        CompletableFuture<WriteOutcome> queued = again.write(table, 0, key("d"), ifAbsent("d"));
        CompletableFuture<Map<String, AttributeValue>> read = again.consistentGet(table, 0, key("d"));
        runFor(PartitionReplica.WAIT_DEADLINE_MS + PartitionReplica.EXPIRY_SWEEP_MS + 1);
        assertThat(failure(queued)).as("a queued write: not applied, retry").isInstanceOfSatisfying(IngestException.class,
                e -> assertThat(e.reason()).isEqualTo(IngestException.Reason.LEADER_UNAVAILABLE));
        assertThat(failure(read)).as("a read waiting for SERVING").isInstanceOfSatisfying(IngestException.class,
                e -> assertThat(e.reason()).isEqualTo(IngestException.Reason.LEADER_UNAVAILABLE));

        runFor(PartitionReplica.RECOVERY_DEADLINE_MS - PartitionReplica.WAIT_DEADLINE_MS);
        assertThat(role(group)).as("resigned after the recovery deadline").isEqualTo(Role.FOLLOWER);
    }

    Role role(GroupId group) {
        CompletableFuture<ReplicationRuntime.MemberStatus> status = runtime.status(group);
        runtime.runOnce();
        return status.join().role();
    }
}
