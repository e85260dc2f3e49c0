package io.dynalog.ingest.peer;

import java.util.function.BiConsumer;

/**
 * Frames between nodes: every replica group of every partition shares one connection per pair of
 * nodes (multiplexed by what the frame says), and nothing is acknowledged at this level.
 *
 * <p>Delivery is best effort, as the protocols on top expect: a frame may be lost (a connection
 * drops, a queue is full) but is never corrupted, and frames from one node to another arrive in
 * the order sent while a connection lasts. Handlers are called on the transport's threads and
 * must hand work off rather than block.
 */
public interface PeerTransport extends AutoCloseable {
    /** Sends a frame to a node; returns false when it was dropped at once (unknown node, full queue). */
    boolean send(int toNodeId, byte[] frame);

    /** Sets who receives frames: (from node id, frame). Frames that arrive before are dropped. */
    void onFrame(BiConsumer<Integer, byte[]> handler);

    /** Tells the transport where a node listens; a changed address replaces the old connection. */
    void addPeer(int nodeId, String host, int port);

    @Override
    void close();
}
