package io.dynalog.replica;

import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.wire.TableRecordCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's copy of the catalog: every table descriptor, read from the meta topic.
 *
 * <p>Responsibilities: consume the (compacted, single-partition) meta topic from the start on
 * every start, so the catalog needs no local state; keep the latest descriptor per table name
 * (a tombstone removes it); tell listeners of each change, in meta-topic order, on its own
 * thread; let a writer wait until its own record has been read back (read-your-writes).
 */
public final class CatalogReplica implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CatalogReplica.class);
    private static final long FAILURE_BACKOFF_MS = 1_000;

    /** Told of each change: {@code previous} null on create, {@code current} null on delete. */
    @FunctionalInterface
    public interface Listener {
        void onChange(TableDescriptor previous, TableDescriptor current);
    }

    private final Consumer<byte[], byte[]> consumer;
    private final TopicPartition metaPartition;
    private final ConcurrentSkipListMap<String, TableDescriptor> tables = new ConcurrentSkipListMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final TreeMap<Long, List<CompletableFuture<Void>>> offsetWaiters = new TreeMap<>();
    private final Thread thread;
    private long consumedOffset;
    private volatile boolean running = true;

    public CatalogReplica(Consumer<byte[], byte[]> consumer, String metaTopic) {
        this.consumer = consumer;
        this.metaPartition = new TopicPartition(metaTopic, 0);
        this.thread = new Thread(this::run, "catalog-replica");
        this.thread.setDaemon(true);
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /**
     * Starts reading and completes once everything the meta topic held at the start has been read,
     * so that a node begins with the whole catalog.
     */
    public CompletableFuture<Void> start() {
        consumer.assign(List.of(metaPartition));
        consumer.seekToBeginning(List.of(metaPartition));
        long end = consumer.endOffsets(List.of(metaPartition)).get(metaPartition);
        CompletableFuture<Void> loaded = whenConsumedTo(end);
        thread.start();
        return loaded;
    }

    public TableDescriptor table(String name) {
        return tables.get(name);
    }

    /** Every table, ordered by name. */
    public List<TableDescriptor> tables() {
        return new ArrayList<>(tables.values());
    }

    /** Completes once the record at {@code offset - 1} and everything before it has been read. */
    public synchronized CompletableFuture<Void> whenConsumedTo(long offset) {
        if (consumedOffset >= offset) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> f = new CompletableFuture<>();
        offsetWaiters.computeIfAbsent(offset, k -> new ArrayList<>()).add(f);
        return f;
    }

    private void run() {
        while (running) {
            long next = -1;
            try {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    next = r.offset();
                    apply(r);
                }
                consumedTo(consumer.position(metaPartition));
            } catch (WakeupException e) {
                // closing
            } catch (RuntimeException e) {
                if (!running) return;
                // Never read past a record that was not applied: the catalog would silently miss a
                // table. Read it again after a pause (a lasting fault is logged on every attempt).
                log.error("catalog replica cannot apply meta record at offset {}; retrying", next, e);
                if (next >= 0) consumer.seek(metaPartition, next);
                try {
                    synchronized (this) {
                        if (running) wait(FAILURE_BACKOFF_MS);
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        String name = new String(r.key(), StandardCharsets.UTF_8);
        TableDescriptor current = r.value() == null ? null : TableRecordCodec.decode(r.value());
        TableDescriptor previous = current == null ? tables.remove(name) : tables.put(name, current);
        if (previous == null && current == null) return;
        for (Listener l : listeners) {
            try {
                l.onChange(previous, current);
            } catch (RuntimeException e) {
                log.error("catalog listener failed on table {}", name, e);
            }
        }
    }

    private void consumedTo(long nextOffset) {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        synchronized (this) {
            consumedOffset = nextOffset;
            Map<Long, List<CompletableFuture<Void>>> head = offsetWaiters.headMap(nextOffset, true);
            head.values().forEach(ready::addAll);
            head.clear();
        }
        ready.forEach(f -> f.complete(null));
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        synchronized (this) {
            notifyAll();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
    }
}
