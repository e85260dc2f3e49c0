package io.dynalog.control;

import io.dynalog.topology.wal.Configuration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The next step that keeps one replica group at full strength, decided by its leader from what it
 * knows now: the group's chosen configuration, what the catalog records for it, how far each
 * member holds the log, and which nodes are heard from. Pure: the same facts give the same step,
 * so the decision is tested on its own and any leader, after any failover, carries on from where
 * the group is.
 *
 * <p>A dead voter (a node not heard from for {@link Settings#replaceAfterMs}) is replaced in
 * three steps, each one configuration chosen in the group's own log:
 * <ol>
 *   <li>a live node that is no member becomes a learner: one in a zone the live voters do not
 *       cover if there is one, else the one holding fewest replicas;</li>
 *   <li>once it holds every chosen slot, it takes the dead voter's place in one change (its vote
 *       counts from then on: its acceptor holds the log, as DynamoDB's log replica does, while its
 *       table replica is still rebuilt from the WAL; it leads only once that has caught up);</li>
 *   <li>the catalog records each chosen configuration, so that the new member's node joins the
 *       group and the old member's node, should it come back, leaves it and drops its replica.</li>
 * </ol>
 * A learner that does not catch up within {@link Settings#learnerPatienceMs}, or whose node goes
 * silent, is removed so that another node can be tried (the caller keeps it out of the group for
 * a while: {@link Group#avoid}); one that is no longer needed (the dead voter came back) is
 * removed too.
 *
 * <p>A voter on a draining node is replaced the same way, at once, and a draining node gets no
 * new replica. A group missing voters (created when fewer nodes were up) grows the same way to
 * {@link Settings#replicationFactor}. And a group whose most loaded voter's node holds two or more
 * replicas more than the least loaded live node that keeps the group's zones distinct moves that
 * replica there (a learner, then a swap), so that nodes added to the cluster fill up until every
 * node holds within one replica of the mean.
 */
public final class ReplicaRepair {
    private ReplicaRepair() {}

    /**
     * @param replicationFactor voters a group should have
     * @param replaceAfterMs how long a voter's node may be silent before it is replaced
     * @param silenceLimitMs a node silent for longer is not live: it gets no new replica, and a
     *     learner on it is dropped
     * @param learnerPatienceMs how long a learner may take to hold every chosen slot
     */
    public record Settings(int replicationFactor, long replaceAfterMs, long silenceLimitMs, long learnerPatienceMs) {
        public Settings {
            if (replicationFactor < 1) throw new IllegalArgumentException("replicationFactor must be >= 1");
            if (replaceAfterMs < silenceLimitMs) {
                throw new IllegalArgumentException("replaceAfterMs (" + replaceAfterMs + ") must not be below silenceLimitMs ("
                        + silenceLimitMs + ")");
            }
        }
    }

    /**
     * A node as the cluster knows it: its zone, how long since it was last heard from, and whether
     * it is being drained (its replicas move off, and it gets none).
     */
    public record Node(int id, String zone, long silentForMs, boolean draining) {
        public Node(int id, String zone, long silentForMs) {
            this(id, zone, silentForMs, false);
        }
    }

    /**
     * One group as its leader sees it.
     *
     * @param chosen the latest configuration the group chose
     * @param recorded the latest one the catalog records for it
     * @param chosenUpTo the leader's chosen slot
     * @param matchSlots by member, the slot through which it is known to hold every slot
     * @param learnerForMs by learner, how long this leader has known it as one
     * @param avoid nodes not to add to this group (learners it gave up on lately)
     */
    public record Group(Configuration chosen, Configuration recorded, long chosenUpTo, Map<Integer, Long> matchSlots,
                        Map<Integer, Long> learnerForMs, Set<Integer> avoid) {
        public Group(Configuration chosen, Configuration recorded, long chosenUpTo, Map<Integer, Long> matchSlots,
                     Map<Integer, Long> learnerForMs) {
            this(chosen, recorded, chosenUpTo, matchSlots, learnerForMs, Set.of());
        }
    }

    /** What to do next. */
    public sealed interface Step {
        /** Nothing: the group is at full strength, or waits for a learner, or has no node to grow onto. */
        record None() implements Step {}

        /** Tell the catalog of the chosen configuration. */
        record Record(Configuration configuration) implements Step {}

        /**
         * Propose the next configuration, for the reason given; {@code move} says whether it
         * starts a move (adds a learner, a new replica to copy), which the caller may throttle;
         * {@code abandonedLearner} is a learner it removes because it failed (went silent, did not
         * catch up), which the caller should not try again soon in this group ({@link Group#avoid}),
         * or -1.
         */
        record Propose(Configuration next, String reason, Move move, int abandonedLearner) implements Step {
            Propose(Configuration next, String reason) {
                this(next, reason, Move.NONE, -1);
            }

            Propose(Configuration next, String reason, Move move) {
                this(next, reason, move, -1);
            }
        }

        /** What a proposal starts: nothing new, a repair (a voter to replace, a group to complete), or a rebalancing move. */
        enum Move { NONE, REPAIR, REBALANCE }
    }

    private static final Step NONE = new Step.None();

    /**
     * The step for {@code group}; {@code nodes} by id (a member missing from it was never heard of),
     * {@code replicasByNode} the replicas each node holds (for choosing where a new one goes).
     */
    public static Step next(Group group, Map<Integer, Node> nodes, Map<Integer, Integer> replicasByNode, Settings settings) {
        return next(group, nodes, replicasByNode, Map.of(), settings);
    }

    /**
     * As {@link #next(Group, Map, Map, Settings)}; {@code learnersByNode} counts the learners among
     * each node's replicas (moves under way), which a swap for balance leaves out: two leaders that
     * added learners on one node at once would otherwise each find the node too full to swap in, drop
     * their learner, and try again, in step, for ever.
     */
    public static Step next(Group group, Map<Integer, Node> nodes, Map<Integer, Integer> replicasByNode,
                            Map<Integer, Integer> learnersByNode, Settings settings) {
        Configuration c = group.chosen();
        if (group.recorded().version() < c.version()) return new Step.Record(c);
        List<Integer> leaving = leavingVoters(c, nodes, settings);
        for (int learner : c.learners()) {
            Node node = nodes.get(learner);
            if (node == null || node.silentForMs() > settings.silenceLimitMs() || node.draining()) {
                boolean draining = node != null && node.draining();
                return new Step.Propose(c.without(learner), "learner " + learner + (draining ? " is draining" : " went silent"),
                        Step.Move.NONE, draining ? -1 : learner);
            }
            if (group.matchSlots().getOrDefault(learner, -1L) < group.chosenUpTo()) {
                if (group.learnerForMs().getOrDefault(learner, 0L) > settings.learnerPatienceMs()) {
                    return new Step.Propose(c.without(learner), "learner " + learner + " did not catch up within "
                            + settings.learnerPatienceMs() + " ms", Step.Move.NONE, learner);
                }
                return NONE;
            }
            if (!leaving.isEmpty()) {
                int gone = leaving.get(0);
                return new Step.Propose(swap(c, gone, learner), "replaces voter " + gone + " (" + why(nodes, gone) + ") by " + learner);
            }
            if (c.voters().size() < settings.replicationFactor()) {
                return new Step.Propose(c.promote(learner), "learner " + learner + " makes the group whole");
            }
            Integer crowded = crowdedVoter(c, learner, nodes, replicasByNode, learnersByNode);
            if (crowded != null) {
                return new Step.Propose(swap(c, crowded, learner), "replaces voter " + crowded + " by " + learner + " to even out "
                        + "replicas (" + load(replicasByNode, crowded) + " and " + load(replicasByNode, learner) + ")");
            }
            return new Step.Propose(c.without(learner), "learner " + learner + " is no longer needed");
        }
        if (!leaving.isEmpty() || c.voters().size() < settings.replicationFactor()) {
            Integer newcomer = placeFor(c, leaving, group.avoid(), nodes, replicasByNode, settings);
            if (newcomer == null) return NONE;
            String why = leaving.isEmpty() ? "the group has " + c.voters().size() + " voters"
                    : "voter " + leaving.get(0) + " is " + why(nodes, leaving.get(0));
            return new Step.Propose(c.withLearner(newcomer), "node " + newcomer + " becomes a learner: " + why, Step.Move.REPAIR);
        }
        return rebalance(c, group.avoid(), nodes, replicasByNode, learnersByNode, settings);
    }

    /** Voters to replace: those silent for {@link Settings#replaceAfterMs} first, then those draining. */
    private static List<Integer> leavingVoters(Configuration c, Map<Integer, Node> nodes, Settings settings) {
        List<Integer> leaving = new ArrayList<>();
        for (int v : c.voters()) {
            if (silentFor(nodes, v) >= settings.replaceAfterMs()) leaving.add(v);
        }
        for (int v : c.voters()) {
            Node n = nodes.get(v);
            if (n != null && n.draining() && !leaving.contains(v)) leaving.add(v);
        }
        return leaving;
    }

    private static String why(Map<Integer, Node> nodes, int voter) {
        Node n = nodes.get(voter);
        if (n == null) return "not known";
        return n.silentForMs() > 0 && !n.draining() ? "silent for " + n.silentForMs() + " ms" : "draining";
    }

    /** {@code c}'s next version with learner {@code in} voting in {@code out}'s place. */
    private static Configuration swap(Configuration c, int out, int in) {
        List<Integer> voters = new ArrayList<>(c.voters());
        voters.remove((Integer) out);
        voters.add(in);
        List<Integer> learners = new ArrayList<>(c.learners());
        learners.remove((Integer) in);
        return new Configuration(c.version() + 1, voters, learners);
    }

    /**
     * A move that evens out the replicas nodes hold: of the group's voters, the one whose node holds
     * most more replicas than the least loaded live node that could take its place (keeping the
     * group's zones distinct), when that is two or more, the one above the mean and the other below
     * it; the move narrows the gap, so moves converge to every node within one replica of the mean
     * (and two leaders that moved at once, on the same stale counts, do not move back and forth: a
     * node pushed past the mean gives nothing back to one still below it). A new learner, which
     * {@link #crowdedVoter} later swaps in.
     */
    private static Step rebalance(Configuration c, Set<Integer> avoid, Map<Integer, Node> nodes, Map<Integer, Integer> replicasByNode,
                                  Map<Integer, Integer> learnersByNode, Settings settings) {
        double mean = meanLoad(nodes, replicasByNode, settings);
        int bestFrom = -1;
        Node bestTo = null;
        for (int v : c.voters()) {
            if (!nodes.containsKey(v)) continue;
            Node to = nodes.values().stream()
                    .filter(n -> !c.isMember(n.id()) && !avoid.contains(n.id()) && !n.draining()
                            && n.silentForMs() <= settings.silenceLimitMs() && keepsZonesDistinct(c, v, n, nodes))
                    .min(Comparator.<Node>comparingInt(n -> load(replicasByNode, n.id())).thenComparingInt(Node::id))
                    .orElse(null);
            // v's votes (not its learners elsewhere) against everything to's node holds: the swap
            // that ends the move compares the same votes, so a move started is a move finished.
            int votes = load(replicasByNode, v) - load(learnersByNode, v);
            if (to == null || votes - load(replicasByNode, to.id()) < 2 || votes <= mean || load(replicasByNode, to.id()) >= mean) {
                continue;
            }
            if (bestTo == null || load(replicasByNode, v) - load(replicasByNode, to.id())
                    > load(replicasByNode, bestFrom) - load(replicasByNode, bestTo.id())) {
                bestFrom = v;
                bestTo = to;
            }
        }
        if (bestTo == null) return NONE;
        return new Step.Propose(c.withLearner(bestTo.id()), "node " + bestTo.id() + " becomes a learner to take over from voter "
                + bestFrom + " (they hold " + load(replicasByNode, bestTo.id()) + " and " + load(replicasByNode, bestFrom) + " replicas)", Step.Move.REBALANCE);
    }

    /**
     * The voter a caught-up learner should replace to even out replicas: one whose node votes in at
     * least two groups more than the learner's, the most loaded first, keeping the zones distinct;
     * null when none. Learners are left out of both counts (moves under way, this one included).
     */
    private static Integer crowdedVoter(Configuration c, int learner, Map<Integer, Node> nodes, Map<Integer, Integer> replicasByNode,
                                        Map<Integer, Integer> learnersByNode) {
        Node to = nodes.get(learner);
        Integer best = null;
        int bestLoad = 0;
        for (int v : c.voters()) {
            int votes = load(replicasByNode, v) - load(learnersByNode, v);
            if (votes < load(replicasByNode, learner) - load(learnersByNode, learner) + 2 || !keepsZonesDistinct(c, v, to, nodes)) continue;
            if (best == null || votes > bestLoad) {
                best = v;
                bestLoad = votes;
            }
        }
        return best;
    }

    /** True when {@code to} replacing voter {@code out} leaves no two voters in one zone (unless {@code out}'s zone is {@code to}'s). */
    private static boolean keepsZonesDistinct(Configuration c, int out, Node to, Map<Integer, Node> nodes) {
        Node from = nodes.get(out);
        if (from != null && from.zone().equals(to.zone())) return true;
        for (int v : c.voters()) {
            Node n = nodes.get(v);
            if (v != out && v != to.id() && n != null && n.zone().equals(to.zone())) return false;
        }
        return true;
    }

    /** The replicas per node that may hold them (live and not draining), on average. */
    private static double meanLoad(Map<Integer, Node> nodes, Map<Integer, Integer> replicasByNode, Settings settings) {
        int total = 0;
        int holders = 0;
        for (Map.Entry<Integer, Integer> e : replicasByNode.entrySet()) total += e.getValue();
        for (Node n : nodes.values()) {
            if (!n.draining() && n.silentForMs() <= settings.silenceLimitMs()) holders++;
        }
        return holders == 0 ? 0 : (double) total / holders;
    }

    private static int load(Map<Integer, Integer> replicasByNode, int node) {
        return replicasByNode.getOrDefault(node, 0);
    }

    /**
     * Where a new replica of the group goes: a live node that is no member and not draining, in a
     * zone the voters that stay do not cover if any, then the one holding fewest replicas, then the
     * lowest id; null when there is none.
     */
    static Integer placeFor(Configuration c, List<Integer> leaving, Set<Integer> avoid, Map<Integer, Node> nodes,
                            Map<Integer, Integer> replicasByNode, Settings settings) {
        Set<String> coveredZones = new HashSet<>();
        for (int v : c.voters()) {
            Node n = nodes.get(v);
            if (n != null && !leaving.contains(v)) coveredZones.add(n.zone());
        }
        return nodes.values().stream()
                .filter(n -> !c.isMember(n.id()) && !avoid.contains(n.id()) && !n.draining() && n.silentForMs() <= settings.silenceLimitMs())
                .min(Comparator.<Node>comparingInt(n -> coveredZones.contains(n.zone()) ? 1 : 0)
                        .thenComparingInt(n -> load(replicasByNode, n.id()))
                        .thenComparingInt(Node::id))
                .map(Node::id)
                .orElse(null);
    }

    /**
     * Where a global index partition's replicas go next, or null to leave them: a node silent for
     * {@link Settings#replaceAfterMs}, or draining, is replaced by a live node (as {@link #placeFor}
     * chooses), and a partition short of {@link Settings#replicationFactor} replicas grows. Index
     * partitions are not replica groups (they are derived from the table's changes, and a new
     * replica reads its index topic from the start), so a replica moves in one step; a draining
     * node with nowhere to go keeps its replica, and a dead one with nowhere to go is dropped as long
     * as another stays.
     */
    public static List<Integer> nextIndexReplicas(List<Integer> replicas, Map<Integer, Node> nodes, Map<Integer, Integer> replicasByNode,
                                                  Settings settings) {
        List<Integer> next = new ArrayList<>();
        List<Integer> leaving = new ArrayList<>();
        for (int id : replicas) {
            Node n = nodes.get(id);
            if (n == null || n.silentForMs() >= settings.replaceAfterMs() || n.draining()) leaving.add(id);
            else next.add(id);
        }
        List<Integer> stuck = new ArrayList<>();
        for (int gone : leaving) {
            Integer newcomer = placeFor(Configuration.initial(union(next, leaving)), leaving, Set.of(), nodes, replicasByNode, settings);
            if (newcomer != null) {
                next.add(newcomer);
            } else if (nodes.containsKey(gone) && nodes.get(gone).draining() && nodes.get(gone).silentForMs() < settings.replaceAfterMs()) {
                stuck.add(gone);
            }
        }
        next.addAll(stuck);
        while (next.size() < settings.replicationFactor()) {
            Integer newcomer = placeFor(Configuration.initial(next.isEmpty() ? replicas : next), List.of(), Set.of(), nodes,
                    replicasByNode, settings);
            if (newcomer == null || next.contains(newcomer)) break;
            next.add(newcomer);
        }
        return next.isEmpty() || new java.util.HashSet<>(next).equals(new java.util.HashSet<>(replicas)) ? null : next;
    }

    private static List<Integer> union(List<Integer> a, List<Integer> b) {
        List<Integer> all = new ArrayList<>(a);
        for (int id : b) {
            if (!all.contains(id)) all.add(id);
        }
        return all;
    }

    private static long silentFor(Map<Integer, Node> nodes, int id) {
        Node n = nodes.get(id);
        return n == null ? Long.MAX_VALUE : n.silentForMs();
    }
}
