package io.dynalog.topology.placement;

import java.util.Objects;

/**
 * A node of the cluster as the others need to know it: its id, its availability zone, where it
 * serves the DynamoDB API and where its peers reach it.
 */
public record NodeInfo(int nodeId, String zone, String apiHost, int apiPort, String peerHost, int peerPort) {
    public NodeInfo {
        if (nodeId < 1) throw new IllegalArgumentException("node ids start at 1, got " + nodeId);
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(apiHost, "apiHost");
        Objects.requireNonNull(peerHost, "peerHost");
    }
}
