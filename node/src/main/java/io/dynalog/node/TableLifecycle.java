package io.dynalog.node;

import io.dynalog.ingest.IngestService;
import io.dynalog.ingest.WalTopics;
import io.dynalog.replica.ReplicaProcessor;
import io.dynalog.replica.ReplicaStore;
import io.dynalog.replica.ReplicaStore.PartitionRef;
import io.dynalog.topology.catalog.CatalogTable;
import io.dynalog.topology.keys.KeyCodec;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the node's tables match the catalog: reacts to each catalog change by creating the WAL
 * topic, placing the table's partitions (with their local indexes) on the local replica and
 * starting their leaders, then marking the table ACTIVE (at the catalog's leader); or, for a
 * deleted table, stopping its leaders, dropping its rows and deleting its topic. Each global index
 * of a table is placed the same way (its topic, its partitions on this node's replica, its
 * derivation) when it appears in the catalog, and removed when it leaves it. The catalog itself is
 * placed the same way, once its placement is known, and never removed.
 *
 * <p>Every step is idempotent and is re-driven by the catalog on restart, so a node that crashed
 * half way through creating or deleting a table finishes the job when it comes back. Changes are
 * handled one at a time, in catalog order, on a thread of their own: the catalog's thread must
 * stay free to read back the ACTIVE record this class writes.
 */
final class TableLifecycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TableLifecycle.class);

    private static final long FIRST_RETRY_DELAY_MS = 200;
    private static final long MAX_RETRY_DELAY_MS = 10_000;

    private final WalTopics topics;
    private final ReplicaProcessor replica;
    private GlobalIndexes globalIndexes;
    private ChangeStreams changeStreams;
    private final IngestService ingest;
    private final Function<TableDescriptor, CompletableFuture<Void>> markActive;
    private final Function<String, TableDescriptor> currentTable;
    private final int nodeId;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "table-lifecycle");
        t.setDaemon(true);
        return t;
    });
    /** Completes when the table incarnation is served by this node; by table id. */
    private final Map<Long, CompletableFuture<Void>> served = new ConcurrentHashMap<>();

    /**
     * @param markActive records a CREATING table ACTIVE in the catalog (at the catalog's leader)
     * @param currentTable the catalog as this node now knows it, by name (the catalog's own
     *     placement under {@link CatalogTable#NAME}): each step acts on the table as it is now, and
     *     a retried step that the catalog has moved past (the table was deleted, or re-created) is dropped
     */
    TableLifecycle(int nodeId, WalTopics topics, ReplicaProcessor replica, IngestService ingest,
                   Function<TableDescriptor, CompletableFuture<Void>> markActive, Function<String, TableDescriptor> currentTable) {
        this.nodeId = nodeId;
        this.topics = topics;
        this.replica = replica;
        this.ingest = ingest;
        this.markActive = markActive;
        this.currentTable = currentTable;
    }

    /** Wires the derivation of global indexes in, before the first change. */
    void useGlobalIndexes(GlobalIndexes indexes) {
        this.globalIndexes = indexes;
    }

    /** Wires the derivation of change streams in, before the first change. */
    void useChangeStreams(ChangeStreams streams) {
        this.changeStreams = streams;
    }

    /** A catalog listener: hands the change to the lifecycle thread. */
    void onChange(TableDescriptor previous, TableDescriptor current) {
        if (current != null) served.computeIfAbsent(current.tableId(), id -> new CompletableFuture<>());
        if (previous != null && (current == null || previous.tableId() != current.tableId())) {
            CompletableFuture<Void> gone = served.remove(previous.tableId());
            if (gone != null) gone.cancel(false);
        }
        executor.execute(() -> apply(previous, current, FIRST_RETRY_DELAY_MS));
    }

    /**
     * Waits, at most {@code timeoutMs}, until every table the catalog held when called is served
     * here: a node that starts serving its API before would answer its first requests with
     * retryable errors. Returns false on timeout.
     */
    boolean awaitServed(long timeoutMs) {
        try {
            CompletableFuture.allOf(served.values().toArray(CompletableFuture[]::new)).get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            return true;
        }
    }

    /**
     * Applies a change; a failed step (Kafka unreachable, a topic not created in time) is retried
     * with a growing delay until it succeeds or the catalog has moved past it.
     */
    private void apply(TableDescriptor previous, TableDescriptor current, long retryDelayMs) {
        try {
            if (previous != null && (current == null || previous.tableId() != current.tableId())) {
                remove(previous);
            }
            // A step acts on the table as the catalog has it now, not as the change (perhaps retried
            // long after) saw it: a replica dropped or joined on an old view would undo a later move.
            TableDescriptor now = current == null ? null : currentTable.apply(current.name());
            if (now == null || now.tableId() != current.tableId()) return;
            if (previous == null || previous.tableId() != current.tableId()) {
                place(now, retryDelayMs);
            } else {
                reindex(previous, now);
            }
        } catch (RuntimeException e) {
            String name = current != null ? current.name() : previous.name();
            log.warn("catalog change of table {} not applied yet ({}); retrying in {} ms", name, e.toString(), retryDelayMs);
            executor.schedule(() -> apply(previous, current, Math.min(retryDelayMs * 2, MAX_RETRY_DELAY_MS)),
                    retryDelayMs, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Drops the rows of table incarnations the catalog no longer has (deleted while this node was
     * down). {@code liveTableIds} is asked when the lifecycle gets to it, after the changes read
     * before; a table placed here meanwhile is kept in any case.
     */
    void dropLeftovers(ReplicaStore store, java.util.function.Supplier<Set<Long>> liveTableIds) {
        executor.execute(() -> {
            Set<Long> live = liveTableIds.get();
            for (long tableId : store.tableIdsWithProgress()) {
                if (live.contains(tableId) || served.containsKey(tableId)) continue;
                log.info("dropping rows of deleted table incarnation {}", Long.toHexString(tableId));
                replica.dropTable(tableId).join();
            }
        });
    }

    private void place(TableDescriptor table, long retryDelayMs) {
        topics.ensureWalTopic(table.walTopic(), table.partitionCount());
        for (int p = 0; p < table.partitionCount(); p++) {
            if (table.replicasOf(p).contains(nodeId)) {
                assign(table, p);
            } else if (replica.hasProgress(new PartitionRef(table.tableId(), p))) {
                dropReplica(table, p); // moved away while this node was down
            }
        }
        for (IndexDescriptor index : table.globalIndexes()) placeIndex(table, index);
        if (changeStreams != null) changeStreams.apply(null, table);
        boolean holdsReplica = false;
        for (int p = 0; p < table.partitionCount(); p++) holdsReplica |= table.replicasOf(p).contains(nodeId);
        // Only a node whose replicas of the table are served may say the table is: one holding
        // none has nothing to wait for.
        boolean reportsActive = holdsReplica && table.status() == TableStatus.CREATING;
        ingest.lead(table).thenCompose(v -> reportsActive ? markActive.apply(table) : CompletableFuture.completedFuture(null))
                .whenComplete((v, e) -> {
                    if (e != null) {
                        log.warn("table {} is not served yet ({}); retrying in {} ms", table.name(), e.toString(), retryDelayMs);
                        executor.schedule(() -> apply(null, table, Math.min(retryDelayMs * 2, MAX_RETRY_DELAY_MS)),
                                retryDelayMs, TimeUnit.MILLISECONDS);
                        return;
                    }
                    log.info("table {} is served ({} partitions, WAL {})", table.name(), table.partitionCount(), table.walTopic());
                    CompletableFuture<Void> f = served.get(table.tableId());
                    if (f != null) f.complete(null);
                });
    }

    /** Where partition {@code p} of {@code count} starts, as a store key bound (its end is partition {@code p + 1}'s start). */
    private static byte[] rangeBound(int p, int count) {
        return KeyCodec.hashBound(KeyCodec.rangeStart(p, count));
    }

    private void assign(TableDescriptor table, int p) {
        replica.assign(new PartitionRef(table.tableId(), p), table.walTopic(),
                rangeBound(p, table.partitionCount()),
                rangeBound(p + 1, table.partitionCount()),
                table.keySchema(), table.localIndexes());
    }

    /** Leaves a partition's group and drops its replica: this node is no longer a member. */
    private void dropReplica(TableDescriptor table, int p) {
        ingest.leave(table.tableId(), p).join();
        replica.dropPartition(new PartitionRef(table.tableId(), p),
                rangeBound(p, table.partitionCount()),
                rangeBound(p + 1, table.partitionCount()), table.localIndexes()).join();
        log.info("partition {} of table {} left this node (its group is now {})", p, table.name(), table.configurationOf(p));
    }

    /**
     * A change of a table that stays: partitions' replicas moved by their groups' configurations
     * (joined or left here), global indexes added (placed here) or deleted (removed here), index
     * partitions moved, its stream enabled or disabled. Partitions and index partitions are made to
     * match the table as it is (not the difference from {@code previous}), so a step retried late
     * does the right thing.
     */
    private void reindex(TableDescriptor previous, TableDescriptor current) {
        boolean moved = false;
        for (int p = 0; p < current.partitionCount(); p++) {
            PartitionRef ref = new PartitionRef(current.tableId(), p);
            if (current.replicasOf(p).contains(nodeId)) {
                if (!ingest.inGroup(current.tableId(), p) && !previous.replicasOf(p).contains(nodeId)) {
                    assign(current, p);
                    moved = true;
                    log.info("partition {} of table {} joins this node (its group is now {})", p, current.name(), current.configurationOf(p));
                }
            } else if (ingest.inGroup(current.tableId(), p) || replica.hasProgress(ref)) {
                dropReplica(current, p);
                moved = true;
            }
        }
        if (moved) {
            // The table is served here once the groups this node is now in are (none: at once).
            ingest.lead(current).thenRun(() -> {
                CompletableFuture<Void> f = served.get(current.tableId());
                if (f != null) f.complete(null);
            });
        }
        for (IndexDescriptor index : previous.globalIndexes()) {
            IndexDescriptor still = current.index(index.name());
            if (still == null || still.indexId() != index.indexId()) removeIndex(current, index);
        }
        // Only new incarnations: the others were placed with the record before (a status change,
        // an index marked ACTIVE or a stream change needs no Kafka round trip per index), unless
        // their partitions' replicas moved to or from this node.
        for (IndexDescriptor index : current.globalIndexes()) {
            IndexDescriptor before = previous.index(index.name());
            if (before == null || before.indexId() != index.indexId()) {
                placeIndex(current, index);
            } else if (!before.replicas().equals(index.replicas())) {
                syncIndexReplicas(current, index);
            }
        }
        if (changeStreams != null) changeStreams.apply(previous, current);
    }

    /**
     * Idempotent: the index topic, this node's index partitions, the derivation (and its backfill
     * watch). Only an index the catalog has now: a change replayed at start, or a retried step,
     * may name an index deleted since, which must not come back.
     */
    private void placeIndex(TableDescriptor table, IndexDescriptor index) {
        TableDescriptor now = currentTable.apply(table.name());
        IndexDescriptor current = now == null || now.tableId() != table.tableId() ? null : now.index(index.name());
        if (current == null || current.indexId() != index.indexId()) return;
        topics.ensureIndexTopic(index.topic(), index.partitionCount());
        syncIndexReplicas(table, index);
        if (globalIndexes != null) globalIndexes.start(table, index);
    }

    /**
     * This node's partitions of a global index made to match the catalog: those placed here read
     * their index topic (from the start, when new here), those placed elsewhere are dropped (they
     * moved off this node, perhaps while it was down).
     */
    private void syncIndexReplicas(TableDescriptor table, IndexDescriptor index) {
        for (int p = 0; p < index.partitionCount(); p++) {
            PartitionRef ref = new PartitionRef(index.indexId(), p);
            byte[] first = rangeBound(p, index.partitionCount());
            byte[] end = rangeBound(p + 1, index.partitionCount());
            if (index.replicasOf(p).contains(nodeId)) {
                replica.assignIndex(ref, index.topic(), first, end);
            } else if (replica.hasProgress(ref)) {
                replica.dropPartition(ref, first, end, List.of()).join();
                log.info("partition {} of index {} of table {} left this node", p, index.name(), table.name());
            }
        }
    }

    private void removeIndex(TableDescriptor table, IndexDescriptor index) {
        if (globalIndexes != null) globalIndexes.stop(index);
        replica.dropTable(index.indexId()).join();
        topics.delete(index.topic());
        log.info("index {} of table {} removed (incarnation {})", index.name(), table.name(), Long.toHexString(index.indexId()));
    }

    private void remove(TableDescriptor table) {
        ingest.abandon(table.tableId(), table.partitionCount());
        replica.dropTable(table.tableId()).join();
        for (IndexDescriptor index : table.localIndexes()) replica.dropTable(index.indexId()).join();
        for (IndexDescriptor index : table.globalIndexes()) removeIndex(table, index);
        if (changeStreams != null && table.stream() != null) changeStreams.remove(table.stream());
        topics.delete(table.walTopic());
        log.info("table {} removed (incarnation {})", table.name(), Long.toHexString(table.tableId()));
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
