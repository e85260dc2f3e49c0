package io.dynalog.control;

import io.dynalog.ingest.paxos.ProposeResult;
import io.dynalog.ingest.paxos.Role;
import io.dynalog.ingest.replication.GroupId;
import io.dynalog.ingest.replication.ReplicationRuntime;
import io.dynalog.ingest.replication.ReplicationRuntime.MemberStatus;
import io.dynalog.topology.catalog.CatalogTable;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.wal.Configuration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the replica groups this node leads at full strength: each round ({@link #runOnce}, called
 * every second or so by the node), asks {@link ReplicaRepair} for every group this node leads and
 * is ready to serve, and carries the step out (proposes a configuration in the group, or records
 * the chosen one in the catalog).
 *
 * <p>Moves are throttled: a node starts copying a new replica only while fewer than
 * {@code maxMovesPerNode} of the groups it leads have a learner; and a move that only evens out
 * load starts only while the catalog shows no learner in any group, so that the cluster makes one
 * such move at a time (two nodes may still start one each in the same moment: the planner's
 * mean rule keeps that from swinging back). A group with a step still under
 * way is left alone until that step has an answer. The catalog's own group is repaired like a
 * table partition's: {@link Catalog} lists it among the tables and records its configurations
 * where its placement is kept.
 *
 * <p>The node that leads the catalog's group also moves the replicas of global index partitions
 * off dead and draining nodes ({@link ReplicaRepair#nextIndexReplicas}).
 *
 * <p>Threading: {@link #runOnce} is called by one thread at a time (the node's upkeep thread, never
 * the replication loop); the answers of steps arrive on other threads and touch only the concurrent
 * sets of busy groups and index partitions.
 */
public final class Rereplication {
    private static final Logger log = LoggerFactory.getLogger(Rereplication.class);

    /** The catalog as this control plane needs it. */
    public interface Catalog {
        /** The tables the catalog holds now, and the catalog itself (the descriptor of its one partition's group). */
        Collection<TableDescriptor> tables();

        /** Records a configuration chosen in a partition's group (at the catalog's leader). */
        CompletableFuture<Void> recordConfiguration(TableDescriptor table, int partition, Configuration configuration);

        /** Moves a global index partition's replicas from {@code expected} to {@code next} (at the catalog's leader). */
        CompletableFuture<Void> moveIndexReplicas(TableDescriptor table, IndexDescriptor index, int partition, List<Integer> expected,
                                                  List<Integer> next);
    }

    private final ReplicationRuntime runtime;
    private final Catalog catalog;
    private final Supplier<Collection<ReplicaRepair.Node>> nodes;
    private final ReplicaRepair.Settings settings;
    private final int maxMovesPerNode;
    private final LongSupplier clockMs;
    /** Groups with a step under way. */
    private final Set<GroupId> busy = ConcurrentHashMap.newKeySet();
    /** Global index partitions (index id in hex / partition) whose move is being recorded. */
    private final Set<String> busyIndexPartitions = ConcurrentHashMap.newKeySet();
    /** Global index partitions a round moves at most. */
    static final int INDEX_MOVES_PER_ROUND = 4;
    /** By group and learner, when this node first saw it as a learner of a group it leads (runOnce's thread only). */
    private final Map<GroupId, Map<Integer, Long>> learnerSinceMs = new HashMap<>();
    /** By group, nodes whose learner this node removed, and until when they are not tried again there (runOnce's thread only). */
    private final Map<GroupId, Map<Integer, Long>> avoidUntilMs = new HashMap<>();
    /** How long a learner given up on is not tried again in the same group. */
    static final long AVOID_MS = 10 * 60 * 1000L;

    /**
     * @param nodes every node the cluster knows, with how long since each was heard from
     * @param clockMs a monotonic clock, in milliseconds
     */
    public Rereplication(ReplicationRuntime runtime, Catalog catalog, Supplier<Collection<ReplicaRepair.Node>> nodes,
                         ReplicaRepair.Settings settings, int maxMovesPerNode, LongSupplier clockMs) {
        this.runtime = runtime;
        this.catalog = catalog;
        this.nodes = nodes;
        this.settings = settings;
        this.maxMovesPerNode = maxMovesPerNode;
        this.clockMs = clockMs;
    }

    /** How long a round waits for the members' statuses from the replication loop. */
    static final long STATUS_WAIT_MS = 5_000;

    /**
     * One round, on the calling thread (never the replication loop's: the planner reads the whole
     * catalog, and recording the catalog group's configuration may wait on Kafka); returns the steps
     * it started (for the log and for tests).
     */
    public List<String> runOnce() throws Exception {
        return decide(runtime.statuses().get(STATUS_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    private List<String> decide(Map<GroupId, MemberStatus> statuses) {
        long now = clockMs.getAsLong();
        Map<Long, TableDescriptor> tables = new HashMap<>();
        Map<Integer, Integer> replicasByNode = new HashMap<>();
        Map<Integer, Integer> learnersByNode = new HashMap<>();
        boolean movesInCluster = false;
        for (TableDescriptor t : catalog.tables()) {
            tables.put(t.tableId(), t);
            for (int p = 0; p < t.partitionCount(); p++) {
                for (int id : t.replicasOf(p)) replicasByNode.merge(id, 1, Integer::sum);
                for (int id : t.configurationOf(p).learners()) learnersByNode.merge(id, 1, Integer::sum);
                movesInCluster |= !t.configurationOf(p).learners().isEmpty();
            }
        }
        Map<Integer, ReplicaRepair.Node> nodesById = new HashMap<>();
        for (ReplicaRepair.Node n : nodes.get()) nodesById.put(n.id(), n);
        learnerSinceMs.keySet().retainAll(statuses.keySet());
        avoidUntilMs.keySet().retainAll(statuses.keySet());
        int moves = 0;
        for (MemberStatus s : statuses.values()) {
            if (s.role() == Role.LEADER && !s.configuration().learners().isEmpty()) moves++;
        }
        List<String> started = new ArrayList<>();
        for (Map.Entry<GroupId, MemberStatus> e : statuses.entrySet()) {
            GroupId group = e.getKey();
            MemberStatus s = e.getValue();
            TableDescriptor table = tables.get(group.tableId());
            if (s.role() != Role.LEADER || !s.leaderReady() || table == null || busy.contains(group)) continue;
            ReplicaRepair.Step step = ReplicaRepair.next(view(group, s, table, now), nodesById, replicasByNode, learnersByNode, settings);
            if (step instanceof ReplicaRepair.Step.Propose propose) {
                boolean startsMove = propose.move() != ReplicaRepair.Step.Move.NONE;
                if (startsMove && moves >= maxMovesPerNode) continue;
                if (propose.move() == ReplicaRepair.Step.Move.REBALANCE && movesInCluster) continue;
                if (startsMove) moves++;
                if (propose.move() == ReplicaRepair.Step.Move.REBALANCE) movesInCluster = true;
                if (propose.abandonedLearner() >= 0) {
                    avoidUntilMs.computeIfAbsent(group, g -> new HashMap<>()).put(propose.abandonedLearner(), now + AVOID_MS);
                }
                started.add(propose(group, propose));
            } else if (step instanceof ReplicaRepair.Step.Record record) {
                started.add(record(group, table, record.configuration()));
            }
        }
        GroupId catalogGroup = new GroupId(CatalogTable.TABLE_ID, CatalogTable.PARTITION);
        MemberStatus catalogMember = statuses.get(catalogGroup);
        if (catalogMember != null && catalogMember.role() == Role.LEADER && catalogMember.leaderReady()) {
            started.addAll(moveIndexReplicas(tables.values(), nodesById));
        }
        return started;
    }

    /**
     * Global index partitions are no replica groups: the node leading the catalog's group moves
     * their replicas off dead and draining nodes, a few partitions per round.
     */
    private List<String> moveIndexReplicas(Collection<TableDescriptor> tables, Map<Integer, ReplicaRepair.Node> nodesById) {
        Map<Integer, Integer> indexReplicasByNode = new HashMap<>();
        for (TableDescriptor t : tables) {
            for (IndexDescriptor index : t.globalIndexes()) {
                for (int p = 0; p < index.partitionCount(); p++) {
                    for (int id : index.replicasOf(p)) indexReplicasByNode.merge(id, 1, Integer::sum);
                }
            }
        }
        List<String> started = new ArrayList<>();
        for (TableDescriptor t : tables) {
            for (IndexDescriptor index : t.globalIndexes()) {
                for (int p = 0; p < index.partitionCount() && started.size() < INDEX_MOVES_PER_ROUND; p++) {
                    String key = Long.toHexString(index.indexId()) + "/" + p;
                    List<Integer> expected = index.replicasOf(p);
                    List<Integer> next = busyIndexPartitions.contains(key) ? null
                            : ReplicaRepair.nextIndexReplicas(expected, nodesById, indexReplicasByNode, settings);
                    if (next == null) continue;
                    busyIndexPartitions.add(key);
                    String what = "index " + index.name() + " of table " + t.name() + ", partition " + p + ": replicas move from "
                            + expected + " to " + next;
                    log.info("{}", what);
                    int partition = p;
                    started(() -> catalog.moveIndexReplicas(t, index, partition, expected, next)).whenComplete((v, error) -> {
                        busyIndexPartitions.remove(key);
                        if (error != null) log.warn("{} not recorded yet: {}", what, error.toString());
                    });
                    started.add(what);
                }
            }
        }
        return started;
    }

    private ReplicaRepair.Group view(GroupId group, MemberStatus s, TableDescriptor table, long now) {
        Map<Integer, Long> since = learnerSinceMs.computeIfAbsent(group, g -> new HashMap<>());
        since.keySet().retainAll(s.configuration().learners());
        Map<Integer, Long> learnerForMs = new HashMap<>();
        for (int learner : s.configuration().learners()) {
            learnerForMs.put(learner, now - since.computeIfAbsent(learner, l -> now));
        }
        Map<Integer, Long> avoiding = avoidUntilMs.computeIfAbsent(group, g -> new HashMap<>());
        avoiding.values().removeIf(untilMs -> untilMs <= now);
        return new ReplicaRepair.Group(s.configuration(), table.configurationOf(group.partition()), s.chosenUpTo(),
                s.followerMatchSlots(), learnerForMs, Set.copyOf(avoiding.keySet()));
    }

    private String propose(GroupId group, ReplicaRepair.Step.Propose step) {
        busy.add(group);
        String what = "group " + group + ": " + step.reason() + ", proposing " + step.next();
        log.info("{}", what);
        proposing(group, step).whenComplete((result, error) -> {
            busy.remove(group);
            if (error != null) {
                log.warn("group {}: configuration {} not proposed: {}", group, step.next(), error.toString());
            } else if (!(result instanceof ProposeResult.Proposed)) {
                log.debug("group {}: configuration {} not proposed: {}", group, step.next(), result);
            }
        });
        return what;
    }

    private CompletableFuture<ProposeResult> proposing(GroupId group, ReplicaRepair.Step.Propose step) {
        try {
            return runtime.proposeConfiguration(group, step.next());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** {@code change} started, or failed at once (a step's mark of its group must always be cleared). */
    private static CompletableFuture<Void> started(java.util.function.Supplier<CompletableFuture<Void>> change) {
        try {
            return change.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private String record(GroupId group, TableDescriptor table, Configuration configuration) {
        busy.add(group);
        String what = "group " + group + ": recording " + configuration + " in the catalog";
        log.info("{}", what);
        started(() -> catalog.recordConfiguration(table, group.partition(), configuration)).whenComplete((v, error) -> {
            busy.remove(group);
            if (error != null) log.warn("group {}: configuration {} not recorded yet: {}", group, configuration, error.toString());
        });
        return what;
    }
}
