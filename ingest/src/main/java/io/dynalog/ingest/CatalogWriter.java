package io.dynalog.ingest;

import io.dynalog.ingest.CatalogConflictException.Kind;
import io.dynalog.topology.catalog.CatalogTable;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import java.util.concurrent.CompletableFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Changes the catalog: each change is a write to the catalog's one partition, decided by the
 * catalog group's leader against the catalog as every earlier chosen change left it (writes to
 * one table's record are serialised there), so two CreateTable calls for one name never both
 * succeed, wherever they arrive. A node that does not lead the catalog fails the change with
 * NOT_LEADER, naming the leader it knows: the API sends the request there.
 */
public final class CatalogWriter {
    private final WritePath writes;
    private final CatalogPlacement placement;

    public CatalogWriter(WritePath writes, CatalogPlacement placement) {
        this.writes = writes;
        this.placement = placement;
    }

    /**
     * Records a new table; fails with ALREADY_EXISTS when the name is taken by another table.
     * Idempotent: the same table (same incarnation id) created again is no change.
     */
    public CompletableFuture<TableDescriptor> create(TableDescriptor table) {
        return change(table.name(), current -> {
            if (current == null) return Mutation.Result.put(CatalogTable.item(table));
            if (current.tableId() == table.tableId()) return Mutation.Result.unchanged(CatalogTable.item(current));
            throw new CatalogConflictException(Kind.ALREADY_EXISTS, table.name(), "Table already exists: " + table.name());
        }).thenApply(outcome -> CatalogTable.table(outcome.newImage()));
    }

    /** Marks a table (this incarnation) ACTIVE once it is served; idempotent. */
    public CompletableFuture<TableDescriptor> markActive(String name, long tableId) {
        return change(name, current -> {
            if (current == null || current.tableId() != tableId) throw notFound(name);
            if (current.status() == TableStatus.ACTIVE) return Mutation.Result.unchanged(CatalogTable.item(current));
            return Mutation.Result.put(CatalogTable.item(current.withStatus(TableStatus.ACTIVE)));
        }).thenApply(outcome -> CatalogTable.table(outcome.newImage()));
    }

    /**
     * Changes an ACTIVE table's record (UpdateTable) by {@code change}, decided at the catalog's
     * leader against the table as the catalog has it; the change may throw to refuse (an index that
     * exists already, one that does not). Fails with NOT_FOUND when there is no such table, IN_USE
     * while it is not ACTIVE. A change that leaves the record as it is writes nothing.
     */
    public CompletableFuture<TableDescriptor> update(String name, UnaryOperator<TableDescriptor> change) {
        return change(name, current -> {
            if (current == null) throw notFound(name);
            if (current.status() != TableStatus.ACTIVE) {
                throw new CatalogConflictException(Kind.IN_USE, name,
                        "Attempt to change a resource which is still in use: Table is being " + current.status().name().toLowerCase()
                                + ": " + name);
            }
            TableDescriptor next = change.apply(current);
            if (next.equals(current)) return Mutation.Result.unchanged(CatalogTable.item(current));
            return Mutation.Result.put(CatalogTable.item(next));
        }).thenApply(outcome -> CatalogTable.table(outcome.newImage()));
    }

    /** Marks a global index (this incarnation of it, of this table incarnation) ACTIVE once it is backfilled; idempotent. */
    public CompletableFuture<TableDescriptor> markIndexActive(String name, long tableId, long indexId) {
        return change(name, current -> {
            if (current == null || current.tableId() != tableId) throw notFound(name);
            List<IndexDescriptor> indexes = new ArrayList<>();
            boolean found = false;
            for (IndexDescriptor index : current.indexes()) {
                if (index.indexId() == indexId) {
                    found = true;
                    index = index.withStatus(IndexDescriptor.IndexStatus.ACTIVE, false);
                }
                indexes.add(index);
            }
            if (!found) {
                throw new CatalogConflictException(Kind.NOT_FOUND, name, "Requested resource not found: Index "
                        + Long.toHexString(indexId) + " of table " + name + " not found");
            }
            TableDescriptor next = current.withIndexes(indexes);
            if (next.equals(current)) return Mutation.Result.unchanged(CatalogTable.item(current));
            return Mutation.Result.put(CatalogTable.item(next));
        }).thenApply(outcome -> CatalogTable.table(outcome.newImage()));
    }

    /**
     * Records {@code configuration}, chosen in partition {@code partition}'s replica group, as the
     * group's latest; a configuration no newer than the one recorded is no change (the group's
     * leaders report what they know, possibly late and twice). Any status but a missing table.
     */
    public CompletableFuture<TableDescriptor> recordConfiguration(String name, long tableId, int partition,
                                                                  io.dynalog.topology.wal.Configuration configuration) {
        return change(name, current -> {
            if (current == null || current.tableId() != tableId) throw notFound(name);
            if (partition < 0 || partition >= current.partitionCount()) {
                throw new IllegalArgumentException("table " + name + " has no partition " + partition);
            }
            if (current.configurationOf(partition).version() >= configuration.version()) {
                return Mutation.Result.unchanged(CatalogTable.item(current));
            }
            return Mutation.Result.put(CatalogTable.item(current.withConfiguration(partition, configuration)));
        }).thenApply(outcome -> CatalogTable.table(outcome.newImage()));
    }

    /**
     * Moves partition {@code partition} of global index {@code indexId} from the nodes
     * {@code expected} to {@code next} (a node that died or is drained is replaced). Decided against
     * the catalog as it is: when the index partition is no longer on {@code expected} (another
     * decision got there first), nothing changes.
     */
    public CompletableFuture<TableDescriptor> moveIndexReplicas(String name, long tableId, long indexId, int partition,
                                                                List<Integer> expected, List<Integer> next) {
        return change(name, current -> {
            if (current == null || current.tableId() != tableId) throw notFound(name);
            List<IndexDescriptor> indexes = new ArrayList<>();
            boolean changed = false;
            for (IndexDescriptor index : current.indexes()) {
                if (index.indexId() == indexId && index.isGlobal() && partition >= 0 && partition < index.partitionCount()
                        && index.replicasOf(partition).equals(expected)) {
                    index = index.withReplicas(partition, next);
                    changed = true;
                }
                indexes.add(index);
            }
            if (!changed) return Mutation.Result.unchanged(CatalogTable.item(current));
            return Mutation.Result.put(CatalogTable.item(current.withIndexes(indexes)));
        }).thenApply(outcome -> CatalogTable.table(outcome.newImage()));
    }

    /**
     * Removes a table; completes with its last descriptor, marked DELETING. Fails with NOT_FOUND
     * when there is none, IN_USE while it is still being created.
     */
    public CompletableFuture<TableDescriptor> delete(String name) {
        return change(name, current -> {
            if (current == null) throw notFound(name);
            if (current.status() == TableStatus.CREATING) {
                throw new CatalogConflictException(Kind.IN_USE, name,
                        "Attempt to change a resource which is still in use: Table is being created: " + name);
            }
            return Mutation.Result.delete();
        }).thenApply(outcome -> CatalogTable.table(outcome.oldImage()).withStatus(TableStatus.DELETING));
    }

    private CompletableFuture<WriteOutcome> change(String name, Function<TableDescriptor, Mutation.Result> decide) {
        byte[] storeKey = CatalogTable.storeKey(name);
        return placement.placement().thenCompose(catalog -> writes.write(catalog, CatalogTable.PARTITION, storeKey,
                current -> decide.apply(CatalogTable.table(current))));
    }

    private static CatalogConflictException notFound(String name) {
        return new CatalogConflictException(Kind.NOT_FOUND, name, "Requested resource not found: Table: " + name + " not found");
    }
}
