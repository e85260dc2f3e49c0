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
 * gets replicas in three zones.
 *
 * <p>The catalog's replica group changes configuration like a table partition's (its leader
 * replaces a dead member); the topic then records each configuration chosen, under the key
 * {@value #CONFIGURATION_KEY}{@code /<version>} (the catalog cannot record its own: a group that
 * lost its majority could not write it). A key per version, so that compaction never keeps an
 * older record a deposed leader sent late in place of a newer one; a record of a configuration no
 * newer than the one known is ignored, so late and repeated records do no harm.
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
    /** The key of the records of the catalog group's later configurations. */
    static final String CONFIGURATION_KEY = "configuration";
    /** Completes with the first proposal: the placement. */
    private final CompletableFuture<TableDescriptor> learned = new CompletableFuture<>();
    /** The placement with the latest configuration of the catalog's group recorded; null until placed. */
    private volatile TableDescriptor current;
    /** Told of each change of {@link #current} once the topic was read to its end; guarded by this. */
    private java.util.function.BiConsumer<TableDescriptor, TableDescriptor> changes = (before, after) -> {};
    /** True once the topic was read to its end ({@link #loaded}); guarded by this. */
    private boolean loaded;
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
     * A record read from the placement topic, in topic order (on one thread). Returns true when it
     * changes the catalog's placement ({@link #known}): the first proposal, which is the placement,
     * and each later configuration of the catalog's group newer than the one known; false for every
     * other record.
     */
    public synchronized boolean onProposal(TableDescriptor proposal) {
        if (!CatalogTable.isCatalog(proposal)) {
            throw new IllegalArgumentException("not a catalog placement: table " + proposal.name());
        }
        TableDescriptor known = current;
        if (known == null) {
            current = proposal;
            learned.complete(proposal);
            log.info("the catalog is placed on nodes {}", proposal.replicasOf(CatalogTable.PARTITION));
        } else {
            io.dynalog.topology.wal.Configuration next = proposal.configurationOf(CatalogTable.PARTITION);
            if (proposal.tableId() != known.tableId() || next.version() <= known.configurationOf(CatalogTable.PARTITION).version()) {
                return false;
            }
            current = known.withConfiguration(CatalogTable.PARTITION, next);
            log.info("the catalog's replica group is now {}", next);
        }
        if (loaded) changes.accept(known, current);
        return true;
    }

    /**
     * Tells {@code listener} of every change of the placement ({@link #known}, before and after)
     * from the end of the topic's first reading on: a node that starts acts on the placement as it
     * is, not on the configurations it went through (it would join groups it has since left).
     */
    public synchronized void onChanges(java.util.function.BiConsumer<TableDescriptor, TableDescriptor> listener) {
        this.changes = listener;
    }

    /** The topic was read to its end: the listener hears of the placement as it is now, if any. */
    public synchronized void loaded() {
        loaded = true;
        if (current != null) changes.accept(null, current);
    }

    /** The catalog's descriptor (with its group's latest recorded configuration), once known. */
    public TableDescriptor known() {
        return current;
    }

    /**
     * Records a configuration chosen in the catalog's group (its leader calls it), for every node
     * to read; completes once the topic has it.
     */
    public CompletableFuture<Void> recordConfiguration(io.dynalog.topology.wal.Configuration configuration) {
        TableDescriptor known = current;
        if (known == null) return CompletableFuture.failedFuture(new IllegalStateException("the catalog is not placed yet"));
        CompletableFuture<Void> sent = new CompletableFuture<>();
        if (configuration.version() <= known.configurationOf(CatalogTable.PARTITION).version()) return CompletableFuture.completedFuture(null);
        String key = CONFIGURATION_KEY + "/" + configuration.version();
        producer.send(new ProducerRecord<>(placementTopic, 0, key.getBytes(StandardCharsets.UTF_8),
                TableRecordCodec.encode(known.withConfiguration(CatalogTable.PARTITION, configuration))), (metadata, error) -> {
                    if (error == null) {
                        sent.complete(null);
                    } else {
                        sent.completeExceptionally(error);
                    }
                });
        return sent;
    }

    /**
     * The catalog's descriptor: at once when known; otherwise this node proposes a placement over
     * the nodes it knows and completes once the first proposal is read back (its own or another's).
     */
    public CompletableFuture<TableDescriptor> placement() {
        TableDescriptor known = current;
        if (known != null) return CompletableFuture.completedFuture(known);
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
        return sent.thenCompose(v -> learned).thenApply(first -> current);
    }
}
