package io.dynalog.ingest.replication;

import io.dynalog.ingest.paxos.Role;
import io.dynalog.topology.wal.Configuration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
 * restarted node gets its share back, and a node that is down keeps none. Pure; the runtime
 * applies it ({@link ReplicationRuntime#balanceLeaders}).
 */
public final class LeaderBalance {
    private LeaderBalance() {}

    /** A hand-over to make: the group this node leads, and the member it goes to. */
    public record HandOver(GroupId group, int target) {}

    public static int preferredLeader(GroupId group, Configuration configuration) {
        List<Integer> voters = configuration.voters();
        return voters.get(Math.floorMod(Long.hashCode(group.tableId()) + group.partition(), voters.size()));
    }

    /** The hand-overs node {@code selfId} should start now, given its members' statuses: at most {@code maxHandOvers}. */
    public static List<HandOver> handOvers(int selfId, Map<GroupId, ReplicationRuntime.MemberStatus> statuses,
                                           long ackAgeLimitMs, long minAckStreakMs, int maxHandOvers) {
        List<HandOver> out = new ArrayList<>();
        for (Map.Entry<GroupId, ReplicationRuntime.MemberStatus> e : statuses.entrySet()) {
            if (out.size() >= maxHandOvers) break;
            ReplicationRuntime.MemberStatus s = e.getValue();
            if (s.role() != Role.LEADER || !s.leaderReady() || !s.configuration().isVoter(selfId)) continue;
            int preferred = preferredLeader(e.getKey(), s.configuration());
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
