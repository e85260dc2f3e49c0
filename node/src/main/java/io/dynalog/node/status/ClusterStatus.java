package io.dynalog.node.status;

import java.util.List;

/**
 * The cluster as its nodes report it at one moment ({@link ClusterStatusCollector}): every node
 * with its zone, state and load; every replica group with its configuration, leader and how far
 * each member lags; and the membership moves in progress. Served as JSON at
 * {@link StatusEndpoints#CLUSTER_PATH}, printed by {@code dynalog cluster status}.
 *
 * @param nodes  every node the cluster knows, by id
 * @param groups every replica group some reachable node is in, by table and partition
 * @param moves  membership changes under way: replicas being copied in as learners
 */
public record ClusterStatus(List<Node> nodes, List<Group> groups, List<Move> moves) {

    /**
     * @param state    {@code up} when it answered; {@code draining} while a drained node still holds
     *                 replicas (of groups or of index partitions), {@code drained} once it holds none
     *                 (it may be stopped); else
     *                 {@code unreachable} (with {@code error})
     * @param replicas the replica groups it is a member of
     * @param leaders  the groups it leads
     * @param indexReplicas the global index partitions it holds a replica of
     */
    public record Node(int nodeId, String zone, String address, String state, int replicas, int leaders, String error,
                       int indexReplicas) {}

    /**
     * @param leader               the member that leads and says so, or -1 when none does
     * @param configurationVersion the highest configuration version a member knows chosen
     * @param voters               that configuration's voters
     * @param learners             that configuration's learners
     * @param members              every node that reported a member of the group
     */
    public record Group(String table, long tableId, int partition, int leader, long configurationVersion,
                        List<Integer> voters, List<Integer> learners, List<GroupMember> members) {}

    /**
     * @param lagSlots        slots chosen at the leader that this member has not learned (or archived); -1 when no leader is known
     * @param replicaLagSlots slots chosen at the leader that this member's replica has not applied yet (a
     *                        new member's replica is rebuilt from the WAL: it is a full member once this is
     *                        small); -1 when no leader is known or the member has no replica yet
     */
    public record GroupMember(int nodeId, String role, long chosenUpTo, long lagSlots, long replicaLagSlots) {}

    /** A membership change under way: the group, what it does, and how far it got. */
    public record Move(String table, int partition, String description, String progress) {}
}
