package io.dynalog.ingest.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.ingest.acceptor.AcceptorStores;
import io.dynalog.ingest.paxos.AcceptorStore;
import io.dynalog.ingest.paxos.InMemoryAcceptorStore;
import io.dynalog.ingest.paxos.PaxosConfig;
import io.dynalog.ingest.paxos.PaxosListener;
import io.dynalog.ingest.paxos.PaxosMember;
import io.dynalog.ingest.paxos.ProposeResult;
import io.dynalog.ingest.paxos.Role;
import io.dynalog.ingest.testing.ManualTime;
import io.dynalog.ingest.testing.NoPeers;
import io.dynalog.topology.wal.Ballot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

/**
 * The replication loop's one failure policy: an exception in a group's code fences that group
 * (its listener told, every later event of it ignored) and restarts it from its durable state with
 * a new listener; other groups go on; a node whose groups keep failing stops.
 */
class FailurePolicyTest {
    final ManualTime time = new ManualTime(5_000_000);
    final List<String> stops = new ArrayList<>();
    final java.util.Map<GroupId, InMemoryAcceptorStore> disks = new java.util.HashMap<>();
    final ReplicationRuntime runtime = new ReplicationRuntime(1, new NoPeers(), stores(), new PaxosConfig(500, 50, 400, 1_000, 64), 10, time, new Random(1), (why, cause) -> stops.add(why));

    AcceptorStores stores() {
        return (tableId, partition, onSynced) -> disks.computeIfAbsent(new GroupId(tableId, partition), g -> new InMemoryAcceptorStore())
                .handle(onSynced, (token, done) -> done.run());
    }

    /** A listener that counts what it hears and throws when told to. */
    final class Listener implements PaxosListener {
        final int incarnation;
        final List<Long> chosen = new ArrayList<>();
        Throwable stoppedBy;
        boolean stopped;
        volatile boolean failOnChosen;

        Listener(int incarnation) {
            this.incarnation = incarnation;
        }

        @Override
        public void onChosen(long slot, byte[] value) {
            if (failOnChosen) throw new IllegalStateException("a bug in group code, at slot " + slot);
            chosen.add(slot);
        }

        @Override
        public void onRoleChanged(Role role, Ballot ballot) {}

        @Override
        public void onLeaderReady(Ballot ballot) {}

        @Override
        public void onStopped(Throwable cause) {
            stopped = true;
            stoppedBy = cause;
        }
    }

    void runFor(long ms) {
        for (long end = time.nowMs() + ms; time.nowMs() < end; time.advance(1)) runtime.runOnce();
    }

    @Test
    void aGroupWhoseCodeThrowsIsFencedAndRestartedFromItsDurableStateWhileOthersGoOn() {
        GroupId failing = new GroupId(1, 0);
        GroupId healthy = new GroupId(2, 0);
        List<Listener> incarnations = new ArrayList<>();
        List<Listener> healthyListeners = new ArrayList<>();
        runtime.join(failing, List.of(1), (slot, ballot) -> ("noop" + slot).getBytes(StandardCharsets.UTF_8), ctx -> {
            Listener l = new Listener(incarnations.size() + 1);
            incarnations.add(l);
            return l;
        });
        runtime.join(healthy, List.of(1), (slot, ballot) -> ("noop" + slot).getBytes(StandardCharsets.UTF_8), ctx -> {
            Listener l = new Listener(1);
            healthyListeners.add(l);
            return l;
        });
        runFor(1_500); // both lead (groups of one)
        runtime.propose(failing, slot -> ("a" + slot).getBytes(StandardCharsets.UTF_8));
        runFor(10);
        assertThat(incarnations.get(0).chosen).isNotEmpty();

        incarnations.get(0).failOnChosen = true;
        runtime.propose(failing, slot -> ("b" + slot).getBytes(StandardCharsets.UTF_8));
        runtime.propose(healthy, slot -> ("c" + slot).getBytes(StandardCharsets.UTF_8));
        runFor(10);
        assertThat(runtime.fencedGroups()).isEqualTo(1);
        assertThat(incarnations.get(0).stopped).isTrue();
        assertThat(incarnations.get(0).stoppedBy).hasMessageContaining("a bug in group code");
        assertThat(healthyListeners.get(0).chosen).as("the other group goes on").containsExactly(1L);
        assertThat(stops).isEmpty();

        runFor(ReplicationRuntime.RESTART_DELAY_MS + 1_500);
        assertThat(incarnations).as("restarted with a new listener").hasSize(2);
        // The new member starts from the durable state: the slot whose delivery failed is chosen (it is durable) and delivered again.
        assertThat(incarnations.get(1).chosen).contains(2L);
    }

    /**
     * A fenced incarnation's context no longer reaches its member: a listener that kept it proposes
     * nothing (its member's store handle may hold writes older than the new member's).
     */
    @Test
    void aFencedIncarnationsContextProposesNothing() {
        GroupId group = new GroupId(4, 0);
        List<ReplicationRuntime.GroupContext> contexts = new ArrayList<>();
        List<Listener> incarnations = new ArrayList<>();
        runtime.join(group, List.of(1), (slot, ballot) -> ("noop" + slot).getBytes(StandardCharsets.UTF_8), ctx -> {
            contexts.add(ctx);
            Listener l = new Listener(incarnations.size() + 1);
            incarnations.add(l);
            return l;
        });
        runFor(1_500);
        assertThat(contexts.get(0).propose(slot -> "a".getBytes(StandardCharsets.UTF_8))).isInstanceOf(ProposeResult.Proposed.class);
        runFor(10);

        incarnations.get(0).failOnChosen = true;
        runtime.propose(group, slot -> "b".getBytes(StandardCharsets.UTF_8));
        runFor(10);
        assertThat(incarnations.get(0).stopped).isTrue();
        assertThat(contexts.get(0).propose(slot -> "late".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new ProposeResult.NotLeader(PaxosMember.NO_LEADER));

        runFor(ReplicationRuntime.RESTART_DELAY_MS + 1_500);
        assertThat(contexts).hasSize(2);
        assertThat(contexts.get(0).propose(slot -> "late".getBytes(StandardCharsets.UTF_8))).isInstanceOf(ProposeResult.NotLeader.class);
        assertThat(contexts.get(1).propose(slot -> "c".getBytes(StandardCharsets.UTF_8))).isInstanceOf(ProposeResult.Proposed.class);
    }

    @Test
    void aNodeWhoseGroupsKeepFailingStops() {
        AtomicInteger started = new AtomicInteger();
        runtime.join(new GroupId(3, 0), List.of(1), (slot, ballot) -> ("noop" + slot).getBytes(StandardCharsets.UTF_8), ctx -> {
            started.incrementAndGet();
            Listener l = new Listener(started.get());
            l.failOnChosen = true; // every incarnation fails as soon as it delivers a slot
            return l;
        });
        runFor(1_500);
        runtime.propose(new GroupId(3, 0), slot -> ("a" + slot).getBytes(StandardCharsets.UTF_8));
        // Each new member recovers that slot, delivers it, and fails again.
        for (int i = 0; i < ReplicationRuntime.MAX_FAILURES + 2 && stops.isEmpty(); i++) runFor(ReplicationRuntime.RESTART_DELAY_MS + 1_500);
        assertThat(stops).singleElement().asString().contains("replica groups failed within");
        assertThat(runtime.fencedGroups()).isEqualTo(ReplicationRuntime.MAX_FAILURES + 1);
    }
}
