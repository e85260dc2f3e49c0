package io.dynalog.node;

import io.dynalog.control.LeaderPlacement;
import io.dynalog.control.ReplicaRepair;
import io.dynalog.control.Rereplication;
import io.dynalog.ingest.replication.ReplicationRuntime;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's periodic rounds on a node, on its upkeep thread (never the replication
 * loop): leader balance, and re-replication (which also moves and rebalances replicas). A round
 * that fails is logged and the next one tries again (an exception would cancel the schedule).
 */
final class ControlRounds {
    private static final Logger log = LoggerFactory.getLogger(ControlRounds.class);

    /**
     * Leader balance (issue 15, item 5): this often, a node hands the groups it leads over to their
     * preferred leaders ({@link LeaderPlacement}), a few at a time, to members that acknowledged
     * within four heartbeats, and without a gap for 30 s.
     */
    static final long LEADER_BALANCE_INTERVAL_MS = 2_000;
    static final int LEADER_HAND_OVERS_PER_ROUND = 2;
    static final long LEADER_BALANCE_ACK_AGE_MS = 4 * DynalogNode.PAXOS.heartbeatIntervalMs();
    /**
     * A member gets leaderships only after acknowledging for this long without a gap: a node that
     * has just (re)started answers its groups at once but may take many seconds before its replicas
     * can serve, and a leader handed to it meanwhile stalls its partition. A heuristic: a member
     * does not yet say whether its replica is ready to lead.
     */
    static final long LEADER_BALANCE_MIN_ACK_STREAK_MS = 30_000;
    /** How often a node looks at the groups it leads for a replica to replace or move (issue 15, items 2-4). */
    static final long REPAIR_INTERVAL_MS = 500;
    /** Groups a node leads that may copy a new replica at once. */
    static final int MOVES_PER_NODE = 1;

    private ControlRounds() {}

    /**
     * @param nodes    every node the cluster knows, with its silence and drain flag
     * @param draining the nodes being drained
     */
    static void start(ScheduledExecutorService upkeep, ReplicationRuntime runtime, Rereplication.Catalog catalog,
                      Supplier<Collection<ReplicaRepair.Node>> nodes, Supplier<Set<Integer>> draining, ReplicaRepair.Settings settings) {
        LeaderPlacement leaderPlacement = new LeaderPlacement(catalog::tables);
        upkeep.scheduleWithFixedDelay(() -> {
            try {
                Set<Integer> drainingNow = draining.get();
                runtime.balanceLeaders(LEADER_BALANCE_ACK_AGE_MS, LEADER_BALANCE_MIN_ACK_STREAK_MS, LEADER_HAND_OVERS_PER_ROUND,
                                leaderPlacement.preferredLeaders(drainingNow), drainingNow)
                        .thenAccept(started -> started.forEach(h -> log.info("handing {} over to its preferred leader, node {}",
                                h.group(), h.target())));
            } catch (RuntimeException e) {
                log.warn("leader balance round failed: {}", e.toString());
            }
        }, LEADER_BALANCE_INTERVAL_MS, LEADER_BALANCE_INTERVAL_MS, TimeUnit.MILLISECONDS);
        Rereplication rereplication = new Rereplication(runtime, catalog, nodes, settings, MOVES_PER_NODE,
                () -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
        upkeep.scheduleWithFixedDelay(() -> {
            try {
                rereplication.runOnce();
            } catch (Exception e) {
                log.warn("re-replication round failed: {}", e.toString());
            }
        }, REPAIR_INTERVAL_MS, REPAIR_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }
}
