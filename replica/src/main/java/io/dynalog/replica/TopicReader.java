package io.dynalog.replica;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a single-partition topic from its start, on a thread of its own, into a view kept in
 * memory (so a node needs no local state for it): each record is handed to {@link #apply} in
 * topic order.
 *
 * <p>Never reads past a record it could not apply: the view would silently miss it. Such a
 * record is read again after a pause, and the failure logged at every attempt, until it applies.
 */
public abstract class TopicReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TopicReader.class);
    private static final long FAILURE_BACKOFF_MS = 1_000;
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);

    private final Consumer<byte[], byte[]> consumer;
    private final TopicPartition partition;
    private final Watermark consumed = new Watermark(0);
    private final Thread thread;
    private volatile boolean running = true;

    protected TopicReader(Consumer<byte[], byte[]> consumer, String topic, String threadName) {
        this.consumer = consumer;
        this.partition = new TopicPartition(topic, 0);
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    /** Applies one record to the view; throws when it cannot (the record is read again later). */
    protected abstract void apply(ConsumerRecord<byte[], byte[]> record);

    protected final String topic() {
        return partition.topic();
    }

    /**
     * Starts reading and completes once everything the topic held at the start has been read, so
     * that a node begins with the whole view.
     */
    public CompletableFuture<Void> start() {
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        long end = consumer.endOffsets(List.of(partition)).get(partition);
        CompletableFuture<Void> loaded = whenConsumedTo(end);
        thread.start();
        return loaded;
    }

    /** Completes once the record at {@code offset - 1} and everything before it has been read. */
    public CompletableFuture<Void> whenConsumedTo(long offset) {
        return consumed.whenReached(offset);
    }

    private void run() {
        while (running) {
            long next = -1;
            try {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL_TIMEOUT)) {
                    next = r.offset();
                    apply(r);
                }
                consumed.advanceTo(consumer.position(partition));
            } catch (WakeupException e) {
                // closing
            } catch (RuntimeException e) {
                if (!running) return;
                log.error("cannot apply {} record at offset {}; reading it again in {} ms", partition.topic(), next,
                        FAILURE_BACKOFF_MS, e);
                if (next >= 0) consumer.seek(partition, next);
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
