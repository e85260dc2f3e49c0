package io.dynalog.ingest;

import io.dynalog.ingest.CatalogConflictException.Kind;
import io.dynalog.topology.catalog.CatalogTable;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

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
