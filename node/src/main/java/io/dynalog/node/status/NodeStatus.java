package io.dynalog.node.status;

import java.util.List;
import java.util.Map;

/**
 * What one node says of itself: who it is, and its member of every replica group it is in. Served
 * as JSON at {@link StatusEndpoints#NODE_PATH}; the cluster's status is gathered from these.
 *
 * @param nodeId this node
 * @param zone   its availability zone
 * @param groups its member of each replica group, by table and partition
 * @param indexReplicas the global index partitions it holds a replica of (the catalog's placement)
 */
public record NodeStatus(int nodeId, String zone, List<Member> groups, int indexReplicas) {

    /**
     * A node's member of one replica group, as the member itself knows it.
     *
     * @param table                the table's name ({@code "(catalog)"} for the catalog's group), or its id
     *                             in hex when the catalog does not know it (yet, or any more)
     * @param tableId              the table's incarnation
     * @param partition            the table partition
     * @param role                 FOLLOWER, PROSPECTIVE, CANDIDATE or LEADER
     * @param leader               the member it believes leads (itself when it does), or -1
     * @param leaderReady          a leader that serves (its recovery is done)
     * @param configurationVersion the version of the latest configuration it knows chosen
     * @param voters               that configuration's voters
     * @param learners             that configuration's learners
     * @param chosenUpTo           it learned every slot through this one
     * @param archivedSlot         the WAL holds every slot through this one
     * @param followerMatchSlots   at a leader, the slot through which each other member holds everything; else empty
     * @param replicaAppliedSlot   the slot through which this node's replica of the partition (its table
     *                             rows in RocksDB, built from the WAL) has applied every slot; -1 when it has none
     */
    public record Member(String table, long tableId, int partition, String role, int leader, boolean leaderReady,
                         long configurationVersion, List<Integer> voters, List<Integer> learners, long chosenUpTo,
                         long archivedSlot, Map<Integer, Long> followerMatchSlots, long replicaAppliedSlot) {}
}
