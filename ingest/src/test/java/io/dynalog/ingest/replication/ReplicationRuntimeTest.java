package io.dynalog.ingest.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.ingest.acceptor.RocksAcceptorStores;
import io.dynalog.ingest.paxos.PaxosConfig;
import io.dynalog.ingest.paxos.PaxosListener;
import io.dynalog.ingest.paxos.ProposeResult;
import io.dynalog.ingest.paxos.Role;
import io.dynalog.ingest.paxos.Values;
import io.dynalog.ingest.peer.TcpPeerTransport;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import io.dynalog.ingest.FatalErrors;
import io.dynalog.topology.time.Time;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica group of three members, each on its own "node" (its own runtime, TCP transport on
 * loopback and RocksDB acceptor store) in this JVM: election, values chosen in the same order
 * everywhere, the leader stopped and a new one elected, the old one restarted and caught up; a
 * member replaced by a fourth node; a hand-over. Where a test says so, each member reports every
 * slot archived as soon as it learns it, as if the WAL held it at once.
 */
class ReplicationRuntimeTest {
    static final GroupId GROUP = new GroupId(7, 0);
    static final List<Integer> MEMBERS = List.of(1, 2, 3);
    static final Configuration FIRST = Configuration.initial(MEMBERS);
    /** Values are strings; a no-op is "noop-slot", a configuration "config:version:voters:learners". */
    static final Values VALUES = new Values() {
        @Override
        public byte[] noop(long slot, Ballot ballot) {
            return ("noop-" + slot).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] configuration(long slot, Ballot ballot, Configuration next) {
            return ("config:" + next.version() + ":" + ids(next.voters()) + ":" + ids(next.learners())).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Configuration configurationOf(byte[] value) {
            String v = new String(value, StandardCharsets.UTF_8);
            if (!v.startsWith("config:")) return null;
            String[] parts = v.split(":", -1);
            return new Configuration(Long.parseLong(parts[1]), parse(parts[2]), parse(parts[3]));
        }

        private String ids(List<Integer> ids) {
            return String.join(",", ids.stream().map(String::valueOf).toList());
        }

        private List<Integer> parse(String ids) {
            return ids.isEmpty() ? List.of() : java.util.Arrays.stream(ids.split(",")).map(Integer::valueOf).toList();
        }
    };
    static final PaxosConfig CONFIG = new PaxosConfig(300, 30, 200, 1_000, 64);
    static final FatalErrors FAIL_TEST = (why, cause) -> {
        throw new AssertionError("fatal: " + why, cause);
    };

    @TempDir
    Path dir;
    final Vertx vertx = Vertx.vertx();
    final Map<Integer, Node> nodes = new HashMap<>();
    final Map<Integer, Integer> ports = new HashMap<>();
    /** Members report each slot archived as soon as they learn it (a member may then skip slots it never learned). */
    boolean archiveOnDelivery;

    /** One node: its transport, acceptor store, runtime, and what its member delivered. */
    final class Node implements AutoCloseable {
        final int id;
        final TcpPeerTransport transport;
        final RocksAcceptorStores stores;
        final ReplicationRuntime runtime;
        final List<String> chosen = new CopyOnWriteArrayList<>();
        /** The WAL holds every slot through this one, which its member did not deliver. */
        volatile long skippedThrough;

        Node(int id) throws Exception {
            this.id = id;
            transport = TcpPeerTransport.start(vertx, id, "127.0.0.1", ports.getOrDefault(id, 0)).get(5, TimeUnit.SECONDS);
            ports.put(id, transport.port());
            stores = RocksAcceptorStores.open(dir.resolve("node-" + id), FAIL_TEST);
            runtime = new ReplicationRuntime(id, transport, stores, CONFIG, 10, Time.SYSTEM, new Random(id), FAIL_TEST).start();
        }

        void join() {
            runtime.join(GROUP, FIRST, VALUES, ctx -> new PaxosListener() {
                @Override
                public void onChosen(long slot, byte[] value) {
                    chosen.add(slot + "=" + new String(value, StandardCharsets.UTF_8));
                    // As if the WAL held it at once: archived slots leave the acceptors, and the
                    // configurations that governed only them stop counting for elections.
                    if (archiveOnDelivery) ctx.execute(() -> ctx.archived(slot));
                }

                @Override
                public void onDeliverySkipped(long throughSlot) {
                    skippedThrough = throughSlot;
                }

                @Override
                public void onRoleChanged(Role role, Ballot ballot) {}

                @Override
                public void onLeaderReady(Ballot ballot) {}
            }).join();
        }

        /** Asks this node, which leads, to change the configuration, and waits until it knows the change chosen. */
        void change(Configuration next) {
            Awaitility.await("the change to " + next + " proposed").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> runtime.proposeConfiguration(GROUP, next).join() instanceof ProposeResult.Proposed);
            Awaitility.await(next + " chosen").atMost(Duration.ofSeconds(10)).until(() -> next.equals(status().configuration()));
        }

        ReplicationRuntime.MemberStatus status() {
            return runtime.status(GROUP).join();
        }

        @Override
        public void close() {
            runtime.close();
            transport.close();
            stores.close();
        }
    }

    void start(int id) throws Exception {
        Node n = new Node(id);
        nodes.put(id, n);
    }

    /** Starts these nodes, connects them all, and has each join the group. */
    void startAll(List<Integer> ids) throws Exception {
        for (int id : ids) start(id);
        connectAll();
        nodes.values().forEach(Node::join);
    }

    void connectAll() {
        for (Node n : nodes.values()) {
            for (Map.Entry<Integer, Integer> p : ports.entrySet()) n.transport.addPeer(p.getKey(), "127.0.0.1", p.getValue());
        }
    }

    Node awaitLeader() {
        Node[] leader = new Node[1];
        Awaitility.await("a ready leader").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            for (Node n : nodes.values()) {
                ReplicationRuntime.MemberStatus s = n.status();
                if (s != null && s.role() == Role.LEADER && s.leaderReady()) {
                    leader[0] = n;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    List<Long> propose(Node leader, String prefix, int count) {
        List<Long> slots = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String value = prefix + i;
            ProposeResult r = leader.runtime.propose(GROUP, slot -> value.getBytes(StandardCharsets.UTF_8)).join();
            assertThat(r).isInstanceOf(ProposeResult.Proposed.class);
            slots.add(((ProposeResult.Proposed) r).slot());
        }
        return slots;
    }

    /** Waits until every node delivered {@code count} values starting with {@code prefix}. */
    void awaitEveryNodeLearned(String prefix, int count, int seconds) {
        Awaitility.await(count + " values " + prefix + "* at every node").atMost(Duration.ofSeconds(seconds)).until(() ->
                nodes.values().stream().allMatch(n -> values(n.chosen).stream().filter(v -> v.startsWith(prefix)).count() == count));
    }

    static List<String> values(List<String> chosen) {
        return chosen.stream().map(c -> c.substring(c.indexOf('=') + 1)).filter(v -> !v.startsWith("noop") && !v.startsWith("config"))
                .toList();
    }

    @AfterEach
    void stop() {
        nodes.values().forEach(Node::close);
        vertx.close().await();
    }

    @Test
    void aGroupOfThreeChoosesFailsOverAndCatchesUp() throws Exception {
        startAll(MEMBERS);

        Node first = awaitLeader();
        propose(first, "a", 200);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                nodes.values().stream().allMatch(n -> values(n.chosen).size() == 200));
        List<String> reference = nodes.get(1).chosen;
        for (Node n : nodes.values()) assertThat(n.chosen).containsExactlyElementsOf(reference);
        assertThat(values(reference)).startsWith("a0", "a1", "a2").endsWith("a199");

        // The leader stops: the other two elect a new leader and go on.
        int stopped = first.id;
        first.close();
        nodes.remove(stopped);
        Node second = awaitLeader();
        assertThat(second.id).isNotEqualTo(stopped);
        propose(second, "b", 50);
        awaitEveryNodeLearned("b", 50, 10);
        List<List<String>> sequences = nodes.values().stream().map(n -> List.copyOf(n.chosen)).toList();
        assertThat(sequences.get(0)).containsExactlyElementsOf(sequences.get(1));

        // The stopped node comes back with its durable state and learns what it missed.
        start(stopped);
        connectAll();
        nodes.get(stopped).join();
        Node leader = awaitLeader();
        propose(leader, "c", 20);
        awaitEveryNodeLearned("c", 20, 15);
    }

    /**
     * Issue 15, item 1, on real nodes: a fourth node, in no configuration, joins as a learner,
     * catches up, is made a voter, and replaces a member that is then stopped for good; values go
     * on being chosen throughout, the newcomer learns every one of them, and the group then
     * survives the loss of a second original member.
     */
    @Test
    void aMemberIsReplacedWhileTheGroupChooses() throws Exception {
        archiveOnDelivery = true;
        startAll(List.of(1, 2, 3, 4));
        Node leader = awaitLeader();
        propose(leader, "a", 50);
        int replaced = MEMBERS.stream().filter(id -> id != leader.id).findFirst().orElseThrow();

        Configuration withLearner = FIRST.withLearner(4);
        leader.change(withLearner);
        propose(leader, "b", 50);
        Awaitility.await("the learner caught up").atMost(Duration.ofSeconds(10)).until(() -> {
            ReplicationRuntime.MemberStatus s = leader.status();
            return s.followerMatchSlots().getOrDefault(4, -1L) >= s.chosenUpTo();
        });
        Configuration withFour = withLearner.promote(4);
        leader.change(withFour);
        nodes.remove(replaced).close();
        leader.change(withFour.without(replaced));
        propose(leader, "c", 50);
        awaitEveryNodeLearned("c", 50, 10);
        // The newcomer delivered every slot it did not skip as archived (the WAL holds those), each as the leader did.
        Node newcomer = nodes.get(4);
        assertThat(newcomer.chosen).isNotEmpty();
        assertThat(leader.chosen).endsWith(newcomer.chosen.toArray(String[]::new));
        assertThat(newcomer.chosen.get(0)).startsWith((newcomer.skippedThrough + 1) + "=");
        assertThat(newcomer.status().configuration()).isEqualTo(withFour.without(replaced));

        // A second original member goes: the two left (the newcomer one of them) still choose.
        int second = MEMBERS.stream().filter(id -> id != replaced).findFirst().orElseThrow();
        nodes.remove(second).close();
        Node next = awaitLeader();
        propose(next, "d", 20);
        awaitEveryNodeLearned("d", 20, 10);
    }

    /**
     * Issue 15, item 5, on real nodes: the leader hands over to another member, which leads at
     * once (well within an election timeout: it need not wait for the old lease to run out), and
     * every value chosen before is still there, in the same order, at every member.
     */
    @Test
    void aLeaderHandsOverWithinAnElectionTimeout() throws Exception {
        archiveOnDelivery = true;
        startAll(MEMBERS);
        Node leader = awaitLeader();
        propose(leader, "a", 30);
        int target = MEMBERS.stream().filter(id -> id != leader.id).findFirst().orElseThrow();
        long started = System.nanoTime();
        assertThat(leader.runtime.transferLeadership(GROUP, target).join()).isNull();
        Node next = awaitLeader();
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(next.id).isEqualTo(target);
        assertThat(tookMs).as("hand-over time, ms").isLessThan(CONFIG.electionTimeoutMs());
        propose(next, "b", 30);
        awaitEveryNodeLearned("b", 30, 10);
        // The old leader chose every value it had taken before it handed over; every member agrees
        // with it slot by slot (a member may have skipped slots the WAL holds: they were archived).
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 30; i++) expected.add("a" + i);
        for (int i = 0; i < 30; i++) expected.add("b" + i);
        assertThat(values(leader.chosen)).containsExactlyElementsOf(expected);
        for (Node n : nodes.values()) assertThat(leader.chosen).as("node %d", n.id).containsAll(n.chosen);
    }
}
