package io.dynalog.api.ops;

import io.dynalog.topology.wal.ChangeRecord;
import java.util.List;

/**
 * The change streams' topics as the DynamoDB Streams API reads them (wired in by the node, which
 * reads Kafka): a shard is one partition of a stream's topic, a position in it an offset. Only
 * committed records are read (the derivation writes in transactions).
 */
public interface ChangeLog {
    /** The first offset still held and the offset after the last record, of one partition. */
    Range offsets(String topic, int partition);

    /** The first offset whose record's timestamp is at or after {@code timestampMs}; the end offset when there is none. */
    long offsetAtOrAfter(String topic, int partition, long timestampMs);

    /**
     * Up to {@code maxRecords} records from {@code offset} on (none when there are none yet), and
     * the offset to read next (past transaction markers).
     *
     * @throws Trimmed when {@code offset} is no longer held
     */
    Batch read(String topic, int partition, long offset, int maxRecords);

    record Range(long firstOffset, long endOffset) {}

    record Batch(List<Entry> entries, long nextOffset) {}

    /** The records asked for are past the topic's retention. */
    final class Trimmed extends RuntimeException {
        public Trimmed(String message) {
            super(message, null, false, false);
        }
    }

    record Entry(long offset, ChangeRecord change) {}
}
