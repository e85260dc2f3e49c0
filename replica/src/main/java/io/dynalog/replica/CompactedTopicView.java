package io.dynalog.replica;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's copy of a compacted, single-partition topic of records keyed by a string: the
 * latest value per key (a tombstone removes it).
 *
 * <p>Responsibilities: consume the topic from the start on every start, so the view needs no
 * local state; tell listeners of each change, in topic order, on its own thread; let a writer wait
 * until its own record has been read back (read-your-writes); never read past a record it could
 * not apply.
 *
 * @param <V> the decoded value
 */
public class CompactedTopicView<V> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CompactedTopicView.class);
    private static final long FAILURE_BACKOFF_MS = 1_000;

    /** Told of each change: {@code previous} null on create, {@code current} null on delete. */
    @FunctionalInterface
    public interface Listener<V> {
        void onChange(V previous, V current);
    }

    private final Consumer<byte[], byte[]> consumer;
    private final TopicPartition metaPartition;
    private final Function<byte[], V> decoder;
    private final ConcurrentSkipListMap<String, V> values = new ConcurrentSkipListMap<>();
    private final List<Listener<V>> listeners = new CopyOnWriteArrayList<>();
    private final Watermark consumed = new Watermark(0);
    private final Thread thread;
    private volatile boolean running = true;

    public CompactedTopicView(Consumer<byte[], byte[]> consumer, String topic, Function<byte[], V> decoder, String threadName) {
        this.consumer = consumer;
        this.metaPartition = new TopicPartition(topic, 0);
        this.decoder = decoder;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    public void addListener(Listener<V> listener) {
        listeners.add(listener);
    }

    /**
     * Starts reading and completes once everything the meta topic held at the start has been read,
     * so that a node begins with the whole view.
     */
    public CompletableFuture<Void> start() {
        consumer.assign(List.of(metaPartition));
        consumer.seekToBeginning(List.of(metaPartition));
        long end = consumer.endOffsets(List.of(metaPartition)).get(metaPartition);
        CompletableFuture<Void> loaded = whenConsumedTo(end);
        thread.start();
        return loaded;
    }

    /** The latest value of a key, or null. */
    public V get(String key) {
        return values.get(key);
    }

    /** Every value, ordered by key. */
    public List<V> values() {
        return new ArrayList<>(values.values());
    }

    /** Completes once the record at {@code offset - 1} and everything before it has been read. */
    public CompletableFuture<Void> whenConsumedTo(long offset) {
        return consumed.whenReached(offset);
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
                // Never read past a record that was not applied: the view would silently miss a
                // value. Read it again after a pause (a lasting fault is logged on every attempt).
                log.error("cannot apply {} record at offset {}; retrying", metaPartition.topic(), next, e);
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
        V current = r.value() == null ? null : decoder.apply(r.value());
        V previous = current == null ? values.remove(name) : values.put(name, current);
        if (previous == null && current == null) return;
        for (Listener<V> l : listeners) {
            try {
                l.onChange(previous, current);
            } catch (RuntimeException e) {
                log.error("listener of {} failed on key {}", metaPartition.topic(), name, e);
            }
        }
    }

    private void consumedTo(long nextOffset) {
        consumed.advanceTo(nextOffset);
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
