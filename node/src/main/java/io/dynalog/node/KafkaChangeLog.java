package io.dynalog.node;

import io.dynalog.api.ops.ChangeLog;
import io.dynalog.topology.wire.ChangeRecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;

/**
 * The change streams' topics, read for the DynamoDB Streams API with one assigned consumer
 * (read_committed, no offset reset: an offset past retention is reported, not skipped) that calls
 * take in turn: each call assigns the one partition it reads, so calls are independent of each
 * other. The Streams API's own workers call it, never the page-read workers.
 */
final class KafkaChangeLog implements ChangeLog, AutoCloseable {
    /** How long a read waits for records that are not fetched yet before it answers with none. */
    private static final Duration READ_WAIT = Duration.ofMillis(200);
    private static final Duration POLL = Duration.ofMillis(50);

    private final KafkaConsumer<byte[], byte[]> consumer;

    KafkaChangeLog(KafkaConsumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    @Override
    public synchronized Range offsets(String topic, int partition) {
        TopicPartition tp = new TopicPartition(topic, partition);
        long first = consumer.beginningOffsets(List.of(tp)).get(tp);
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        return new Range(first, end);
    }

    @Override
    public synchronized long offsetAtOrAfter(String topic, int partition, long timestampMs) {
        TopicPartition tp = new TopicPartition(topic, partition);
        OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(tp, timestampMs)).get(tp);
        return found != null ? found.offset() : consumer.endOffsets(List.of(tp)).get(tp);
    }

    @Override
    public synchronized Batch read(String topic, int partition, long offset, int maxRecords) {
        TopicPartition tp = new TopicPartition(topic, partition);
        consumer.assign(List.of(tp));
        try {
            consumer.seek(tp, offset);
            List<Entry> entries = new ArrayList<>();
            long next = offset;
            long deadline = System.nanoTime() + READ_WAIT.toNanos();
            while (entries.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL).records(tp)) {
                    if (entries.size() == maxRecords) break;
                    entries.add(new Entry(r.offset(), ChangeRecordCodec.decode(r.value())));
                    next = r.offset() + 1;
                }
                // Past the transaction markers too, once every record fetched was taken.
                if (entries.isEmpty() || entries.size() < maxRecords) next = Math.max(next, consumer.position(tp));
                // Nothing to wait for at the end of what is committed.
                if (entries.isEmpty() && next >= consumer.endOffsets(List.of(tp)).get(tp)) break;
            }
            return new Batch(entries, next);
        } catch (OffsetOutOfRangeException e) {
            throw new Trimmed("offset " + offset + " of " + tp + " is no longer held");
        } finally {
            consumer.assign(List.of());
        }
    }

    @Override
    public synchronized void close() {
        consumer.close();
    }
}
