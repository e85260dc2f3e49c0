package io.dynalog.ingest.replication;

import io.dynalog.ingest.paxos.Role;
import io.dynalog.topology.wal.Configuration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where each replica group's leadership belongs, and which hand-overs a node makes to get there.
 *
 * <p>A group's preferred leader is one of the voters of its configuration, picked by the group's
 * id: the partitions of a table take the voters in turn, and tables start the turn at different
 * voters, so leaders spread evenly over the nodes, and so over the zones (a group's voters are in
 * distinct zones). A leader hands over to its preferred member only when that member is healthy
 * (it acknowledged an Accept sent within {@code ackAgeLimitMs}, so it is up and reachable, and
 * has acknowledged without a gap for {@code minAckStreakMs}, so a node that has just started is
 * not handed leaderships before its replicas have caught up) and the leader is ready; so a
 * restarted node gets its share back, and a node that is down keeps none. A draining node is
 * preferred by no group (unless every voter is draining), so it hands its leaderships over. Pure;
 * the runtime applies it ({@link ReplicationRuntime#balanceLeaders}).
 */
public final class LeaderBalance {
    private LeaderBalance() {}

    /** A hand-over to make: the group this node leads, and the member it goes to. */
    public record HandOver(GroupId group, int target) {}

    public static int preferredLeader(GroupId group, Configuration configuration) {
        return preferredLeader(group, configuration, Set.of());
    }

    /** The group's preferred leader among the voters not {@code draining} (among all of them, if every one is). */
    public static int preferredLeader(GroupId group, Configuration configuration, Set<Integer> draining) {
        List<Integer> voters = new ArrayList<>(configuration.voters());
        voters.removeAll(draining);
        if (voters.isEmpty()) voters = configuration.voters();
        return voters.get(Math.floorMod(Long.hashCode(group.tableId()) + group.partition(), voters.size()));
    }

    /**
     * Preferred leaders of many groups at once, spread as evenly over the nodes as the groups'
     * voters allow: first each group's own turn ({@link #preferredLeader}), then, while some node
     * is preferred by two or more groups more than a node it can reach (through a chain of groups,
     * each preferring one of its voters that is another group's voter), one group along the chain
     * moves to the next voter. Each shift narrows the spread, so this ends with no such chain, as
     * even as the voters allow. Deterministic: every node that knows the same groups (the catalog's)
     * computes the same.
     */
    public static Map<GroupId, Integer> preferredLeaders(Map<GroupId, Configuration> groups, Set<Integer> draining) {
        List<GroupId> order = new ArrayList<>(groups.keySet());
        order.sort(java.util.Comparator.comparingLong(GroupId::tableId).thenComparingInt(GroupId::partition));
        Map<GroupId, Integer> preferred = new java.util.LinkedHashMap<>();
        java.util.TreeMap<Integer, Integer> led = new java.util.TreeMap<>();
        for (GroupId group : order) {
            int turn = preferredLeader(group, groups.get(group), draining);
            preferred.put(group, turn);
            led.merge(turn, 1, Integer::sum);
            for (int v : groups.get(group).voters()) {
                if (!draining.contains(v)) led.putIfAbsent(v, 0);
            }
        }
        while (shiftAlongAChain(groups, draining, preferred, led)) {
            // each shift moves one leadership from a most preferred node towards a least preferred one
        }
        return preferred;
    }

    /**
     * Finds, from the nodes most preferred down, a chain of groups ending at a node preferred two
     * or more times fewer, and moves one preference along it; false when there is none.
     */
    private static boolean shiftAlongAChain(Map<GroupId, Configuration> groups, Set<Integer> draining, Map<GroupId, Integer> preferred,
                                            java.util.TreeMap<Integer, Integer> led) {
        Map<Integer, List<GroupId>> preferring = new java.util.HashMap<>();
        preferred.forEach((g, v) -> preferring.computeIfAbsent(v, k -> new ArrayList<>()).add(g));
        List<Integer> sources = new ArrayList<>(led.keySet());
        sources.sort(java.util.Comparator.<Integer>comparingInt(led::get).reversed().thenComparingInt(v -> v));
        for (int source : sources) {
            Map<Integer, GroupId> reachedThrough = new java.util.HashMap<>();
            java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>(List.of(source));
            reachedThrough.put(source, null);
            while (!queue.isEmpty()) {
                int from = queue.poll();
                for (GroupId g : preferring.getOrDefault(from, List.of())) {
                    for (int to : groups.get(g).voters()) {
                        if (reachedThrough.containsKey(to) || draining.contains(to)) continue;
                        reachedThrough.put(to, g);
                        if (led.get(to) <= led.get(source) - 2) {
                            for (int at = to; at != source; ) {
                                GroupId step = reachedThrough.get(at);
                                int before = preferred.put(step, at);
                                at = before;
                            }
                            led.merge(source, -1, Integer::sum);
                            led.merge(to, 1, Integer::sum);
                            return true;
                        }
                        queue.add(to);
                    }
                }
            }
        }
        return false;
    }

    /**
     * The hand-overs node {@code selfId} should start now, given its members' statuses, the
     * preferred leaders of the groups the cluster knows ({@link #preferredLeaders}; a group missing
     * there, or whose preferred member no longer votes, takes its own turn) and the nodes being
     * drained: at most {@code maxHandOvers}.
     */
    public static List<HandOver> handOvers(int selfId, Map<GroupId, ReplicationRuntime.MemberStatus> statuses,
                                           long ackAgeLimitMs, long minAckStreakMs, int maxHandOvers,
                                           Map<GroupId, Integer> preferredLeaders, Set<Integer> draining) {
        List<HandOver> out = new ArrayList<>();
        for (Map.Entry<GroupId, ReplicationRuntime.MemberStatus> e : statuses.entrySet()) {
            if (out.size() >= maxHandOvers) break;
            ReplicationRuntime.MemberStatus s = e.getValue();
            if (s.role() != Role.LEADER || !s.leaderReady() || !s.configuration().isVoter(selfId)) continue;
            Integer spread = preferredLeaders.get(e.getKey());
            int preferred = spread != null && s.configuration().isVoter(spread) && !draining.contains(spread) ? spread
                    : preferredLeader(e.getKey(), s.configuration(), draining);
            if (preferred == selfId) continue;
            Long ackAgeMs = s.followerAckAgesMs().get(preferred);
            Long streakMs = s.followerAckStreaksMs().get(preferred);
            if (ackAgeMs != null && ackAgeMs <= ackAgeLimitMs && streakMs != null && streakMs >= minAckStreakMs) {
                out.add(new HandOver(e.getKey(), preferred));
            }
        }
        return out;
    }
}
