package io.dynalog.node;

import io.dynalog.replica.CompactedTopicView;
import io.dynalog.topology.placement.NodeInfo;
import io.dynalog.topology.wire.NodeRecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's record in the nodes topic (compacted, keyed by node id): where it is, and whether it is
 * draining. The node announces itself at start and again every {@code ANNOUNCE_INTERVAL_MS}, so
 * that the record's time tells the others it is alive. Only the node itself writes its record
 * (so an announcement never undoes another writer's); a drain it keeps across restarts by reading
 * its last record back at start. A node that is gone for good is forgotten with a tombstone.
 */
final class NodeAnnouncer {
    private static final Logger log = LoggerFactory.getLogger(NodeAnnouncer.class);
    private static final long ANNOUNCE_WAIT_S = 30;

    private final Producer<byte[], byte[]> producer;
    private final String nodesTopic;
    private final CompactedTopicView<NodeInfo> nodes;
    private volatile NodeInfo self;

    /**
     * @param nodes the nodes topic, read to its end: this node's last record says whether it was draining
     */
    NodeAnnouncer(Producer<byte[], byte[]> producer, String nodesTopic, CompactedTopicView<NodeInfo> nodes, NodeInfo self) {
        this.producer = producer;
        this.nodesTopic = nodesTopic;
        this.nodes = nodes;
        NodeInfo last = nodes.get(key(self.nodeId()));
        this.self = self.withDraining(last != null && last.draining());
        if (this.self.draining()) log.warn("node {} is draining (as it was before it stopped): it takes no new replica", self.nodeId());
    }

    /** Announces this node and waits until this node's own view of the topic has it. */
    void announceAndWait() {
        try {
            long offset = send(self).get(ANNOUNCE_WAIT_S, TimeUnit.SECONDS);
            nodes.whenConsumedTo(offset + 1).get(ANNOUNCE_WAIT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("node " + self.nodeId() + " could not announce itself in " + nodesTopic, e);
        }
    }

    /** Announces this node again (the periodic heartbeat); a failure is only logged: the next one follows. */
    void announceAgain() {
        send(self).whenComplete((offset, error) -> {
            if (error != null) log.debug("could not announce node {} again: {}", self.nodeId(), error.toString());
        });
    }

    /** Marks this node draining, or not, and announces it; completes once the topic has it. */
    CompletableFuture<Void> drain(boolean draining) {
        self = self.withDraining(draining);
        log.info("node {} {}", self.nodeId(), draining ? "is draining: its replicas and leaderships move to other nodes"
                : "is no longer draining");
        return send(self).thenApply(offset -> null);
    }

    boolean draining() {
        return self.draining();
    }

    /** Forgets node {@code nodeId} (gone for good): a tombstone for its record. */
    CompletableFuture<Void> forget(int nodeId) {
        log.info("node {} is removed from the cluster", nodeId);
        CompletableFuture<Void> sent = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(nodesTopic, 0, key(nodeId).getBytes(StandardCharsets.UTF_8), null), (metadata, error) -> {
            if (error == null) {
                sent.complete(null);
            } else {
                sent.completeExceptionally(error);
            }
        });
        return sent;
    }

    private CompletableFuture<Long> send(NodeInfo node) {
        CompletableFuture<Long> sent = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(nodesTopic, 0, key(node.nodeId()).getBytes(StandardCharsets.UTF_8),
                NodeRecordCodec.encode(node)), (metadata, error) -> {
                    if (error == null) {
                        sent.complete(metadata.offset());
                    } else {
                        sent.completeExceptionally(error);
                    }
                });
        return sent;
    }

    private static String key(int nodeId) {
        return Integer.toString(nodeId);
    }
}
