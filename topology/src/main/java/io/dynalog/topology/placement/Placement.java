package io.dynalog.topology.placement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chooses the nodes that hold a partition's replicas.
 *
 * <p>Rules: a partition gets {@code replicationFactor} replicas on nodes of distinct zones; with
 * fewer zones than that, one replica per zone (a one-node cluster has groups of one). The first
 * replica is the preferred leader. Partitions are spread: consecutive partitions start at
 * consecutive zones and, within a zone, at consecutive nodes, so leaders and replicas are balanced
 * over nodes and zones.
 *
 * <p>The choice is a pure function of the partition index and the set of nodes (ordered by id,
 * zones by name), so every node computes the same placement; it is computed once, when a table
 * is created, and recorded in the catalog, so nodes joining later move nothing.
 */
public final class Placement {
    /** Replicas per partition in a cluster with enough zones. */
    public static final int DEFAULT_REPLICATION_FACTOR = 3;

    private Placement() {}

    /** The node ids of a partition's replicas, preferred leader first. */
    public static List<Integer> replicas(int partitionIndex, Collection<NodeInfo> nodes, int replicationFactor) {
        if (nodes.isEmpty()) throw new IllegalArgumentException("no nodes to place partition " + partitionIndex + " on");
        if (partitionIndex < 0) throw new IllegalArgumentException("partition index must be >= 0");
        Map<String, List<NodeInfo>> byZone = new TreeMap<>();
        for (NodeInfo n : nodes) byZone.computeIfAbsent(n.zone(), z -> new ArrayList<>()).add(n);
        byZone.values().forEach(list -> list.sort(Comparator.comparingInt(NodeInfo::nodeId)));
        List<List<NodeInfo>> zones = new ArrayList<>(byZone.values());
        int count = Math.min(replicationFactor, zones.size());
        List<Integer> replicas = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            List<NodeInfo> zone = zones.get((partitionIndex + i) % zones.size());
            int round = partitionIndex / zones.size();
            replicas.add(zone.get(Math.floorMod(round + i, zone.size())).nodeId());
        }
        return replicas;
    }

    /** The replicas of every partition of a table of {@code partitionCount} partitions. */
    public static List<List<Integer>> table(int partitionCount, Collection<NodeInfo> nodes, int replicationFactor) {
        List<List<Integer>> all = new ArrayList<>(partitionCount);
        for (int p = 0; p < partitionCount; p++) all.add(List.copyOf(replicas(p, nodes, replicationFactor)));
        return all;
    }
}
