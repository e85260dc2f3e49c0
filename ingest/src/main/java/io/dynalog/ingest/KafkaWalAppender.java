package io.dynalog.ingest;

import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wal.WalRecords;
import io.dynalog.topology.wire.WalEntryCodec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The WAL appender over a Kafka producer, which must be idempotent with acks=all so that a
 * retried batch is neither lost nor doubled and per-partition order is kept, and configured with
 * {@code max.block.ms=0}: {@link #append} runs on the replication loop, which must never block, so
 * a full buffer or a topic whose metadata is not known yet fails the append at once (the
 * partition's leader appends again after a pause, and refuses new writes past its bound) instead
 * of waiting. The producer's buffer is the bound on appends in flight.
 *
 * <p>Record layout is {@link WalRecords}': key = store key, value = the encoded entry, a DELETE
 * as a tombstone carrying the entry in a header.
 */
public final class KafkaWalAppender implements WalAppender {
    private final Producer<byte[], byte[]> producer;

    public KafkaWalAppender(Producer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    @Override
    public CompletableFuture<Long> append(String walTopic, WalEntry entry) {
        CompletableFuture<Long> acked = new CompletableFuture<>();
        try {
            byte[] encoded = WalEntryCodec.encode(entry);
            ProducerRecord<byte[], byte[]> record = switch (entry.kind()) {
                case PUT -> new ProducerRecord<>(walTopic, entry.partition(), entry.storeKey(), encoded);
                case DELETE -> new ProducerRecord<>(walTopic, entry.partition(), null, entry.storeKey(), null,
                        List.of(new RecordHeader(WalRecords.ENTRY_HEADER, encoded)));
                case NOOP -> new ProducerRecord<>(walTopic, entry.partition(), WalRecords.NOOP_KEY, encoded);
                case CONFIGURATION -> new ProducerRecord<>(walTopic, entry.partition(), WalRecords.CONFIGURATION_KEY, encoded);
            };
            producer.send(record, (metadata, error) -> {
                if (error != null) acked.completeExceptionally(error); else acked.complete(metadata.offset());
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(e);
        }
        return acked;
    }

    @Override
    public void close() {
        producer.close();
    }
}
