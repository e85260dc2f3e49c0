package io.dynalog.api.route;

import io.dynalog.topology.placement.NodeInfo;

/** The cluster as request routing needs it (wired in by the node from its membership view). */
public interface Cluster {
    int selfId();

    /** The node with this id, or null when it is not known (yet). */
    NodeInfo node(int nodeId);

    /**
     * True when this node's replica of partition {@code partition} of key space {@code keySpaceId}
     * (a table's, or a global index's) may answer eventually consistent reads: it has caught up
     * with its WAL at least once (a new member's is rebuilt first).
     */
    default boolean replicaReady(long keySpaceId, int partition) {
        return true;
    }
}
