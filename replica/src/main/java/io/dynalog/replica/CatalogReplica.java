package io.dynalog.replica;

import io.dynalog.topology.catalog.CatalogTable;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wire.WalEntryCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's copy of the catalog: every table descriptor, by name, read from the catalog's WAL.
 *
 * <p>Every node keeps one, wherever the catalog's replicas are: every request names a table. It
 * is eventually consistent, like any replica; catalog changes are decided by the catalog group's
 * leader against chosen state, never against this view.
 *
 * <p>The catalog's WAL is read as a replica reads a partition's: it may hold an entry twice and a
 * slot after a later one (an append made again), so an entry changes its table's record only if
 * it is newer than the entry last applied to it. A different value for a slot already applied
 * to a record is a safety violation: the view stops there and says so at every attempt, rather
 * than read past it.
 */
public final class CatalogReplica extends TopicReader {
    private static final Logger log = LoggerFactory.getLogger(CatalogReplica.class);

    /** Told of each change: {@code previous} null on create, {@code current} null on delete. */
    @FunctionalInterface
    public interface Listener {
        void onChange(TableDescriptor previous, TableDescriptor current);
    }

    /** The entry last applied to a record (a delete's too): its slot, checksum, and the table then. */
    private record Version(long slot, long checksum, TableDescriptor table) {}

    private final ConcurrentSkipListMap<String, TableDescriptor> tables = new ConcurrentSkipListMap<>();
    /** By store key; the reader's thread only. Deleted records keep theirs, so a late entry cannot revive them. */
    private final Map<ByteBuffer, Version> versions = new HashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new ArrayList<>();

    private record Waiter(String name, Predicate<TableDescriptor> until, CompletableFuture<Void> done) {}

    public CatalogReplica(Consumer<byte[], byte[]> consumer, String catalogTopic) {
        super(consumer, catalogTopic, "catalog-replica");
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public TableDescriptor table(String name) {
        return tables.get(name);
    }

    /** Every table, ordered by name. */
    public List<TableDescriptor> tables() {
        return new ArrayList<>(tables.values());
    }

    /**
     * Completes once the table named (null when there is none) satisfies {@code until}, or after
     * {@code timeoutMs} regardless: a node that answered a catalog change waits until it reads
     * its own change, so the client sees it there at once.
     */
    public CompletableFuture<Void> awaitTable(String name, Predicate<TableDescriptor> until, long timeoutMs) {
        Waiter w = new Waiter(name, until, new CompletableFuture<>());
        synchronized (waiters) {
            if (until.test(tables.get(name))) return CompletableFuture.completedFuture(null);
            waiters.add(w);
        }
        return w.done.completeOnTimeout(null, timeoutMs, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            synchronized (waiters) {
                waiters.remove(w);
            }
        });
    }

    @Override
    protected void apply(ConsumerRecord<byte[], byte[]> record) {
        byte[] encoded = WalRecordEntries.encodedEntry(record);
        WalEntry entry = WalEntryCodec.decode(encoded);
        if (entry.tableId() != CatalogTable.TABLE_ID) {
            throw new IllegalStateException(topic() + " offset " + record.offset() + " holds an entry of table "
                    + Long.toHexString(entry.tableId()) + ", not of the catalog");
        }
        if (!entry.changesItem()) return;
        long checksum = WalRecordEntries.checksum(encoded);
        ByteBuffer key = ByteBuffer.wrap(entry.storeKey());
        Version applied = versions.get(key);
        if (applied != null && applied.slot() == entry.slot() && applied.checksum() != checksum) {
            throw new IllegalStateException("SAFETY VIOLATION: " + topic() + " offset " + record.offset()
                    + " holds a different value for catalog slot " + entry.slot() + " than the one applied; the catalog view stops here");
        }
        if (applied != null && applied.slot() >= entry.slot()) return; // a duplicate, or older than what was applied
        TableDescriptor current = CatalogTable.table(entry.newImage());
        // A delete read with no earlier entry of its table (compacted away) removes what its old
        // image holds; a put read so is a table this view had not seen, whatever it replaced.
        TableDescriptor previous = applied != null ? applied.table()
                : entry.kind() == WalEntry.Kind.DELETE ? CatalogTable.table(entry.oldImage()) : null;
        versions.put(key, new Version(entry.slot(), checksum, current));
        if (current == null && previous == null) return;
        String name = current != null ? current.name() : previous.name();
        if (current != null) tables.put(name, current); else tables.remove(name);
        for (Listener l : listeners) {
            try {
                l.onChange(previous, current);
            } catch (RuntimeException e) {
                log.error("listener of the catalog failed on table {}", name, e);
            }
        }
        releaseWaiters(name, current);
    }

    private void releaseWaiters(String name, TableDescriptor current) {
        List<Waiter> ready = new ArrayList<>();
        synchronized (waiters) {
            waiters.removeIf(w -> w.name.equals(name) && w.until.test(current) && ready.add(w));
        }
        ready.forEach(w -> w.done.complete(null));
    }
}
