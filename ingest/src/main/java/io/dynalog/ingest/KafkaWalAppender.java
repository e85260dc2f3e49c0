package io.dynalog.ingest;

import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wal.WalRecords;
import io.dynalog.topology.wire.WalEntryCodec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAL appender: a partition's leader appends its chosen entries in Kafka transactions, one
 * at a time, so that a replica (which reads committed records only) never sees a slot of the
 * partition without every earlier one.
 *
 * <p>Why transactions: with a plain idempotent producer, once a batch has failed (say it expired
 * while the broker was unreachable) the producer may still land later batches of the same
 * partition. The WAL would then hold slot s+1 without s; a replica would apply s+1 and later
 * skip the re-appended s as a duplicate, losing it. Here a failed transaction is aborted whole,
 * a partition's transactions run in order, and after a failure the partition is
 * <em>poisoned</em>: its appends fail until the leader starts a new sequence of appends (from its
 * first unacknowledged slot, or as a new leader), so nothing appended in between can overtake
 * the failed slots.
 *
 * <p>The transactional id belongs to the WAL partition, not to the node: a new leader's producer
 * fences the previous leader's and aborts the transaction it left open (a transaction left open
 * by a dead leader would otherwise hold back every replica until it timed out).
 *
 * <p>Record layout is {@link WalRecords}': key = store key, value = the encoded entry, a DELETE
 * as a tombstone carrying the entry in a header.
 */
public final class KafkaWalAppender implements WalAppender {
    private static final Logger log = LoggerFactory.getLogger(KafkaWalAppender.class);
    /** Appends committed in one transaction at most (more wait for the next). */
    static final int MAX_APPENDS_PER_TRANSACTION = 2_000;

    private final Function<String, Producer<byte[], byte[]>> transactionalProducers;
    private final ExecutorService executor;
    private final Map<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param transactionalProducers a new producer with the given transactional id (transactions
     *     not yet initialised)
     * @param executor runs the partitions' transactions (blocking Kafka calls; one partition's
     *     transactions run one at a time)
     */
    public KafkaWalAppender(Function<String, Producer<byte[], byte[]>> transactionalProducers, ExecutorService executor) {
        this.transactionalProducers = transactionalProducers;
        this.executor = executor;
    }

    /** The transactional id of a WAL partition, whichever node leads it. */
    static String transactionalId(TopicPartition tp) {
        return tp.topic() + "." + tp.partition() + ".writer";
    }

    @Override
    public CompletableFuture<Void> append(String walTopic, WalEntry entry, boolean restartsSequence) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        try {
            if (closed) throw new IllegalStateException("the WAL appender is closed");
            byte[] encoded = WalEntryCodec.encode(entry);
            ProducerRecord<byte[], byte[]> record = switch (entry.kind()) {
                case PUT -> new ProducerRecord<>(walTopic, entry.partition(), entry.storeKey(), encoded);
                case DELETE -> new ProducerRecord<>(walTopic, entry.partition(), null, entry.storeKey(), null,
                        List.of(new RecordHeader(WalRecords.ENTRY_HEADER, encoded)));
                case NOOP -> new ProducerRecord<>(walTopic, entry.partition(), WalRecords.NOOP_KEY, encoded);
            };
            TopicPartition tp = new TopicPartition(walTopic, entry.partition());
            logs.computeIfAbsent(tp, PartitionLog::new).add(new Append(record, restartsSequence, acked));
        } catch (RuntimeException e) {
            acked.completeExceptionally(e);
        }
        return acked;
    }

    @Override
    public void release(String walTopic, int partition) {
        PartitionLog log = logs.remove(new TopicPartition(walTopic, partition));
        if (log != null) log.release();
    }

    @Override
    public void close() {
        closed = true;
        List<PartitionLog> all = new ArrayList<>(logs.values());
        logs.clear();
        all.forEach(PartitionLog::release);
    }

    private record Append(ProducerRecord<byte[], byte[]> record, boolean restartsSequence, CompletableFuture<Void> acked) {}

    /** One WAL partition as this node's leader appends to it. Guarded by its own monitor. */
    private final class PartitionLog {
        private final TopicPartition tp;
        private final ArrayDeque<Append> queued = new ArrayDeque<>();
        /** A transaction is being prepared or committed on the executor. */
        private boolean running;
        private boolean poisoned;
        private boolean released;
        /** Touched by one transaction at a time (on the executor); null until the first, and after a failure. */
        private Producer<byte[], byte[]> producer;

        PartitionLog(TopicPartition tp) {
            this.tp = tp;
        }

        void add(Append a) {
            synchronized (this) {
                if (released) throw new IllegalStateException("this node no longer appends to " + tp);
                queued.add(a);
                if (running) return;
                running = true;
            }
            schedule();
        }

        private void schedule() {
            try {
                executor.execute(this::runOnce);
            } catch (RejectedExecutionException e) {
                failAll(new IllegalStateException("the WAL appender is closed"));
            }
        }

        /** One transaction of what is queued; then the next, if more came meanwhile. */
        private void runOnce() {
            List<Append> batch = new ArrayList<>();
            synchronized (this) {
                while (!queued.isEmpty() && batch.size() < MAX_APPENDS_PER_TRANSACTION) {
                    Append a = queued.poll();
                    if (a.restartsSequence()) {
                        poisoned = false;
                    } else if (poisoned) {
                        a.acked().completeExceptionally(new KafkaException("an earlier append to " + tp
                                + " failed; the leader appends again from its first unacknowledged slot"));
                        continue;
                    }
                    batch.add(a);
                }
            }
            if (!batch.isEmpty()) commit(batch);
            boolean more;
            boolean close;
            synchronized (this) {
                more = !queued.isEmpty() && !released;
                close = released;
                if (!more) running = false;
            }
            if (close) closeProducer();
            if (more) schedule();
        }

        private void commit(List<Append> batch) {
            try {
                if (producer == null) {
                    Producer<byte[], byte[]> p = transactionalProducers.apply(transactionalId(tp));
                    try {
                        p.initTransactions(); // fences the previous leader's producer, ends its open transaction
                    } catch (RuntimeException e) {
                        p.close(Duration.ZERO);
                        throw e;
                    }
                    producer = p;
                }
                producer.beginTransaction();
                for (Append a : batch) producer.send(a.record());
                producer.commitTransaction(); // flushes; throws if a send failed, and then nothing is committed
            } catch (RuntimeException e) {
                failed(batch, e);
                return;
            }
            batch.forEach(a -> a.acked().complete(null));
        }

        private void failed(List<Append> batch, RuntimeException error) {
            log.warn("WAL transaction of {} appends to {} failed: {}", batch.size(), tp, error.toString());
            synchronized (this) {
                poisoned = true;
            }
            // Whether it aborted or not (a timed-out commit may still complete), the producer is
            // replaced: the next one's initTransactions ends whatever this one left open.
            closeProducer();
            batch.forEach(a -> a.acked().completeExceptionally(error));
        }

        private void closeProducer() {
            Producer<byte[], byte[]> p = producer;
            producer = null;
            if (p == null) return;
            try {
                p.close(Duration.ZERO);
            } catch (RuntimeException e) {
                log.debug("closing the WAL producer of {}: {}", tp, e.toString());
            }
        }

        /**
         * Leadership of the partition ended here: queued appends fail, and the producer closes
         * (after the transaction in progress, if any: that run closes it).
         */
        void release() {
            boolean idle;
            synchronized (this) {
                released = true;
                idle = !running;
            }
            failAll(new IllegalStateException("this node no longer appends to " + tp));
            if (idle) closeProducer();
        }

        private void failAll(RuntimeException e) {
            List<Append> failed;
            synchronized (this) {
                failed = new ArrayList<>(queued);
                queued.clear();
            }
            failed.forEach(a -> a.acked().completeExceptionally(e));
        }
    }
}
