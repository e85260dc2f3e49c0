package io.dynalog.ingest.testing;

import io.dynalog.ingest.peer.PeerTransport;
import java.util.function.BiConsumer;

/** The transport of a group of one, which has no peers: nothing is sent, nothing arrives. */
public final class NoPeers implements PeerTransport {
    @Override
    public boolean send(int toNodeId, byte[] frame) {
        return false;
    }

    @Override
    public void onFrame(BiConsumer<Integer, byte[]> handler) {}

    @Override
    public void addPeer(int nodeId, String host, int port) {}

    @Override
    public void close() {}
}
