package io.dynalog.ingest;

import io.dynalog.ingest.CatalogConflictException.Kind;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.topology.wire.TableRecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes the catalog: checks each change against the catalog as every earlier change left it,
 * on whichever node it arrives, and makes it durable in the meta topic.
 *
 * <p>Every node's writer shares one Kafka transactional id, so the transaction coordinator
 * keeps a single writer at a time: a writer that starts (initTransactions) fences every other.
 * A change is: become the writer (if not already), read the meta topic up to its last
 * committed record, check, then write the record in a transaction. If another node became the
 * writer meanwhile, it may have changed the catalog after this node read it, and this node's
 * commit fails as fenced: the change starts over and is checked again. So two CreateTable
 * calls for one name on two nodes never both succeed.
 *
 * <p>A change completes once this node's view has read it back, so a client that created a
 * table sees it in DescribeTable on the same node. Changes of one node run one at a time on
 * the writer's own thread (they block on Kafka; the catalog changes rarely).
 */
public final class CatalogLeader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CatalogLeader.class);
    /** Times a change starts over because another node took the writer role meanwhile. */
    static final int MAX_FENCED_ATTEMPTS = 20;
    static final long KAFKA_WAIT_MS = 15_000;
    private static final long MAX_BACKOFF_MS = 100;

    private final Supplier<Producer<byte[], byte[]>> transactionalProducers;
    private final String metaTopic;
    private final CatalogView view;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "catalog-writer");
        t.setDaemon(true);
        return t;
    });
    /** Only on the writer thread: null until this node becomes the writer, and after it is fenced. */
    private Producer<byte[], byte[]> producer;

    /**
     * @param transactionalProducers a new producer with the cluster's catalog transactional id
     *     each time it is called (transactions not yet initialised)
     */
    public CatalogLeader(Supplier<Producer<byte[], byte[]>> transactionalProducers, String metaTopic, CatalogView view) {
        this.transactionalProducers = transactionalProducers;
        this.metaTopic = metaTopic;
        this.view = view;
    }

    /** Records a new table; fails with ALREADY_EXISTS when the name is taken. */
    public CompletableFuture<TableDescriptor> create(TableDescriptor table) {
        return change(table.name(), current -> {
            if (current != null) {
                throw new CatalogConflictException(Kind.ALREADY_EXISTS, table.name(), "Table already exists: " + table.name());
            }
            return new Decision<>(TableRecordCodec.encode(table), table);
        });
    }

    /** Replaces the descriptor of an existing table of the same incarnation (a status change). */
    public CompletableFuture<TableDescriptor> update(TableDescriptor table) {
        return change(table.name(), current -> {
            if (current == null || current.tableId() != table.tableId()) {
                throw new CatalogConflictException(Kind.NOT_FOUND, table.name(),
                        "Requested resource not found: Table: " + table.name() + " not found");
            }
            byte[] record = TableRecordCodec.encode(table);
            // Every replica of a new table reports it served: only the first report changes anything.
            return Arrays.equals(record, TableRecordCodec.encode(current)) ? Decision.unchanged(table) : new Decision<>(record, table);
        });
    }

    /**
     * Removes a table; completes with its last descriptor, marked DELETING. Fails with NOT_FOUND
     * when there is none, IN_USE while it is still being created.
     */
    public CompletableFuture<TableDescriptor> delete(String name) {
        return change(name, current -> {
            if (current == null) {
                throw new CatalogConflictException(Kind.NOT_FOUND, name, "Requested resource not found: Table: " + name + " not found");
            }
            if (current.status() == TableStatus.CREATING) {
                throw new CatalogConflictException(Kind.IN_USE, name,
                        "Attempt to change a resource which is still in use: Table is being created: " + name);
            }
            return Decision.tombstone(current.withStatus(TableStatus.DELETING));
        });
    }

    @Override
    public void close() {
        writer.shutdownNow();
        try {
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) log.warn("the catalog writer did not stop in 5 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (producer != null) producer.close(java.time.Duration.ofSeconds(2));
    }

    /** What a change writes: the record's value (null: a tombstone; absent: nothing) and its result. */
    private record Decision<T>(byte[] value, boolean write, T result) {
        Decision(byte[] value, T result) {
            this(value, true, result);
        }

        static <T> Decision<T> tombstone(T result) {
            return new Decision<>(null, true, result);
        }

        static <T> Decision<T> unchanged(T result) {
            return new Decision<>(null, false, result);
        }
    }

    private <T> CompletableFuture<T> change(String name, Function<TableDescriptor, Decision<T>> decide) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            writer.execute(() -> {
                try {
                    result.complete(changeAsWriter(name, decide));
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(new IngestException(IngestException.Reason.CLOSED, "the node is stopping"));
        }
        return result;
    }

    /** On the writer thread. */
    private <T> T changeAsWriter(String name, Function<TableDescriptor, Decision<T>> decide) throws Exception {
        for (int attempt = 1; ; attempt++) {
            if (producer == null) {
                Producer<byte[], byte[]> p = transactionalProducers.get();
                try {
                    p.initTransactions(); // fences every other node's writer
                } catch (RuntimeException e) {
                    p.close(java.time.Duration.ZERO);
                    throw e;
                }
                producer = p;
            }
            // Everything committed before this node became the writer is in the view after this.
            await(view.whenCaughtUp());
            Decision<T> decision = decide.apply(view.table(name));
            if (!decision.write()) return decision.result();
            try {
                producer.beginTransaction();
                RecordMetadata written = producer.send(new ProducerRecord<>(metaTopic, 0,
                        name.getBytes(StandardCharsets.UTF_8), decision.value())).get(KAFKA_WAIT_MS, TimeUnit.MILLISECONDS);
                producer.commitTransaction();
                await(view.whenConsumedTo(written.offset() + 1));
                return decision.result();
            } catch (ProducerFencedException | InvalidProducerEpochException e) {
                fenced(attempt, name);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof ProducerFencedException || e.getCause() instanceof InvalidProducerEpochException) {
                    fenced(attempt, name);
                } else {
                    dropProducer();
                    throw e;
                }
            } catch (KafkaException | TimeoutException e) {
                dropProducer();
                throw e;
            }
        }
    }

    /** Another node took the writer role while this one was changing the catalog: start over. */
    private void fenced(int attempt, String name) throws InterruptedException {
        dropProducer();
        if (attempt >= MAX_FENCED_ATTEMPTS) {
            throw new IngestException(IngestException.Reason.LEADER_UNAVAILABLE,
                    "the catalog is being changed by other nodes; retry the change of table " + name);
        }
        Thread.sleep(ThreadLocalRandom.current().nextLong(1, MAX_BACKOFF_MS)); // breaks a lock-step with the other writer
    }

    private void dropProducer() {
        if (producer == null) return;
        try {
            producer.close(java.time.Duration.ZERO);
        } catch (RuntimeException e) {
            log.debug("closing the fenced catalog producer: {}", e.toString());
        }
        producer = null;
    }

    private static void await(CompletableFuture<Void> f) throws Exception {
        try {
            f.get(KAFKA_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            throw e;
        }
    }
}
