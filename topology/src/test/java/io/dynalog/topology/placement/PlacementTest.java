package io.dynalog.topology.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PlacementTest {
    static List<NodeInfo> nodes(int count, int zones) {
        List<NodeInfo> nodes = new ArrayList<>();
        for (int i = 1; i <= count; i++) nodes.add(new NodeInfo(i, "az" + (1 + (i - 1) % zones), "h", 8000 + i, "h", 7000 + i));
        return nodes;
    }

    @Test
    void threeNodesInThreeZonesHoldEveryPartitionWithLeadersSpread() {
        List<List<Integer>> table = Placement.table(6, nodes(3, 3), 3);
        Map<Integer, Integer> leaders = new HashMap<>();
        for (List<Integer> replicas : table) {
            assertThat(replicas).containsExactlyInAnyOrder(1, 2, 3);
            leaders.merge(replicas.get(0), 1, Integer::sum);
        }
        assertThat(leaders).containsEntry(1, 2).containsEntry(2, 2).containsEntry(3, 2);
    }

    @Test
    void fewerZonesMeanFewerReplicasAndOneNodeMeansGroupsOfOne() {
        assertThat(Placement.replicas(0, nodes(1, 1), 3)).containsExactly(1);
        assertThat(Placement.replicas(5, nodes(4, 2), 3)).hasSize(2);
    }

    @Property
    void replicasAreInDistinctZonesAndBalanced(@ForAll @IntRange(min = 1, max = 12) int nodeCount,
                                               @ForAll @IntRange(min = 1, max = 5) int zoneCount,
                                               @ForAll @IntRange(min = 1, max = 64) int partitions) {
        List<NodeInfo> nodes = nodes(nodeCount, zoneCount);
        int zones = Math.min(nodeCount, zoneCount);
        Map<Integer, String> zoneOf = new HashMap<>();
        nodes.forEach(n -> zoneOf.put(n.nodeId(), n.zone()));
        Map<Integer, Integer> load = new HashMap<>();
        Map<String, Integer> zoneUse = new HashMap<>();
        Map<String, Integer> zoneSize = new HashMap<>();
        nodes.forEach(n -> zoneSize.merge(n.zone(), 1, Integer::sum));
        for (int p = 0; p < partitions; p++) {
            List<Integer> replicas = Placement.replicas(p, nodes, 3);
            assertThat(replicas).hasSize(Math.min(3, zones));
            Set<String> distinct = new HashSet<>();
            replicas.forEach(r -> distinct.add(zoneOf.get(r)));
            assertThat(distinct).hasSize(replicas.size());
            replicas.forEach(r -> load.merge(r, 1, Integer::sum));
            distinct.forEach(z -> zoneUse.merge(z, 1, Integer::sum));
        }
        // Within a zone, the partitions placed there are spread evenly over its nodes.
        load.forEach((node, n) -> {
            String zone = zoneOf.get(node);
            int fair = (zoneUse.get(zone) + zoneSize.get(zone) - 1) / zoneSize.get(zone);
            assertThat(n).isLessThanOrEqualTo(fair + 1);
        });
    }
}
