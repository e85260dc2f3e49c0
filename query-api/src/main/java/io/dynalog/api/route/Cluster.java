package io.dynalog.api.route;

import io.dynalog.topology.placement.NodeInfo;

/** The cluster as request routing needs it (wired in by the node from its membership view). */
public interface Cluster {
    int selfId();

    /** The node with this id, or null when it is not known (yet). */
    NodeInfo node(int nodeId);
}
