package io.dynalog.ingest.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Frames between two transports over real loopback sockets. */
class TcpPeerTransportTest {
    Vertx vertx;
    TcpPeerTransport one;
    TcpPeerTransport two;
    final List<String> receivedByTwo = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        one = TcpPeerTransport.start(vertx, 1, "127.0.0.1", 0).get(5, TimeUnit.SECONDS);
        two = TcpPeerTransport.start(vertx, 2, "127.0.0.1", 0).get(5, TimeUnit.SECONDS);
        two.onFrame((from, frame) -> receivedByTwo.add(from + ":" + ByteBuffer.wrap(frame).getInt() + ":" + frame.length));
        one.addPeer(2, "127.0.0.1", two.port());
        two.addPeer(1, "127.0.0.1", one.port());
    }

    @AfterEach
    void stop() {
        one.close();
        two.close();
        vertx.close().await();
    }

    static byte[] frame(int n, int length) {
        return ByteBuffer.allocate(Math.max(4, length)).putInt(n).array();
    }

    @Test
    void framesArriveInOrderWithTheSendersId() {
        for (int i = 0; i < 1000; i++) assertThat(one.send(2, frame(i, 4 + (i % 7) * 100))).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receivedByTwo.size() == 1000);
        for (int i = 0; i < 1000; i++) assertThat(receivedByTwo.get(i)).isEqualTo("1:" + i + ":" + (4 + (i % 7) * 100));
    }

    @Test
    void largeFramesAndUnknownPeers() {
        assertThat(one.send(2, frame(7, TcpPeerTransport.MAX_FRAME_BYTES))).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receivedByTwo.contains("1:7:" + TcpPeerTransport.MAX_FRAME_BYTES));
        assertThat(one.send(2, frame(8, TcpPeerTransport.MAX_FRAME_BYTES + 1))).as("over the limit: not sent").isFalse();
        assertThat(one.send(99, frame(1, 4))).isFalse();
    }

    /** A peer that sends a frame over the limit (misconfigured) loses that frame, not the connection every group shares. */
    @Test
    void anOversizedFrameReceivedIsDroppedAndTheConnectionStays() throws Exception {
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", two.port())) {
            java.io.DataOutputStream out = new java.io.DataOutputStream(raw.getOutputStream());
            out.writeInt(TcpPeerTransport.MAGIC);
            out.writeInt(3);
            byte[] big = frame(1, TcpPeerTransport.MAX_FRAME_BYTES + 10);
            out.writeInt(big.length);
            out.write(big);
            out.writeInt(4);
            out.write(frame(2, 4));
            out.flush();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receivedByTwo.contains("3:2:4"));
            assertThat(receivedByTwo).containsExactly("3:2:4");
        }
    }

    @Test
    void aRestartedPeerIsReachedAgain() throws Exception {
        one.send(2, frame(1, 4));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> receivedByTwo.size() == 1);
        int port = two.port();
        two.close();
        // The port may be released a moment after the close (or taken meanwhile): a restarted node tries again.
        TcpPeerTransport again = Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> TcpPeerTransport.start(vertx, 2, "127.0.0.1", port).get(5, TimeUnit.SECONDS),
                        java.util.Objects::nonNull);
        try {
            List<Integer> received = new CopyOnWriteArrayList<>();
            again.onFrame((from, f) -> received.add(ByteBuffer.wrap(f).getInt()));
            // Frames sent while the connection is down or being re-opened may be lost; later ones arrive.
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                one.send(2, frame(2, 4));
                return received.contains(2);
            });
        } finally {
            again.close();
        }
    }
}
