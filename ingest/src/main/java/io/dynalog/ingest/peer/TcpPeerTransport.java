package io.dynalog.ingest.peer;

import io.dynalog.topology.time.Time;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PeerTransport} over TCP with Vert.x: one outgoing connection per peer, opened on first
 * use and re-opened after a failure (at most every {@value #RECONNECT_DELAY_MS} ms), and a server
 * that accepts the peers' connections.
 *
 * <p>Wire format: a connection starts with a hello ({@value #MAGIC} then the sender's node id,
 * both 4-byte big-endian ints); then each frame is a 4-byte big-endian length and that many
 * bytes. A frame longer than {@value #MAX_FRAME_BYTES} is never sent (the replica groups bound
 * what they send well below it), and one received is read past and dropped, so the connection,
 * which every group shares, stays up; only a length no sender can have meant
 * (above {@value #MAX_SKIPPED_FRAME_BYTES}, or negative) or a bad hello closes it.
 * While a connection is being opened, frames for it queue up to {@value #MAX_QUEUED_FRAMES};
 * beyond that they are dropped (the protocols on top retry).
 */
public final class TcpPeerTransport implements PeerTransport {
    private static final Logger log = LoggerFactory.getLogger(TcpPeerTransport.class);
    static final int MAGIC = 0x44594E31; // "DYN1": the transport's version
    /** The largest frame sent or delivered: a Paxos batch or promise page (1 MB) plus one entry of a 400 KB item. */
    static final int MAX_FRAME_BYTES = 4 * 1024 * 1024;
    /** A longer frame (from a misconfigured peer) is read past and dropped; a length beyond this is garbage. */
    static final int MAX_SKIPPED_FRAME_BYTES = 64 * 1024 * 1024;
    static final int MAX_QUEUED_FRAMES = 10_000;
    static final long RECONNECT_DELAY_MS = 200;
    /** Bytes a connection may have waiting to be written before frames to that peer are dropped. */
    static final int MAX_WRITE_QUEUE_BYTES = 64 * 1024 * 1024;

    private final Vertx vertx;
    private final int selfId;
    private final Time time;
    private final NetClient client;
    private final NetServer server;
    private final Map<Integer, Peer> peers = new ConcurrentHashMap<>();
    private volatile BiConsumer<Integer, byte[]> handler = (from, frame) -> { };
    private volatile boolean closed;

    private TcpPeerTransport(Vertx vertx, int selfId, Time time) {
        this.vertx = vertx;
        this.selfId = selfId;
        this.time = time;
        this.client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(2_000));
        this.server = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true));
    }

    /** Starts listening on {@code host:port} (port 0 picks one); completes with the bound port. */
    public static CompletableFuture<TcpPeerTransport> start(Vertx vertx, int selfId, String host, int port) {
        return start(vertx, selfId, host, port, Time.SYSTEM);
    }

    /** As {@link #start(Vertx, int, String, int)}, reading {@code time}'s monotonic clock for reconnection delays. */
    public static CompletableFuture<TcpPeerTransport> start(Vertx vertx, int selfId, String host, int port, Time time) {
        TcpPeerTransport t = new TcpPeerTransport(vertx, selfId, time);
        t.server.connectHandler(t::accept);
        return t.server.listen(port, host).toCompletionStage().toCompletableFuture().thenApply(s -> t);
    }

    public int port() {
        return server.actualPort();
    }

    @Override
    public void onFrame(BiConsumer<Integer, byte[]> handler) {
        this.handler = handler;
    }

    @Override
    public void addPeer(int nodeId, String host, int port) {
        if (nodeId == selfId) return;
        peers.compute(nodeId, (id, old) -> {
            if (old != null && old.host.equals(host) && old.port == port) return old;
            if (old != null) old.close();
            return new Peer(nodeId, host, port);
        });
    }

    @Override
    public boolean send(int toNodeId, byte[] frame) {
        if (frame.length > MAX_FRAME_BYTES) {
            log.error("a frame of {} bytes for node {} is over the {} byte limit: not sent", frame.length, toNodeId, MAX_FRAME_BYTES);
            return false;
        }
        Peer peer = peers.get(toNodeId);
        if (peer == null || closed) return false;
        return peer.send(frame);
    }

    private void accept(NetSocket socket) {
        int[] from = {-1};
        RecordParser parser = RecordParser.newFixed(8);
        boolean[] expectLength = {false};
        boolean[] dropNext = {false};
        parser.handler(buffer -> {
            if (from[0] < 0) {
                if (buffer.getInt(0) != MAGIC) {
                    log.warn("peer connection from {} without the Dynalog hello: closed", socket.remoteAddress());
                    socket.close();
                    return;
                }
                from[0] = buffer.getInt(4);
                parser.fixedSizeMode(4);
                expectLength[0] = true;
                return;
            }
            if (expectLength[0]) {
                int length = buffer.getInt(0);
                if (length < 0 || length > MAX_SKIPPED_FRAME_BYTES) {
                    log.warn("frame of {} bytes from node {}: the stream is garbled, connection closed", length, from[0]);
                    socket.close();
                    return;
                }
                if (length > MAX_FRAME_BYTES) {
                    log.warn("frame of {} bytes from node {} is over the {} byte limit: dropped", length, from[0], MAX_FRAME_BYTES);
                    dropNext[0] = true;
                }
                if (length == 0) {
                    deliver(from[0], new byte[0]);
                    return;
                }
                parser.fixedSizeMode(length);
                expectLength[0] = false;
                return;
            }
            if (dropNext[0]) {
                dropNext[0] = false;
            } else {
                deliver(from[0], buffer.getBytes());
            }
            parser.fixedSizeMode(4);
            expectLength[0] = true;
        });
        socket.handler(parser);
        socket.exceptionHandler(e -> log.debug("peer connection from {} failed", socket.remoteAddress(), e));
    }

    private void deliver(int from, byte[] frame) {
        try {
            handler.accept(from, frame);
        } catch (RuntimeException e) {
            log.error("frame handler failed on a frame from node {}", from, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        peers.values().forEach(Peer::close);
        peers.clear();
        try {
            client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("peer transport did not close cleanly", e);
        }
    }

    /** The outgoing side of one peer: a connection, or frames waiting for one. */
    private final class Peer {
        final int nodeId;
        final String host;
        final int port;
        private NetSocket socket;
        private boolean connecting;
        private long nextAttemptMs;
        private final java.util.ArrayDeque<byte[]> waiting = new java.util.ArrayDeque<>();
        private boolean peerClosed;
        /** Bytes handed to the socket and not yet written out. */
        private final java.util.concurrent.atomic.AtomicLong unwrittenBytes = new java.util.concurrent.atomic.AtomicLong();

        private void write(NetSocket s, byte[] frame) {
            int size = 4 + frame.length;
            unwrittenBytes.addAndGet(size);
            s.write(framed(frame)).onComplete(ar -> unwrittenBytes.addAndGet(-size));
        }

        Peer(int nodeId, String host, int port) {
            this.nodeId = nodeId;
            this.host = host;
            this.port = port;
        }

        synchronized boolean send(byte[] frame) {
            if (peerClosed) return false;
            if (socket != null) {
                // A peer that does not keep up loses frames rather than this node's memory.
                if (unwrittenBytes.get() > MAX_WRITE_QUEUE_BYTES) return false;
                write(socket, frame);
                return true;
            }
            if (waiting.size() >= MAX_QUEUED_FRAMES) return false;
            waiting.add(frame);
            connect();
            return true;
        }

        private void connect() {
            long now = time.monotonicMs();
            if (connecting || now < nextAttemptMs) return;
            connecting = true;
            client.connect(port, host).onComplete(ar -> {
                synchronized (Peer.this) {
                    connecting = false;
                    if (ar.failed() || peerClosed) {
                        nextAttemptMs = time.monotonicMs() + RECONNECT_DELAY_MS;
                        if (ar.failed()) {
                            log.debug("cannot connect to node {} at {}:{}: {}", nodeId, host, port, ar.cause().toString());
                            // Frames wait for the next send's attempt; too old ones are of no use to Paxos.
                            waiting.clear();
                        } else {
                            ar.result().close();
                        }
                        return;
                    }
                    NetSocket s = ar.result();
                    s.closeHandler(v -> {
                        synchronized (Peer.this) {
                            if (socket == s) socket = null;
                        }
                    });
                    s.exceptionHandler(e -> log.debug("connection to node {} failed", nodeId, e));
                    s.handler(b -> { });
                    s.write(Buffer.buffer(8).appendInt(MAGIC).appendInt(selfId));
                    for (byte[] f : waiting) write(s, f);
                    waiting.clear();
                    socket = s;
                }
            });
        }

        synchronized void close() {
            peerClosed = true;
            waiting.clear();
            if (socket != null) socket.close();
            socket = null;
        }
    }

    private static Buffer framed(byte[] frame) {
        return Buffer.buffer(4 + frame.length).appendInt(frame.length).appendBytes(frame);
    }
}
