package io.dynalog.ingest.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.ingest.paxos.Role;
import io.dynalog.topology.wal.Configuration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaderBalanceTest {
    static final Configuration THREE = Configuration.initial(List.of(1, 2, 3));

    static ReplicationRuntime.MemberStatus leading(Map<Integer, Long> ackAgesMs, Map<Integer, Long> streaksMs) {
        return new ReplicationRuntime.MemberStatus(Role.LEADER, 1, true, true, 10, 5, THREE, Map.of(), ackAgesMs, streaksMs);
    }

    @Test
    void theGroupsOfATableTakeTheirVotersInTurn() {
        for (long tableId : List.of(7L, 0x5eedL, -3L)) {
            Map<Integer, Integer> led = new HashMap<>();
            for (int p = 0; p < 6; p++) led.merge(LeaderBalance.preferredLeader(new GroupId(tableId, p), THREE), 1, Integer::sum);
            assertThat(led).as("table %d", tableId).containsOnlyKeys(1, 2, 3).allSatisfy((node, count) -> assertThat(count).isEqualTo(2));
        }
    }

    /**
     * Node 1 leads every partition: it hands over those whose preferred member is healthy
     * (acknowledged lately, and for long enough without a gap), at most two.
     */
    @Test
    void aLeaderHandsOverOnlyToAHealthyPreferredMemberAFewAtATime() {
        Map<GroupId, ReplicationRuntime.MemberStatus> statuses = new LinkedHashMap<>();
        for (int p = 0; p < 6; p++) {
            statuses.put(new GroupId(9, p), leading(Map.of(2, 50L, 3, Long.MAX_VALUE), Map.of(2, 40_000L, 3, 0L)));
        }
        List<LeaderBalance.HandOver> handOvers = LeaderBalance.handOvers(1, statuses, 200, 30_000, 10, Map.of(), Set.of());
        assertThat(handOvers).isNotEmpty().allSatisfy(h -> {
            assertThat(h.target()).as("3 never acknowledged").isEqualTo(2);
            assertThat(LeaderBalance.preferredLeader(h.group(), THREE)).isEqualTo(2);
        });
        assertThat(handOvers).hasSize(2);
        assertThat(LeaderBalance.handOvers(1, statuses, 200, 30_000, 1, Map.of(), Set.of())).hasSize(1);
        assertThat(LeaderBalance.handOvers(1, statuses, 10, 30_000, 10, Map.of(), Set.of())).as("2's acknowledgement is too old").isEmpty();
        assertThat(LeaderBalance.handOvers(1, statuses, 200, 60_000, 10, Map.of(), Set.of())).as("2 has not answered long enough").isEmpty();

        Map<GroupId, ReplicationRuntime.MemberStatus> notReady = Map.of(new GroupId(9, 1), new ReplicationRuntime.MemberStatus(
                Role.LEADER, 1, false, true, 10, 5, THREE, Map.of(), Map.of(2, 1L, 3, 1L), Map.of(2, 40_000L, 3, 40_000L)));
        assertThat(LeaderBalance.handOvers(1, notReady, 200, 30_000, 10, Map.of(), Set.of())).isEmpty();
    }

    /** A draining node is nobody's preferred leader: it hands every group it leads to a healthy voter. */
    @Test
    void aDrainingLeaderHandsEveryGroupOver() {
        Map<GroupId, ReplicationRuntime.MemberStatus> statuses = new LinkedHashMap<>();
        for (int p = 0; p < 6; p++) {
            statuses.put(new GroupId(9, p), leading(Map.of(2, 50L, 3, 50L), Map.of(2, 40_000L, 3, 40_000L)));
        }
        List<LeaderBalance.HandOver> handOvers = LeaderBalance.handOvers(1, statuses, 200, 30_000, 10, Map.of(), Set.of(1));
        assertThat(handOvers).hasSize(6).allSatisfy(h -> assertThat(h.target()).isIn(2, 3));
        assertThat(LeaderBalance.preferredLeader(new GroupId(9, 0), THREE, Set.of(1, 2, 3))).as("all draining: all count")
                .isEqualTo(LeaderBalance.preferredLeader(new GroupId(9, 0), THREE));
    }

    /**
     * Spread over the cluster: five nodes, groups of three voters each; every node is preferred by
     * as many groups as any other, within one, where a group's own turn would pile them up.
     */
    @Test
    void preferredLeadersSpreadOverEveryNode() {
        Map<GroupId, Configuration> groups = new java.util.HashMap<>();
        for (int p = 0; p < 10; p++) {
            List<Integer> voters = p % 2 == 0 ? List.of(1, 2, 3) : List.of(3, 4, 5);
            groups.put(new GroupId(77, p), Configuration.initial(voters));
        }
        Map<GroupId, Integer> preferred = LeaderBalance.preferredLeaders(groups, Set.of());
        Map<Integer, Integer> led = new java.util.TreeMap<>();
        preferred.forEach((g, v) -> {
            assertThat(groups.get(g).isVoter(v)).isTrue();
            led.merge(v, 1, Integer::sum);
        });
        assertThat(led.keySet()).containsExactly(1, 2, 3, 4, 5);
        assertThat(java.util.Collections.max(led.values()) - java.util.Collections.min(led.values())).as("%s", led).isLessThanOrEqualTo(1);
        assertThat(LeaderBalance.preferredLeaders(groups, Set.of())).as("the same everywhere").isEqualTo(preferred);
        assertThat(LeaderBalance.preferredLeaders(groups, Set.of(3)).values()).doesNotContain(3);
    }
}
