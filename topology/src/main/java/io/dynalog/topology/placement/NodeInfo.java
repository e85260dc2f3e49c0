package io.dynalog.topology.placement;

import java.util.Objects;

/**
 * A node of the cluster as the others need to know it: its id, its availability zone, where it
 * serves the DynamoDB API and where its peers reach it, and whether it is being drained (every
 * replica and leadership moves off it, and it gets no new one).
 */
public record NodeInfo(int nodeId, String zone, String apiHost, int apiPort, String peerHost, int peerPort, boolean draining) {
    /** A node that is not draining. */
    public NodeInfo(int nodeId, String zone, String apiHost, int apiPort, String peerHost, int peerPort) {
        this(nodeId, zone, apiHost, apiPort, peerHost, peerPort, false);
    }

    public NodeInfo withDraining(boolean nowDraining) {
        return new NodeInfo(nodeId, zone, apiHost, apiPort, peerHost, peerPort, nowDraining);
    }

    public NodeInfo {
        if (nodeId < 1) throw new IllegalArgumentException("node ids start at 1, got " + nodeId);
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(apiHost, "apiHost");
        Objects.requireNonNull(peerHost, "peerHost");
    }
}
