package io.dynalog.control;

import io.dynalog.ingest.paxos.ProposeResult;
import io.dynalog.ingest.paxos.Role;
import io.dynalog.ingest.replication.GroupId;
import io.dynalog.ingest.replication.ReplicationRuntime;
import io.dynalog.ingest.replication.ReplicationRuntime.MemberStatus;
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
 * <p>Threading: {@link #runOnce} is called by one thread at a time (the node's upkeep thread); the
 * answers of steps arrive on other threads and touch only the concurrent set of busy groups.
 */
public final class Rereplication {
    private static final Logger log = LoggerFactory.getLogger(Rereplication.class);

    /** The catalog as this control plane needs it. */
    public interface Catalog {
        /** The tables the catalog holds now, and the catalog itself (the descriptor of its one partition's group). */
        Collection<TableDescriptor> tables();

        /** Records a configuration chosen in a partition's group (at the catalog's leader). */
        CompletableFuture<Void> recordConfiguration(TableDescriptor table, int partition, Configuration configuration);
    }

    private final ReplicationRuntime runtime;
    private final Catalog catalog;
    private final Supplier<Collection<ReplicaRepair.Node>> nodes;
    private final ReplicaRepair.Settings settings;
    private final int maxMovesPerNode;
    private final LongSupplier clockMs;
    /** Groups with a step under way. */
    private final Set<GroupId> busy = ConcurrentHashMap.newKeySet();
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

    /** One round; completes with the steps it started (for the log and for tests). */
    public CompletableFuture<List<String>> runOnce() {
        return runtime.statuses().thenApply(this::decide);
    }

    private List<String> decide(Map<GroupId, MemberStatus> statuses) {
        long now = clockMs.getAsLong();
        Map<Long, TableDescriptor> tables = new HashMap<>();
        Map<Integer, Integer> replicasByNode = new HashMap<>();
        boolean movesInCluster = false;
        for (TableDescriptor t : catalog.tables()) {
            tables.put(t.tableId(), t);
            for (int p = 0; p < t.partitionCount(); p++) {
                for (int id : t.replicasOf(p)) replicasByNode.merge(id, 1, Integer::sum);
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
            ReplicaRepair.Step step = ReplicaRepair.next(view(group, s, table, now), nodesById, replicasByNode, settings);
            if (step instanceof ReplicaRepair.Step.Propose propose) {
                boolean startsMove = propose.move() != ReplicaRepair.Step.Move.NONE;
                if (startsMove && moves >= maxMovesPerNode) continue;
                if (propose.move() == ReplicaRepair.Step.Move.REBALANCE && movesInCluster) continue;
                if (startsMove) moves++;
                if (propose.move() == ReplicaRepair.Step.Move.REBALANCE) movesInCluster = true;
                for (int learner : s.configuration().learners()) {
                    if (!propose.next().isMember(learner)) avoidUntilMs.computeIfAbsent(group, g -> new HashMap<>()).put(learner, now + AVOID_MS);
                }
                started.add(propose(group, propose));
            } else if (step instanceof ReplicaRepair.Step.Record record) {
                started.add(record(group, table, record.configuration()));
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
        runtime.proposeConfiguration(group, step.next()).whenComplete((result, error) -> {
            busy.remove(group);
            if (error != null) {
                log.warn("group {}: configuration {} not proposed: {}", group, step.next(), error.toString());
            } else if (!(result instanceof ProposeResult.Proposed)) {
                log.debug("group {}: configuration {} not proposed: {}", group, step.next(), result);
            }
        });
        return what;
    }

    private String record(GroupId group, TableDescriptor table, Configuration configuration) {
        busy.add(group);
        String what = "group " + group + ": recording " + configuration + " in the catalog";
        log.info("{}", what);
        catalog.recordConfiguration(table, group.partition(), configuration).whenComplete((v, error) -> {
            busy.remove(group);
            if (error != null) log.warn("group {}: configuration {} not recorded yet: {}", group, configuration, error.toString());
        });
        return what;
    }
}
