package io.dynalog.ingest;

import io.dynalog.topology.catalog.CatalogTable;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.placement.NodeInfo;
import io.dynalog.topology.placement.Placement;
import io.dynalog.topology.wire.TableRecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the catalog's replica group is: chosen once per cluster, by the first node that needs to
 * change the catalog, and recorded in the catalog placement topic.
 *
 * <p>Nodes may propose at the same time. The first proposal in the topic is the placement, for
 * every node: all of them read the one-partition topic in the same order. Later proposals are
 * ignored. Each proposal is written under a key of its own, so compaction never removes the first.
 *
 * <p>The proposal is made at the first catalog change rather than at start: by then a cluster
 * started with {@code --seeds} (or {@code dev --nodes N}) knows all its nodes, and the catalog
 * gets replicas in three zones. Like a table's, the catalog's placement never changes after: a
 * catalog placed on a single node stays there when other nodes join.
 */
public final class CatalogPlacement {
    private static final Logger log = LoggerFactory.getLogger(CatalogPlacement.class);

    private final Producer<byte[], byte[]> producer;
    private final String placementTopic;
    private final String catalogTopic;
    private final int nodeId;
    private final Supplier<Collection<NodeInfo>> members;
    private final LongSupplier clockMs;
    private final int expectedNodes;
    private final long proposeAnywayAtMs;
    private final CompletableFuture<TableDescriptor> learned = new CompletableFuture<>();
    /** This node's proposal under way (completes with the placement, whoever's it is); guarded by this. */
    private CompletableFuture<TableDescriptor> proposal;

    /**
     * @param catalogTopic the catalog's WAL topic, recorded in the placement
     * @param members the nodes the catalog's replicas are chosen among
     * @param expectedNodes how many nodes the cluster starts with: no proposal is made before this
     *     many are known, unless {@code expectedNodesWaitMs} have passed (one may never come)
     */
    public CatalogPlacement(Producer<byte[], byte[]> producer, String placementTopic, String catalogTopic, int nodeId,
                            Supplier<Collection<NodeInfo>> members, LongSupplier clockMs, int expectedNodes,
                            long expectedNodesWaitMs) {
        this.expectedNodes = expectedNodes;
        this.proposeAnywayAtMs = clockMs.getAsLong() + expectedNodesWaitMs;
        this.producer = producer;
        this.placementTopic = placementTopic;
        this.catalogTopic = catalogTopic;
        this.nodeId = nodeId;
        this.members = members;
        this.clockMs = clockMs;
    }

    /**
     * A proposal read from the placement topic, in topic order. Returns true for the first one,
     * which is the placement; false for every later one.
     */
    public boolean onProposal(TableDescriptor proposal) {
        if (!CatalogTable.isCatalog(proposal)) {
            throw new IllegalArgumentException("not a catalog placement: table " + proposal.name());
        }
        boolean first = learned.complete(proposal);
        if (first) log.info("the catalog is placed on nodes {}", proposal.replicasOf(CatalogTable.PARTITION));
        return first;
    }

    /** The catalog's descriptor, once known. */
    public TableDescriptor known() {
        return learned.isDone() ? learned.join() : null;
    }

    /**
     * The catalog's descriptor: at once when known; otherwise this node proposes a placement over
     * the nodes it knows and completes once the first proposal is read back (its own or another's).
     */
    public CompletableFuture<TableDescriptor> placement() {
        if (learned.isDone()) return learned;
        synchronized (this) {
            if (proposal != null && !proposal.isCompletedExceptionally()) return proposal;
            proposal = propose();
            return proposal;
        }
    }

    /** Sends a proposal; fails at once (retryably) when the nodes to place the catalog on are not all known yet. */
    private CompletableFuture<TableDescriptor> propose() {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        try {
            Collection<NodeInfo> nodes = members.get();
            if (nodes.isEmpty() || (nodes.size() < expectedNodes && clockMs.getAsLong() < proposeAnywayAtMs)) {
                throw new IngestException(IngestException.Reason.LEADER_UNAVAILABLE, "the cluster is starting: "
                        + nodes.size() + " of its " + expectedNodes + " nodes are known; the catalog is placed once they all are");
            }
            TableDescriptor proposed = CatalogTable.descriptor(catalogTopic,
                    Placement.replicas(CatalogTable.PARTITION, nodes, Placement.DEFAULT_REPLICATION_FACTOR), clockMs.getAsLong());
            byte[] key = (nodeId + "/" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(placementTopic, 0, key, TableRecordCodec.encode(proposed)), (metadata, error) -> {
                if (error == null) {
                    sent.complete(null);
                } else {
                    sent.completeExceptionally(new IngestException(IngestException.Reason.LEADER_UNAVAILABLE,
                            "the catalog's placement could not be proposed: " + error));
                }
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return sent.thenCompose(v -> learned);
    }
}
