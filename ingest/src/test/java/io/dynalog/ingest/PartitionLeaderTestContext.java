package io.dynalog.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One partition leader over a fake local replica, a fake WAL appender and a deterministic
 * executor, so that each test is a short script: build, {@link #becomeServing}, write, complete
 * appends, assert. Nothing runs unless the test says so: appends stay pending until
 * {@link #chooseNext} or {@link #failNext}, executor tasks until {@link #drain}.
 */
final class PartitionLeaderTestContext {
    static final long TABLE_ID = 42;
    static final int PARTITION = 3;
    static final String WAL_TOPIC = "dynalog.wal.orders.2a";
    static final int NODE_ID = 7;
    static final long CLOCK_START_MS = 1_700_000_000_000L;

    final FakeLocalReplica replica;
    final FakeWalAppender appender;
    final DeterministicExecutor executor;
    final PartitionLeader leader;
    private long clockMs = CLOCK_START_MS;

    private PartitionLeaderTestContext(Builder b) {
        this.replica = b.replica;
        this.appender = new FakeWalAppender();
        this.executor = new DeterministicExecutor(b.directExecutor);
        this.leader = new PartitionLeader(TABLE_ID, PARTITION, WAL_TOPIC, b.nodeId, replica, appender, executor,
                (task, delayMs) -> executor.execute(task), () -> clockMs);
    }

    static Builder builder() {
        return new Builder();
    }

    static final class Builder {
        private final FakeLocalReplica replica = new FakeLocalReplica(TABLE_ID, PARTITION);
        private int nodeId = NODE_ID;
        private boolean directExecutor;

        Builder withNodeId(int id) {
            nodeId = id;
            return this;
        }

        /** The replica's state before the leader starts: applied up to {@code slot}, chosen at {@code ballot}. */
        Builder withReplicaPosition(long slot, Ballot ballot) {
            replica.setPosition(slot, ballot);
            return this;
        }

        Builder withItem(String name, Map<String, AttributeValue> item) {
            replica.put(IngestFixtures.key(name), item);
            return this;
        }

        /** Runs executor tasks at once, on the caller's thread. */
        Builder withDirectExecutor() {
            directExecutor = true;
            return this;
        }

        /** The leader, not started. */
        PartitionLeaderTestContext build() {
            return new PartitionLeaderTestContext(this);
        }

        /** The leader, started and serving (its replica caught up at once). */
        PartitionLeaderTestContext buildServing() {
            PartitionLeaderTestContext ctx = build();
            ctx.becomeServing();
            return ctx;
        }
    }

    // ------------------------------------------------------------------ script steps

    void becomeServing() {
        leader.start();
        drain();
        completeCatchUp();
        assertThat(leader.state()).isEqualTo(PartitionLeader.State.SERVING);
    }

    void completeCatchUp() {
        replica.completeCatchUp();
        drain();
    }

    void drain() {
        executor.drain();
    }

    void advanceClock(long ms) {
        clockMs += ms;
    }

    long clockMs() {
        return clockMs;
    }

    CompletableFuture<WriteOutcome> write(String name, Mutation mutation) {
        return leader.write(IngestFixtures.key(name), mutation);
    }

    /** Kafka acknowledges the oldest pending append; the executor runs what follows. */
    WalEntry chooseNext() {
        WalEntry e = appender.completeNext();
        drain();
        return e;
    }

    /** The oldest pending append fails; the executor runs what follows. */
    WalEntry failNext(Throwable error) {
        WalEntry e = appender.failNext(error);
        drain();
        return e;
    }

    /** The replica applies every acknowledged entry up to {@code slot} and tells the leader. */
    void replicaApplies(long slot) {
        for (WalEntry e : appender.landed()) {
            if (e.slot() > replica.appliedSlot() && e.slot() <= slot) replica.apply(e);
        }
        leader.onApplied(slot);
        drain();
    }

    /** A consistent read, which must complete once the executor drained. */
    Map<String, AttributeValue> consistentGet(String name) {
        CompletableFuture<Map<String, AttributeValue>> f = leader.consistentGet(IngestFixtures.key(name));
        drain();
        assertThat(f).isDone();
        return f.join();
    }

    Ballot ballot() {
        return appender.lastAppended().ballot();
    }
}
