package io.dynalog.ingest.sim;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.dynalog.checker.CheckResult;
import io.dynalog.checker.ItemCollectionModel;
import io.dynalog.checker.ItemCollectionModel.Condition;
import io.dynalog.checker.Linearizability;
import io.dynalog.checker.Operation;
import io.dynalog.ingest.AmnesiaGuard;
import io.dynalog.ingest.ConditionFailedException;
import io.dynalog.ingest.IngestException;
import io.dynalog.ingest.HeldBytesBudget;
import io.dynalog.ingest.IngestService;
import io.dynalog.ingest.Mutation;
import io.dynalog.ingest.ReadLease;
import io.dynalog.ingest.WalAppender;
import io.dynalog.ingest.WriteOutcome;
import io.dynalog.ingest.acceptor.AcceptorStores;
import io.dynalog.ingest.paxos.AcceptorStore;
import io.dynalog.ingest.paxos.InMemoryAcceptorStore;
import io.dynalog.ingest.paxos.PaxosConfig;
import io.dynalog.ingest.paxos.sim.SimClock;
import io.dynalog.ingest.peer.PeerTransport;
import io.dynalog.ingest.replication.GroupId;
import io.dynalog.ingest.replication.ReplicationRuntime;
import io.dynalog.topology.keys.KeyCodec;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.topology.placement.StoreIdentity;
import io.dynalog.topology.time.Time;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import org.slf4j.LoggerFactory;

/**
 * One seeded, deterministic run of the whole write path of a table: three nodes, each with the
 * real {@link ReplicationRuntime} (driven through {@link ReplicationRuntime#runOnce}),
 * {@link IngestService} and partition leaders over it, two partitions whose replica groups share
 * each node's loop, acceptor stores in memory, a simulated network, and a simulated Kafka that
 * fails appends, lands some it reported failed (within the delivery timeout, or, in the ZOMBIES
 * profile, seconds after it: a paused broker that takes a request when it resumes), stops now and
 * then and compacts; each node's replica consumes the WAL as the real one does. Faults: lost,
 * doubled and late messages, partitions (some one way), crashes that lose unsynced writes,
 * process pauses longer than the lease (the clock runs on, the process does nothing), clock
 * drift. Time is a discrete-event loop over true milliseconds; each node reads its own drifting
 * clock.
 *
 * <p>Clients send consistent GetItem and Query, conditional and unconditional puts and deletes
 * on a few keys to any node (the paused and cut-off ones included), and follow leader hints and
 * retry as the API does. Their history is checked for linearizability per partition key with the
 * Wing-Gong-Lowe checker ({@link Linearizability}), over {@link ItemCollectionModel}.
 *
 * <p>Checked: during the run, that the WAL never holds two values for a slot and that no group
 * is ever fenced (an exception in protocol code); at the end (faults stop, everything heals,
 * the run goes on until every partition has been served by one leader for longer than the
 * stale-append window), (1) the history is linearizable, (2) every node's replica holds what the
 * last consistent Query of each key returned, and (3) a replica rebuilt from offset 0 of the
 * fully compacted WAL holds it too: no stale append is what compaction kept.
 */
public final class WritePathSimulation {
    static final long TICK_MS = 5;
    /** Appends land or fail within this after they are issued (the producer's delivery timeout). */
    static final long DELIVERY_TIMEOUT_MS = 800;
    /** A zombie append ({@link SimProfile#walZombieProbability}) lands up to this long after its delivery timeout. */
    static final long MAX_ZOMBIE_DELAY_MS = 3_000;
    /** After the last zombie landed, how long the end waits for the stale records it left to be covered. */
    static final long STALE_TAIL_REPAIR_LIMIT_MS = 5_000;
    /**
     * The WAL compacts only records older than this: in production the point-in-time window (a
     * day or so), far longer than any slot can take to reach the WAL, so that a replica may take a
     * gap before a record that old for one compaction made (and skip it). Here too: longer than a
     * run, so compaction acts on the whole WAL only at the end, before the rebuild check.
     */
    static final long COMPACTION_LAG_MS = 60_000;
    static final int NODES = 3;
    static final int PARTITIONS = 2;
    static final long TABLE_ID = 77;
    static final String TOPIC = "wal";
    static final KeySchema SCHEMA = KeySchema.hashRange("pk", ScalarType.S, "sk", ScalarType.S);
    static final List<String> PKS = List.of("a", "b", "c", "d");
    static final List<String> SKS = List.of("1", "2");
    static final long OP_DEADLINE_MS = 4_000;
    static final long ATTEMPT_TIMEOUT_MS = 1_500;
    /** Longer than a write may wait at a leader before it is applied or given up. */
    static final long QUIET_BEFORE_FINAL_QUERIES_MS = 3_500;
    static final long EPOCH_MS = 1_700_000_000_000L;
    /** How long faults are injected in a normal run, in simulated milliseconds. */
    public static final long DEFAULT_FAULT_PHASE_MS = 4_000;
    private static final long STABILIZE_LIMIT_MS = 60_000;
    private static final int RECENT_EVENTS_KEPT = 60;
    /** Far more than a run needs: past this, something schedules itself without end. */
    private static final long MAX_EVENTS = 2_000_000;

    public record Result(long events, long simulatedMs, int operations, long acknowledgedWrites, long conditionFailures,
                         long unknownOutcomes, Map<String, Integer> faults) {}

    private record Event(long atMs, long seq, String label, Runnable action) {}

    private final long seed;
    private final SimProfile profile;
    private final long faultPhaseMs;
    private final Random random;
    private final PaxosConfig config;
    private final long staleWindowMs;
    private final TableDescriptor table;
    private final SimNode[] nodes = new SimNode[NODES];
    private final SimKafka kafka = new SimKafka();
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) ->
            a.atMs != b.atMs ? Long.compare(a.atMs, b.atMs) : Long.compare(a.seq, b.seq));
    private long nowMs;
    private long seq;
    private long eventNumber;
    private final ArrayDeque<String> recentEvents = new ArrayDeque<>();
    private boolean faultsOn = true;
    private boolean clientsOn = true;
    private long stabilizeStartMs = -1;
    private final boolean[][] cut = new boolean[NODES][NODES];
    private long brokerPausedUntilMs;
    private final Map<String, Integer> faults = new TreeMap<>();
    /** The acceptor-stores topic: the store identity each node recorded. */
    private final Map<Integer, StoreIdentity> recordedStores = new HashMap<>();
    private boolean diskLost;
    /**
     * Items written for the last time during the faults: from then on clients only read them, so
     * the WAL's last record of each is one the faults may have put out of order, and the rebuild
     * from the compacted WAL shows it (a write after the faults would cover a stale record).
     */
    private final Set<String> frozenItems = new HashSet<>();
    /** Zombie appends issued that have not landed yet, and when the last one landed. */
    private int zombiesInFlight;
    private long lastZombieLandedMs;

    // ---- the history ----
    private final List<Operation<ItemCollectionModel.Input, ItemCollectionModel.Output>> history = new ArrayList<>();
    private final Map<String, ItemCollectionModel.Items> finalQueries = new HashMap<>();
    private int clientsBusy;
    private int valueSeq;
    private long acknowledgedWrites;
    private long conditionFailures;
    private long unknownOutcomes;

    private WritePathSimulation(long seed, SimProfile profile, long faultPhaseMs) {
        this.seed = seed;
        this.profile = profile;
        this.faultPhaseMs = faultPhaseMs;
        this.random = new Random(seed);
        this.config = new PaxosConfig(150, 20, 100, profile.clockDriftPpm(), 8, 16 * 1024);
        this.staleWindowMs = config.leaseDurationMs() + DELIVERY_TIMEOUT_MS + 200;
        List<List<Integer>> replicas = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            List<Integer> members = new ArrayList<>(List.of(1, 2, 3));
            java.util.Collections.rotate(members, p);
            replicas.add(members);
        }
        this.table = new TableDescriptor("sim", TABLE_ID, SCHEMA,
                List.of(new TableDescriptor.AttributeDefinition("pk", ScalarType.S), new TableDescriptor.AttributeDefinition("sk", ScalarType.S)),
                "PAY_PER_REQUEST", 0, 0, PARTITIONS, 0, TableStatus.ACTIVE, TOPIC, replicas);
        for (int i = 0; i < NODES; i++) {
            double drift = profile.clockDriftPpm() / 1e6;
            double position = random.nextBoolean() ? (random.nextBoolean() ? 0.5 : -0.5) : random.nextDouble() - 0.5;
            nodes[i] = new SimNode(i + 1, new SimClock(random.nextInt(1_000_000), 1 + position * drift));
        }
    }

    public static Result run(long seed, SimProfile profile) {
        return run(seed, profile, DEFAULT_FAULT_PHASE_MS);
    }

    public static Result run(long seed, SimProfile profile, long faultPhaseMs) {
        Logger dynalog = (Logger) LoggerFactory.getLogger("io.dynalog");
        Level before = dynalog.getLevel();
        dynalog.setLevel(Level.OFF);
        try {
            return new WritePathSimulation(seed, profile, faultPhaseMs).execute();
        } finally {
            dynalog.setLevel(before);
        }
    }

    // ==== the loop =================================================================================

    private Result execute() {
        for (SimNode n : nodes) n.start();
        for (SimNode n : nodes) scheduleConsume(n);
        for (int c = 0; c < profile.clients(); c++) {
            int client = c;
            schedule(random.nextInt(50), "client " + c, () -> nextOperation(client));
        }
        if (profile.meanMsBetweenPartitions() > 0) schedule(exp(profile.meanMsBetweenPartitions()), "partition", this::partition);
        if (profile.meanMsBetweenCrashes() > 0) schedule(exp(profile.meanMsBetweenCrashes()), "crash", this::crashSomeone);
        if (profile.meanMsBetweenPauses() > 0) schedule(exp(profile.meanMsBetweenPauses()), "pause", this::pauseSomeone);
        if (profile.meanMsBetweenBrokerPauses() > 0) schedule(exp(profile.meanMsBetweenBrokerPauses()), "broker pause", this::pauseBroker);
        schedule(exp(profile.meanMsBetweenCompactions()), "compaction", this::compactSome);
        if (profile.meanMsBetweenDiskLosses() > 0) schedule(exp(profile.meanMsBetweenDiskLosses()), "disk loss", this::loseADisk);
        long[] servedSince = new long[PARTITIONS];
        int[] servedBy = new int[PARTITIONS];
        while (true) {
            Event e = queue.poll();
            if (e == null) throw violation("the event queue ran dry", null);
            nowMs = e.atMs();
            eventNumber++;
            recentEvents.addLast("#" + eventNumber + " t=" + nowMs + " " + e.label());
            if (recentEvents.size() > RECENT_EVENTS_KEPT) recentEvents.pollFirst();
            try {
                e.action().run();
            } catch (SimulationViolation v) {
                throw v;
            } catch (RuntimeException | AssertionError ex) {
                throw violation("event threw " + ex, ex);
            }
            if (eventNumber > MAX_EVENTS) throw violation("more than " + MAX_EVENTS + " events: a livelock?", null);
            if (faultsOn && nowMs >= faultPhaseMs) stabilize();
            if (!faultsOn) {
                if (clientsOn && settled(servedSince, servedBy)) {
                    // No new operations; what is still queued at a leader is applied or given up
                    // within its deadline: then the last queries see the final state.
                    clientsOn = false;
                    schedule(QUIET_BEFORE_FINAL_QUERIES_MS, "final queries", this::finalQueries);
                }
                if (!clientsOn && clientsBusy == 0 && finalQueries.size() == PKS.size() && replicasCaughtUp() && zombiesSettled()) break;
                if (nowMs - stabilizeStartMs > STABILIZE_LIMIT_MS) {
                    throw violation("no progress " + STABILIZE_LIMIT_MS + " ms after the faults stopped (final queries "
                            + finalQueries.keySet() + ", clients busy " + clientsBusy + ", served by " + Arrays.toString(servedBy) + ")", null);
                }
            }
        }
        checkEnd();
        return new Result(eventNumber, nowMs, history.size(), acknowledgedWrites, conditionFailures, unknownOutcomes, faults);
    }

    /** True once every partition has had one serving leader for longer than the stale-append window. */
    private boolean settled(long[] servedSince, int[] servedBy) {
        boolean all = true;
        for (int p = 0; p < PARTITIONS; p++) {
            int leader = 0;
            for (SimNode n : nodes) {
                if (n.process != null && n.process.ingest.serves(TABLE_ID, p)) leader = n.id;
            }
            if (leader != servedBy[p]) {
                servedBy[p] = leader;
                servedSince[p] = nowMs;
            }
            all &= leader != 0 && nowMs - servedSince[p] > staleWindowMs + 500;
        }
        return all;
    }

    /**
     * True once every zombie append has landed and the stale records they left are covered (or the
     * repair had its time: the rebuild check then finds what compaction kept).
     */
    private boolean zombiesSettled() {
        if (!repairsStaleTails()) return true;
        if (zombiesInFlight > 0) return false;
        if (nowMs - lastZombieLandedMs > STALE_TAIL_REPAIR_LIMIT_MS) return true;
        for (SimNode n : nodes) {
            for (int p = 0; p < PARTITIONS; p++) {
                if (!n.replica.partition(p).staleTails.isEmpty()) return false;
            }
        }
        return true;
    }

    /**
     * Whether leaders learn of stale WAL records from their replicas and write those items again:
     * only in the profiles with zombie appends. The other profiles check the stale-append window on
     * its own (their named seeds found its bugs), so a bug of either is not hidden by the other.
     */
    private boolean repairsStaleTails() {
        return profile.walZombieProbability() > 0;
    }

    private boolean replicasCaughtUp() {
        for (SimNode n : nodes) {
            for (int p = 0; p < PARTITIONS; p++) {
                SimReplica.PartitionState state = n.replica.partition(p);
                if (state.nextOffset() < kafka.log(TOPIC, p).endOffset() || !state.held.isEmpty()) return false;
            }
        }
        return true;
    }

    private void schedule(long delayMs, String label, Runnable action) {
        queue.add(new Event(nowMs + Math.max(0, delayMs), seq++, label, action));
    }

    /**
     * Work of node {@code n}'s process: while it is paused, it waits until the process resumes; a
     * dead process's never runs. The node's loop runs after it, for what it queued there.
     */
    private void scheduleOn(SimNode n, long delayMs, String label, Runnable action) {
        scheduleOn(n, delayMs, label, action, true);
    }

    private void scheduleOn(SimNode n, long delayMs, String label, Runnable action, boolean thenRunLoop) {
        int incarnation = n.incarnation;
        // What the work came through: on resuming, each source's backlog runs in its order, but
        // the sources race (the threads reading each connection, the timers, the disk).
        String source = label.startsWith("frame ") ? label.substring(0, label.indexOf("->"))
                : label.startsWith("serve ") ? "clients" : label;
        schedule(delayMs, label, new Runnable() {
            @Override
            public void run() {
                if (n.incarnation != incarnation || n.process == null) return;
                if (nowMs < n.pausedUntilMs) {
                    long startsAt = n.pausedUntilMs + n.resumeOffsets.computeIfAbsent(source, k -> (long) random.nextInt(4));
                    queue.add(new Event(Math.max(startsAt, nowMs), seq++, label + " (after pause)", this));
                } else {
                    action.run();
                    if (thenRunLoop) kick(n);
                }
            }
        });
    }

    private long exp(long meanMs) {
        return 1 + (long) (-Math.log(1 - random.nextDouble()) * meanMs);
    }

    private long uniform(long min, long max) {
        return min + (long) (random.nextDouble() * (max - min + 1));
    }

    /** Faults stop: links heal, stopped processes resume, dead ones restart; clients go on until the end. */
    private void stabilize() {
        faultsOn = false;
        stabilizeStartMs = nowMs;
        for (String pk : PKS) {
            for (String sk : SKS) {
                if (random.nextBoolean()) frozenItems.add(pk + "/" + sk);
            }
        }
        for (boolean[] row : cut) Arrays.fill(row, false);
        brokerPausedUntilMs = Math.min(brokerPausedUntilMs, nowMs);
        for (SimNode n : nodes) {
            n.pausedUntilMs = Math.min(n.pausedUntilMs, nowMs);
            if (n.process == null) schedule(uniform(1, 50), "restart " + n.id, n::restart);
        }
    }

    private void fault(String kind) {
        faults.merge(kind, 1, Integer::sum);
    }

    // ==== nodes ====================================================================================

    /** One node: its clock and disks, which outlive its process, and the process while it runs. */
    private final class SimNode {
        final int id;
        final SimClock clock;
        final Time time;
        Map<GroupId, InMemoryAcceptorStore> disks = new HashMap<>();
        /** The acceptor store's identity, and what it decided to refuse (both on its disk). */
        StoreIdentity store;
        long refusesGroupsCreatedBeforeMs = AmnesiaGuard.NEVER;
        final SimReplica replica = new SimReplica(TABLE_ID, COMPACTION_LAG_MS, repairsStaleTails());
        /** Null while the process is dead. */
        Process process;
        int incarnation;
        long pausedUntilMs;
        boolean runScheduled;
        long timerAtMs = Long.MAX_VALUE;
        long lastSyncDoneMs;
        /** How long after a pause ends each source's backlog starts to run (drawn anew for each pause). */
        final Map<String, Long> resumeOffsets = new HashMap<>();
        long[] lastLandMs = new long[PARTITIONS];
        long[] lastAckMs = new long[PARTITIONS];
        final List<PendingAppend> pendingAppends = new ArrayList<>();
        long fencedBefore;

        SimNode(int id, SimClock clock) {
            this.id = id;
            this.clock = clock;
            this.time = new Time() {
                @Override
                public long wallClockMs() {
                    return EPOCH_MS + clock.localMs(nowMs);
                }

                @Override
                public long monotonicNs() {
                    return clock.localMs(nowMs) * 1_000_000L;
                }
            };
            replica.logEnd = p -> kafka.log(TOPIC, p).endOffset();
        }

        void start() {
            incarnation++;
            if (store == null) store = new StoreIdentity(id, "store-" + id + "-" + random.nextLong(), time.wallClockMs());
            // As DynalogNode does before joining any group: check the store against the cluster's record.
            refusesGroupsCreatedBeforeMs = AmnesiaGuard.refusesGroupsCreatedBefore(store, recordedStores.get(id),
                    refusesGroupsCreatedBeforeMs);
            recordedStores.put(id, store);
            process = new Process(this);
            process.ingest.lead(table);
            kick(this);
        }

        void crash() {
            fencedBefore += process.runtime.fencedGroups();
            process = null;
            incarnation++;
            for (InMemoryAcceptorStore disk : disks.values()) disk.crash(random.nextBoolean() ? random.nextInt(4) : 0);
            replica.crash();
            // What the producer had sent may still land; what it only buffered is gone.
            for (PendingAppend a : pendingAppends) {
                if (random.nextBoolean()) a.cancelled = true;
            }
            pendingAppends.clear();
            runScheduled = false;
            timerAtMs = Long.MAX_VALUE;
        }

        void restart() {
            if (process == null) start();
        }

        InMemoryAcceptorStore disk(long tableId, int partition) {
            return disks.computeIfAbsent(new GroupId(tableId, partition), g -> new InMemoryAcceptorStore());
        }
    }

    /** A node's process: its runtime, its write path and what it was told by the network. */
    private final class Process {
        final ReplicationRuntime runtime;
        final IngestService ingest;
        BiConsumer<Integer, byte[]> frames = (from, frame) -> { };

        Process(SimNode n) {
            int incarnation = n.incarnation;
            PeerTransport transport = new PeerTransport() {
                @Override
                public boolean send(int toNodeId, byte[] frame) {
                    if (n.incarnation != incarnation) return false;
                    network(n, toNodeId, frame);
                    return true;
                }

                @Override
                public void onFrame(BiConsumer<Integer, byte[]> handler) {
                    frames = handler;
                }

                @Override
                public void addPeer(int nodeId, String host, int port) {}

                @Override
                public void close() {}
            };
            AcceptorStores stores = (tableId, partition, onSynced) -> storeHandle(n, n.disk(tableId, partition), onSynced);
            runtime = new ReplicationRuntime(n.id, transport, stores, config, TICK_MS, n.time, new Random(random.nextLong()),
                    (why, cause) -> {
                        throw violation("node " + n.id + " stopped: " + why, cause);
                    });
            WalAppender appender = new WalAppender() {
                @Override
                public CompletableFuture<Long> append(String walTopic, WalEntry entry) {
                    return issueAppend(n, entry);
                }

                @Override
                public void close() {}
            };
            ingest = new IngestService(n.id, n.replica, appender, task -> scheduleOn(n, 0, "completion on " + n.id, task),
                    runtime, n.time, staleWindowMs, Long.MAX_VALUE, new AmnesiaGuard(n.refusesGroupsCreatedBeforeMs),
                    HeldBytesBudget.UNLIMITED);
        }
    }

    /** A process's handle on one acceptor disk: its fsyncs complete in order, after a delay. */
    private AcceptorStore storeHandle(SimNode node, InMemoryAcceptorStore disk, LongConsumer onSynced) {
        return disk.handle(onSynced, (token, done) -> {
            long doneAt = Math.max(node.lastSyncDoneMs, nowMs + uniform(0, profile.maxSyncDelayMs()));
            node.lastSyncDoneMs = doneAt;
            scheduleOn(node, doneAt - nowMs, "fsync " + token + " on " + node.id, done);
        });
    }

    /** Runs the node's loop now (once per burst of work), and again when its next timer is due. */
    private void kick(SimNode n) {
        if (n.process == null || n.runScheduled) return;
        n.runScheduled = true;
        scheduleOn(n, 0, "run " + n.id, () -> {
            n.runScheduled = false;
            runLoop(n);
        }, false);
    }

    private void runLoop(SimNode n) {
        Process p = n.process;
        long dueLocal = p.runtime.runOnce();
        if (p.runtime.hasQueuedEvents()) {
            kick(n);
            return;
        }
        long dueTrue = Math.max(nowMs + 1, n.clock.trueMsWhenLocalReaches(dueLocal));
        if (dueTrue < n.timerAtMs) {
            n.timerAtMs = dueTrue;
            scheduleOn(n, dueTrue - nowMs, "timers " + n.id, () -> {
                if (n.timerAtMs != dueTrue) return;
                n.timerAtMs = Long.MAX_VALUE;
                runLoop(n);
            }, false);
        }
    }

    /** The node's replica consumes what landed, a few records at a time, every few milliseconds. */
    private void scheduleConsume(SimNode n) {
        schedule(uniform(1, 4), "consume " + n.id, () -> {
            if (n.process != null && nowMs >= n.pausedUntilMs) {
                for (int p = 0; p < PARTITIONS; p++) {
                    if (n.replica.consume(kafka.log(TOPIC, p), p, 1 + random.nextInt(20), nowMs)) {
                        n.process.ingest.onApplied(TABLE_ID, p, n.replica.partition(p).nextOffset());
                    }
                }
                kick(n);
            }
            scheduleConsume(n);
        });
    }

    // ==== network and Kafka ========================================================================

    private void network(SimNode from, int toId, byte[] frame) {
        int to = toId - 1;
        if (faultsOn && random.nextDouble() < profile.dropProbability()) return;
        int copies = faultsOn && random.nextDouble() < profile.duplicateProbability() ? 2 : 1;
        for (int c = 0; c < copies; c++) {
            if (cut[from.id - 1][to]) continue;
            SimNode dest = nodes[to];
            scheduleOn(dest, uniform(1, profile.maxNetworkDelayMs()), "frame " + from.id + "->" + toId, () -> {
                if (!cut[from.id - 1][to]) dest.process.frames.accept(from.id, frame);
            });
        }
    }

    /** An append in flight: it lands at its time unless its producer's process died before sending it. */
    private static final class PendingAppend {
        int issuedBy;
        long issuedAtMs;
        boolean cancelled;
        long offset = -1;
    }

    private CompletableFuture<Long> issueAppend(SimNode n, WalEntry entry) {
        CompletableFuture<Long> acked = new CompletableFuture<>();
        int p = entry.partition();
        PendingAppend a = new PendingAppend();
        a.issuedBy = n.incarnation;
        a.issuedAtMs = nowMs;
        double r = faultsOn ? random.nextDouble() : 1;
        if (r < profile.walFailProbability()) {
            scheduleOn(n, uniform(1, DELIVERY_TIMEOUT_MS), "append failed", () -> acked.completeExceptionally(new RuntimeException("Kafka said no")));
            return acked;
        }
        if (faultsOn && profile.walZombieProbability() > 0 && random.nextDouble() < profile.walZombieProbability()) {
            // Timed out at the producer, taken by the broker much later (paused with the request
            // in its socket): it may land after any later append, a successor's included.
            long landAt = nowMs + DELIVERY_TIMEOUT_MS + uniform(1, MAX_ZOMBIE_DELAY_MS);
            scheduleOn(n, DELIVERY_TIMEOUT_MS, "append timed out", () -> acked.completeExceptionally(new RuntimeException("delivery timeout")));
            zombiesInFlight++;
            schedule(landAt - nowMs, "zombie append lands slot " + entry.slot(), () -> {
                zombiesInFlight--;
                lastZombieLandedMs = nowMs;
                kafka.land(TOPIC, entry, nowMs, "zombie from " + n.id + "#" + a.issuedBy + " issued t=" + a.issuedAtMs);
            });
            fault("zombie append");
            return acked;
        }
        // An idempotent producer lands its appends to a partition in the order it issued them
        // (sequence numbers; a batch it gave up on is fenced by the epoch it then bumps), within
        // the delivery timeout; another producer's (a deposed leader's) may land in between.
        long landAt = Math.max(n.lastLandMs[p], nowMs + uniform(1, profile.maxWalDelayMs()));
        if (faultsOn && random.nextDouble() < profile.walSlowProbability()) landAt = Math.max(landAt, nowMs + uniform(1, DELIVERY_TIMEOUT_MS));
        if (r < profile.walFailProbability() + profile.walGhostProbability() && landAt <= nowMs + DELIVERY_TIMEOUT_MS) {
            // Reported failed, yet it lands: a request the broker took after the producer gave up on it.
            n.lastLandMs[p] = landAt;
            scheduleOn(n, uniform(1, DELIVERY_TIMEOUT_MS), "append reported failed", () -> acked.completeExceptionally(new RuntimeException("timed out")));
            n.pendingAppends.add(a);
            schedule(landAt - nowMs, "ghost append lands slot " + entry.slot(), () -> {
                if (!a.cancelled) kafka.land(TOPIC, entry, nowMs, "ghost from " + n.id + "#" + a.issuedBy + " issued t=" + a.issuedAtMs);
            });
            return acked;
        }
        if (landAt < brokerPausedUntilMs) landAt = brokerPausedUntilMs + uniform(1, profile.maxWalDelayMs());
        if (landAt > nowMs + DELIVERY_TIMEOUT_MS) {
            scheduleOn(n, DELIVERY_TIMEOUT_MS, "append timed out", () -> acked.completeExceptionally(new RuntimeException("delivery timeout")));
            return acked;
        }
        n.lastLandMs[p] = landAt;
        long ackAt = Math.max(n.lastAckMs[p], landAt + uniform(0, profile.maxWalDelayMs()));
        n.lastAckMs[p] = ackAt;
        n.pendingAppends.add(a);
        schedule(landAt - nowMs, "append lands slot " + entry.slot(), () -> {
            if (!a.cancelled) a.offset = kafka.land(TOPIC, entry, nowMs, "from " + n.id + "#" + a.issuedBy + " issued t=" + a.issuedAtMs);
        });
        scheduleOn(n, ackAt - nowMs, "append acknowledged slot " + entry.slot(), () -> {
            n.pendingAppends.remove(a);
            if (a.offset >= 0) acked.complete(a.offset); else acked.completeExceptionally(new RuntimeException("not landed"));
        });
        return acked;
    }

    // ==== faults ===================================================================================

    private void partition() {
        if (!faultsOn) return;
        boolean oneWay = random.nextInt(3) == 0;
        int isolated = random.nextInt(NODES);
        List<int[]> links = new ArrayList<>();
        for (int j = 0; j < NODES; j++) {
            if (j == isolated) continue;
            links.add(new int[] {isolated, j});
            if (!oneWay) links.add(new int[] {j, isolated});
        }
        for (int[] l : links) cut[l[0]][l[1]] = true;
        fault(oneWay ? "one-way partition" : "partition");
        schedule(uniform(10, profile.maxPartitionMs()), "heal", () -> {
            for (int[] l : links) cut[l[0]][l[1]] = false;
        });
        schedule(exp(profile.meanMsBetweenPartitions()), "partition", this::partition);
    }

    private void crashSomeone() {
        if (!faultsOn) return;
        SimNode n = nodes[random.nextInt(NODES)];
        if (profile.crashLeaders()) n = someLeaderOr(n);
        if (n.process != null) {
            n.crash();
            fault("crash");
            schedule(uniform(1, profile.maxDowntimeMs()), "restart " + n.id, n::restart);
        }
        schedule(exp(profile.meanMsBetweenCrashes()), "crash", this::crashSomeone);
    }

    /** A node serving a partition as its leader, at random, or {@code otherwise} when none does. */
    private SimNode someLeaderOr(SimNode otherwise) {
        List<SimNode> leaders = new ArrayList<>();
        for (SimNode candidate : nodes) {
            for (int p = 0; p < PARTITIONS; p++) {
                if (candidate.process != null && candidate.process.ingest.serves(TABLE_ID, p)) leaders.add(candidate);
            }
        }
        return leaders.isEmpty() ? otherwise : leaders.get(random.nextInt(leaders.size()));
    }

    /** A node's process dies and its acceptor store is lost (the disk replaced); it starts again on a new one. */
    private void loseADisk() {
        if (!faultsOn || diskLost) return;
        SimNode n = nodes[random.nextInt(NODES)];
        if (n.process == null) {
            schedule(exp(profile.meanMsBetweenDiskLosses()), "disk loss", this::loseADisk);
            return;
        }
        diskLost = true;
        n.crash();
        n.disks = new HashMap<>();
        n.store = null;
        n.refusesGroupsCreatedBeforeMs = AmnesiaGuard.NEVER;
        fault("disk loss");
        schedule(uniform(1, profile.maxDowntimeMs()), "restart " + n.id + " on a new disk", n::restart);
    }

    private void pauseSomeone() {
        if (!faultsOn) return;
        SimNode n = nodes[random.nextInt(NODES)];
        // Half the time a leader: a paused leader is deposed while clients still wait on it.
        if (random.nextBoolean()) n = someLeaderOr(n);
        if (nowMs >= n.pausedUntilMs) n.resumeOffsets.clear();
        n.pausedUntilMs = Math.max(n.pausedUntilMs, nowMs + uniform(config.leaseDurationMs() / 2, profile.maxPauseMs()));
        fault("pause");
        schedule(exp(profile.meanMsBetweenPauses()), "pause", this::pauseSomeone);
    }

    private void pauseBroker() {
        if (!faultsOn) return;
        brokerPausedUntilMs = Math.max(brokerPausedUntilMs, nowMs + uniform(20, profile.maxBrokerPauseMs()));
        fault("broker pause");
        schedule(exp(profile.meanMsBetweenBrokerPauses()), "broker pause", this::pauseBroker);
    }

    private void compactSome() {
        int p = random.nextInt(PARTITIONS);
        SimKafka.Log log = kafka.log(TOPIC, p);
        kafka.compact(TOPIC, p, nowMs - COMPACTION_LAG_MS);
        schedule(exp(profile.meanMsBetweenCompactions()), "compaction", this::compactSome);
    }

    // ==== clients ==================================================================================

    /** One operation of the history as it is carried out: tried at one node, then maybe others. */
    private final class Attempting {
        final int client;
        final String pk;
        final ItemCollectionModel.Input input;
        final long invokeMs = nowMs;
        final long deadlineMs = nowMs + OP_DEADLINE_MS;
        final boolean write;
        final boolean recorded;
        int attempt;
        int hops;

        Attempting(int client, String pk, ItemCollectionModel.Input input, boolean recorded) {
            this.client = client;
            this.pk = pk;
            this.input = input;
            this.write = !(input instanceof ItemCollectionModel.Get) && !(input instanceof ItemCollectionModel.Query);
            this.recorded = recorded;
        }
    }

    private void nextOperation(int client) {
        if (!clientsOn) return;
        String pk = PKS.get(random.nextInt(PKS.size()));
        String sk = SKS.get(random.nextInt(SKS.size()));
        String value = "v" + (++valueSeq);
        int kind = random.nextInt(8);
        if (frozenItems.contains(pk + "/" + sk) && kind >= 3) kind = 0;
        ItemCollectionModel.Input input = switch (kind) {
            case 0, 1 -> new ItemCollectionModel.Get(sk);
            case 2 -> new ItemCollectionModel.Query();
            case 3 -> new ItemCollectionModel.Put(sk, value);
            case 4, 5 -> new ItemCollectionModel.ConditionalPut(sk, someCondition(), value);
            case 6 -> new ItemCollectionModel.Delete(sk);
            default -> new ItemCollectionModel.ConditionalDelete(sk, someCondition());
        };
        clientsBusy++;
        tryAt(new Attempting(client, pk, input, true), nodes[random.nextInt(NODES)]);
    }

    private Condition someCondition() {
        String expected = "v" + (valueSeq - random.nextInt(Math.min(valueSeq, 6) + 1));
        return switch (random.nextInt(3)) {
            case 0 -> Condition.absent();
            case 1 -> Condition.equalTo(expected);
            default -> Condition.absentOr(expected);
        };
    }

    private void tryAt(Attempting op, SimNode node) {
        int attempt = ++op.attempt;
        boolean[] answered = {false};
        // A request that gets no answer: a write's outcome is unknown; a read is simply lost.
        schedule(ATTEMPT_TIMEOUT_MS, "client " + op.client + " gives up waiting", () -> {
            if (answered[0] || op.attempt != attempt) return;
            answered[0] = true;
            if (op.write) finish(op, null); else abandon(op);
        });
        schedule(uniform(1, profile.maxNetworkDelayMs()), "request " + op.input + " to " + node.id, () -> {
            if (node.process == null) {
                // Refused: it never reached a process; safe to send elsewhere.
                if (!answered[0]) {
                    answered[0] = true;
                    retryLater(op, null);
                }
                return;
            }
            scheduleOn(node, 0, "serve " + op.input + " at " + node.id, () -> serve(op, node).whenComplete((output, error) ->
                    schedule(uniform(1, profile.maxNetworkDelayMs()), "answer to client " + op.client, () -> {
                        if (answered[0] || op.attempt != attempt) return;
                        answered[0] = true;
                        onAnswer(op, node, output, error);
                    })));
        });
    }

    private void onAnswer(Attempting op, SimNode node, ItemCollectionModel.Output output, Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause == null) {
            finish(op, output);
            return;
        }
        if (cause instanceof ConditionFailedException) {
            finish(op, ItemCollectionModel.ConditionFailed.conditionFailed());
            return;
        }
        if (!(cause instanceof IngestException ie)) throw violation("node " + node.id + " answered " + op.input + " with " + cause, cause);
        switch (ie.reason()) {
            case OUTCOME_UNKNOWN -> {
                if (op.write) finish(op, null); else abandon(op);
            }
            case NOT_LEADER -> {
                int hint = ie.leaderHint();
                if (hint >= 1 && hint <= NODES && hint != node.id && op.hops < 3) {
                    op.hops++;
                    tryAt(op, nodes[hint - 1]);
                } else {
                    retryLater(op, null);
                }
            }
            case LEADER_UNAVAILABLE, CLOSED, OVERLOADED -> retryLater(op, random.nextBoolean() ? node : null);
        }
    }

    /** Tries again after a short pause, at {@code node} or another; past the deadline the operation is dropped (nothing was applied). */
    private void retryLater(Attempting op, SimNode node) {
        if (nowMs >= op.deadlineMs) {
            abandon(op);
            return;
        }
        op.hops = 0;
        schedule(uniform(5, 60), "client " + op.client + " retries", () -> tryAt(op, node != null ? node : nodes[random.nextInt(NODES)]));
    }

    /** Completes an operation: {@code output} null means its outcome is unknown. */
    private void finish(Attempting op, ItemCollectionModel.Output output) {
        if (op.recorded) {
            if (output == null) {
                unknownOutcomes++;
                record(op, Operation.unknown(op.client, op.invokeMs * 1_000_000, op.input));
            } else {
                record(op, Operation.completed(op.client, op.invokeMs * 1_000_000, nowMs * 1_000_000, op.input, output));
                if (output instanceof ItemCollectionModel.Ok) acknowledgedWrites++;
                if (output instanceof ItemCollectionModel.ConditionFailed) conditionFailures++;
            }
        }
        if (!op.recorded && op.input instanceof ItemCollectionModel.Query && output instanceof ItemCollectionModel.Items items) {
            finalQueries.put(op.pk, items);
            record(op, Operation.completed(op.client, op.invokeMs * 1_000_000, nowMs * 1_000_000, op.input, output));
        }
        done(op);
    }

    private void record(Attempting op, Operation<ItemCollectionModel.Input, ItemCollectionModel.Output> operation) {
        history.add(operation);
        opKeys.put(operation, op.pk);
    }

    private void abandon(Attempting op) {
        if (!op.recorded && op.input instanceof ItemCollectionModel.Query) {
            // A final query must get its answer: ask again.
            tryAt(new Attempting(op.client, op.pk, op.input, false), nodes[random.nextInt(NODES)]);
            return;
        }
        done(op);
    }

    private void done(Attempting op) {
        clientsBusy--;
        if (op.recorded) schedule(uniform(0, 20), "client " + op.client, () -> nextOperation(op.client));
    }

    /** The last reads: one consistent Query of every key, once every partition has settled. */
    private void finalQueries() {
        if (clientsBusy > 0) {
            schedule(100, "final queries", this::finalQueries);
            return;
        }
        for (int i = 0; i < PKS.size(); i++) {
            clientsBusy++;
            tryAt(new Attempting(100 + i, PKS.get(i), new ItemCollectionModel.Query(), false), nodes[random.nextInt(NODES)]);
        }
    }

    /** Carries out one attempt at {@code node}, as its API would through its write path. */
    private CompletableFuture<ItemCollectionModel.Output> serve(Attempting op, SimNode node) {
        IngestService ingest = node.process.ingest;
        int partition = partitionOf(op.pk);
        if (op.input instanceof ItemCollectionModel.Get g) {
            return ingest.consistentGet(table, partition, storeKey(op.pk, g.sk()))
                    .thenApply(item -> new ItemCollectionModel.Value(valueOf(item)));
        }
        if (op.input instanceof ItemCollectionModel.Query) {
            CompletableFuture<ItemCollectionModel.Output> page = new CompletableFuture<>();
            ingest.readBarrier(table, partition).whenComplete((lease, error) -> {
                if (error != null) {
                    page.completeExceptionally(error);
                    return;
                }
                // The page is read on another thread, a moment later (a pause may fall in between).
                scheduleOn(node, uniform(0, profile.maxPageReadDelayMs()), "page read at " + node.id, () -> {
                    try {
                        ItemCollectionModel.Items items = itemsOf(node.replica, op.pk);
                        lease.check();
                        page.complete(items);
                    } catch (RuntimeException e) {
                        page.completeExceptionally(e);
                    }
                });
            });
            return page;
        }
        Mutation mutation;
        String sk;
        boolean returnsOld = random.nextBoolean();
        if (op.input instanceof ItemCollectionModel.Put p) {
            sk = p.sk();
            mutation = current -> Mutation.Result.put(item(op.pk, p.sk(), p.value()));
        } else if (op.input instanceof ItemCollectionModel.ConditionalPut p) {
            sk = p.sk();
            mutation = current -> {
                if (!p.condition().holds(valueOf(current))) throw new ConditionFailedException(null);
                return Mutation.Result.put(item(op.pk, p.sk(), p.value()));
            };
        } else if (op.input instanceof ItemCollectionModel.Delete d) {
            sk = d.sk();
            mutation = current -> current == null ? Mutation.Result.unchanged(null) : Mutation.Result.delete();
        } else if (op.input instanceof ItemCollectionModel.ConditionalDelete d) {
            sk = d.sk();
            mutation = current -> {
                if (!d.condition().holds(valueOf(current))) throw new ConditionFailedException(null);
                return current == null ? Mutation.Result.unchanged(null) : Mutation.Result.delete();
            };
        } else {
            throw new IllegalStateException("unknown operation " + op.input);
        }
        return ingest.write(table, partition, storeKey(op.pk, sk), mutation)
                .thenApply(outcome -> returnsOld ? ItemCollectionModel.Ok.okWithOld(valueOf(outcome.oldImage()))
                        : ItemCollectionModel.Ok.ok());
    }

    static int partitionOf(String pk) {
        return KeyCodec.partitionOf(KeyCodec.hash32(AttributeValue.s(pk)), PARTITIONS);
    }

    static byte[] storeKey(String pk, String sk) {
        return KeyCodec.storeKey(SCHEMA, Map.of("pk", AttributeValue.s(pk), "sk", AttributeValue.s(sk)));
    }

    static Map<String, AttributeValue> item(String pk, String sk, String value) {
        return Map.of("pk", AttributeValue.s(pk), "sk", AttributeValue.s(sk), "v", AttributeValue.s(value));
    }

    static String valueOf(Map<String, AttributeValue> item) {
        return item == null ? null : ((AttributeValue.S) item.get("v")).value();
    }

    /** A Query of one partition key, from a replica's store. */
    static ItemCollectionModel.Items itemsOf(SimReplica replica, String pk) {
        Map<String, String> items = new TreeMap<>();
        for (Map<String, AttributeValue> item : replica.items(partitionOf(pk)).values()) {
            if (((AttributeValue.S) item.get("pk")).value().equals(pk)) items.put(((AttributeValue.S) item.get("sk")).value(), valueOf(item));
        }
        return ItemCollectionModel.Items.of(items);
    }

    // ==== the checks at the end =====================================================================

    private void checkEnd() {
        long fenced = 0;
        for (SimNode n : nodes) fenced += n.fencedBefore + (n.process == null ? 0 : n.process.runtime.fencedGroups());
        if (fenced > 0) throw violation(fenced + " replica groups were fenced (an exception in protocol code)", null);

        Linearizability.Report<String, ItemCollectionModel.Input, ItemCollectionModel.Output> report =
                Linearizability.checkByKey(ItemCollectionModel.INSTANCE, history, this::keyOf, Linearizability.Options.defaults());
        for (CheckResult<ItemCollectionModel.Input, ItemCollectionModel.Output> r : report.failures()) {
            throw violation("the history is not linearizable:\n" + r.explain(12, (in, out) -> in + " -> " + (out == null ? "?" : out))
                    + walOf(String.valueOf(r.key())), null);
        }
        for (SimNode n : nodes) {
            for (String pk : PKS) {
                ItemCollectionModel.Items held = itemsOf(n.replica, pk);
                if (!held.equals(finalQueries.get(pk))) {
                    throw violation("node " + n.id + "'s replica holds " + held + " for " + pk + "; the last Query returned "
                            + finalQueries.get(pk) + walOf(pk), null);
                }
            }
        }
        // A replica rebuilt from the compacted WAL must hold the same: no stale append was kept.
        // (later, once every record is older than the compaction lag: the WAL is compacted whole)
        SimReplica rebuilt = new SimReplica(TABLE_ID, COMPACTION_LAG_MS, false);
        long later = nowMs + COMPACTION_LAG_MS + 1;
        for (int p = 0; p < PARTITIONS; p++) {
            kafka.compact(TOPIC, p, later);
            rebuilt.consume(kafka.log(TOPIC, p), p, Integer.MAX_VALUE, later);
        }
        for (String pk : PKS) {
            ItemCollectionModel.Items held = itemsOf(rebuilt, pk);
            if (!held.equals(finalQueries.get(pk))) {
                throw violation("a replica rebuilt from the compacted WAL holds " + held + " for " + pk + "; the last Query returned "
                        + finalQueries.get(pk) + " (compaction kept a stale append)" + walOf(pk), null);
            }
        }
    }

    /** The records of {@code pk}'s items that ever landed in the WAL, for a failure report. */
    private String walOf(String pk) {
        StringBuilder s = new StringBuilder("\n  its WAL partition's records of " + pk + ":");
        for (String landing : kafka.log(TOPIC, partitionOf(pk)).landings) {
            s.append("\n    ").append(landing);
        }
        return s.toString();
    }

    private String keyOf(Operation<ItemCollectionModel.Input, ItemCollectionModel.Output> op) {
        return opKeys.get(op);
    }

    private final Map<Operation<ItemCollectionModel.Input, ItemCollectionModel.Output>, String> opKeys = new java.util.IdentityHashMap<>();

    // ==== failures =================================================================================

    /** A broken invariant, with what is needed to replay it. */
    static final class SimulationViolation extends AssertionError {
        SimulationViolation(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private SimulationViolation violation(String what, Throwable cause) {
        StringBuilder s = new StringBuilder();
        s.append("write path simulation: ").append(what).append("\n  seed ").append(seed).append(", profile ").append(profile.name())
                .append(", event ").append(eventNumber).append(" at t=").append(nowMs).append(" ms; faults ").append(faults)
                .append("\n  last events:");
        for (String e : recentEvents) s.append("\n    ").append(e);
        s.append("\n  replay: WritePathSimulation.run(").append(seed).append(", SimProfile.").append(profile.name().toUpperCase().replace('-', '_'))
                .append(")");
        return new SimulationViolation(s.toString(), cause);
    }
}
