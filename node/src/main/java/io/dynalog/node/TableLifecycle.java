package io.dynalog.node;

import io.dynalog.ingest.CatalogLeader;
import io.dynalog.ingest.IngestService;
import io.dynalog.ingest.WalTopics;
import io.dynalog.replica.ReplicaProcessor;
import io.dynalog.replica.ReplicaStore;
import io.dynalog.replica.ReplicaStore.PartitionRef;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the node's tables match the catalog: reacts to each catalog change by creating the WAL
 * topic, placing the table's partitions on the local replica and starting their leaders, then
 * marking the table ACTIVE; or, for a deleted table, stopping its leaders, dropping its rows and
 * deleting its topic.
 *
 * <p>Every step is idempotent and is re-driven by the catalog on restart, so a node that crashed
 * half way through creating or deleting a table finishes the job when it comes back. Changes are
 * handled one at a time, in catalog order, on a thread of their own: the catalog's thread must
 * stay free to read back the ACTIVE record this class writes.
 */
final class TableLifecycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TableLifecycle.class);

    private final WalTopics topics;
    private final ReplicaProcessor replica;
    private final IngestService ingest;
    private final CatalogLeader catalog;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "table-lifecycle");
        t.setDaemon(true);
        return t;
    });

    TableLifecycle(WalTopics topics, ReplicaProcessor replica, IngestService ingest, CatalogLeader catalog) {
        this.topics = topics;
        this.replica = replica;
        this.ingest = ingest;
        this.catalog = catalog;
    }

    /** A catalog listener: hands the change to the lifecycle thread. */
    void onChange(TableDescriptor previous, TableDescriptor current) {
        executor.execute(() -> {
            try {
                apply(previous, current);
            } catch (RuntimeException e) {
                log.error("could not apply catalog change of table {}", current != null ? current.name() : previous.name(), e);
            }
        });
    }

    /** Drops the rows of table incarnations the catalog no longer has (deleted while this node was down). */
    void dropLeftovers(ReplicaStore store, Set<Long> liveTableIds) {
        executor.execute(() -> {
            for (long tableId : store.tableIdsWithProgress()) {
                if (liveTableIds.contains(tableId)) continue;
                log.info("dropping rows of deleted table incarnation {}", Long.toHexString(tableId));
                replica.dropTable(tableId).join();
            }
        });
    }

    private void apply(TableDescriptor previous, TableDescriptor current) {
        if (previous != null && (current == null || previous.tableId() != current.tableId())) {
            remove(previous);
        }
        if (current != null && (previous == null || previous.tableId() != current.tableId())) {
            place(current);
        }
    }

    private void place(TableDescriptor table) {
        topics.ensureWalTopic(table.walTopic(), table.partitionCount());
        for (int p = 0; p < table.partitionCount(); p++) {
            replica.assign(new PartitionRef(table.tableId(), p), table.walTopic());
        }
        ingest.lead(table).thenCompose(v -> table.status() == TableStatus.CREATING
                        ? catalog.update(table.withStatus(TableStatus.ACTIVE)).thenApply(t -> null)
                        : java.util.concurrent.CompletableFuture.completedFuture(null))
                .whenComplete((v, e) -> {
                    if (e != null) log.error("table {} could not be activated", table.name(), e);
                    else log.info("table {} is served ({} partitions, WAL {})", table.name(), table.partitionCount(), table.walTopic());
                });
    }

    private void remove(TableDescriptor table) {
        ingest.abandon(table.tableId(), table.partitionCount());
        replica.dropTable(table.tableId()).join();
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
