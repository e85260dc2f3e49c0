package io.dynalog.api.ops;

import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.wal.Configuration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The catalog changes a node makes on its own behalf (not a client's), each decided at the
 * catalog's leader, wherever it is called: the node's table life cycle, index backfills, an
 * earlier version's catalog, and the control plane's membership moves.
 */
public interface CatalogChanges {
    /** Marks a table ACTIVE, once this node serves its replicas of it. */
    CompletableFuture<Void> markActive(TableDescriptor table);

    /** Marks a backfilled global index ACTIVE. */
    CompletableFuture<Void> markIndexActive(TableDescriptor table, IndexDescriptor index);

    /** Records an earlier version's table, unchanged. */
    CompletableFuture<Void> importTable(TableDescriptor table);

    /** Records a configuration chosen in a table partition's replica group. */
    CompletableFuture<Void> recordConfiguration(TableDescriptor table, int partition, Configuration configuration);

    /** Moves a global index partition's replicas from {@code expected} to {@code next}. */
    CompletableFuture<Void> moveIndexReplicas(TableDescriptor table, IndexDescriptor index, int partition, List<Integer> expected,
                                              List<Integer> next);
}
