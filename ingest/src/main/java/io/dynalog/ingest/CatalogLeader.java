package io.dynalog.ingest;

import io.dynalog.ingest.CatalogConflictException.Kind;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.topology.wire.TableRecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Orders changes to the catalog and makes them durable in the meta topic.
 *
 * <p>The catalog is a replicated partition of its own (DESIGN.md section 5); here it is a group
 * of one. Changes are serialised: each one is checked against the catalog as every earlier change
 * left it (the view has read back the previous change before the next is checked), produced with
 * acks=all, and complete only once this node's view has read it back, so a client that created a
 * table sees it in DescribeTable on the same node.
 */
public final class CatalogLeader {
    private final Producer<byte[], byte[]> producer;
    private final String metaTopic;
    private final CatalogView view;
    private final Executor executor;
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

    /**
     * @param executor where each change is checked and sent: not the thread that completes the
     *     previous change's read-back (the catalog replica's), which must never block on a send
     */
    public CatalogLeader(Producer<byte[], byte[]> producer, String metaTopic, CatalogView view, Executor executor) {
        this.producer = producer;
        this.metaTopic = metaTopic;
        this.view = view;
        this.executor = executor;
    }

    /** Records a new table; fails with ALREADY_EXISTS when the name is taken. */
    public CompletableFuture<TableDescriptor> create(TableDescriptor table) {
        return serialised(() -> {
            if (view.table(table.name()) != null) {
                throw new CatalogConflictException(Kind.ALREADY_EXISTS, table.name(), "Table already exists: " + table.name());
            }
            return produce(table.name(), TableRecordCodec.encode(table)).thenApply(v -> table);
        });
    }

    /** Replaces the descriptor of an existing table of the same incarnation (a status change). */
    public CompletableFuture<TableDescriptor> update(TableDescriptor table) {
        return serialised(() -> {
            TableDescriptor current = view.table(table.name());
            if (current == null || current.tableId() != table.tableId()) {
                throw new CatalogConflictException(Kind.NOT_FOUND, table.name(), "Requested resource not found: Table: " + table.name() + " not found");
            }
            return produce(table.name(), TableRecordCodec.encode(table)).thenApply(v -> table);
        });
    }

    /**
     * Removes a table; completes with its last descriptor, marked DELETING. Fails with NOT_FOUND
     * when there is none, IN_USE while it is still being created.
     */
    public CompletableFuture<TableDescriptor> delete(String name) {
        return serialised(() -> {
            TableDescriptor current = view.table(name);
            if (current == null) {
                throw new CatalogConflictException(Kind.NOT_FOUND, name, "Requested resource not found: Table: " + name + " not found");
            }
            if (current.status() == TableStatus.CREATING) {
                throw new CatalogConflictException(Kind.IN_USE, name,
                        "Attempt to change a resource which is still in use: Table is being created: " + name);
            }
            return produce(name, null).thenApply(v -> current.withStatus(TableStatus.DELETING));
        });
    }

    private synchronized <T> CompletableFuture<T> serialised(Supplier<CompletableFuture<T>> change) {
        CompletableFuture<T> result = tail.handle((ignored, e) -> null).thenComposeAsync(v -> change.get(), executor);
        tail = result;
        return result;
    }

    private CompletableFuture<Void> produce(String name, byte[] value) {
        CompletableFuture<Long> acked = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(metaTopic, 0, name.getBytes(StandardCharsets.UTF_8), value), (md, e) -> {
                if (e != null) acked.completeExceptionally(e); else acked.complete(md.offset());
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(e);
        }
        return acked.thenCompose(offset -> view.whenConsumedTo(offset + 1));
    }
}
