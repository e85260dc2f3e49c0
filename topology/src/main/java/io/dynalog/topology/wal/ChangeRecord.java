package io.dynalog.topology.wal;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.TableStream;
import java.util.Map;
import java.util.Objects;

/**
 * One change of an item, as a table's change stream carries it ({@code ChangeRecord.avsc}): what
 * DynamoDB Streams calls a stream record.
 *
 * <p>A stream partition (a shard) carries the changes of one table partition in slot order, each
 * once, so the changes of an item arrive in the order they were made; {@code sequenceNumber}
 * increases along the partition.
 *
 * @param slot the WAL slot of the write
 * @param newImage the item after the change, when the view type carries it (null for REMOVE)
 * @param oldImage the item before the change, when the view type carries it (null for INSERT)
 * @param sizeBytes the size of the keys and images carried, as DynamoDB counts item sizes
 */
public record ChangeRecord(String tableName, long tableId, long streamId, EventName eventName, int partition, long slot,
                           String sequenceNumber, long approximateCreationTimeMs, TableStream.ViewType viewType,
                           Map<String, AttributeValue> keys, Map<String, AttributeValue> newImage,
                           Map<String, AttributeValue> oldImage, long sizeBytes) {

    /** How many sequence numbers one ms of a partition has. */
    public static final int SEQUENCES_PER_MS = 1_000_000;

    /** A sequence number: the ms, then the counter within it, as 21 decimal digits (DynamoDB's are digits too). */
    public static String sequenceNumber(long sequenceMs, int inMs) {
        return String.format("%021d", sequenceMs * SEQUENCES_PER_MS + inMs);
    }

    /** The ms a sequence number was given in, which is its record's Kafka timestamp. */
    public static long sequenceMs(String sequenceNumber) {
        return Long.parseLong(sequenceNumber) / SEQUENCES_PER_MS;
    }

    /** DynamoDB's eventName. */
    public enum EventName { INSERT, MODIFY, REMOVE }

    public ChangeRecord {
        Objects.requireNonNull(tableName, "tableName");
        Objects.requireNonNull(eventName, "eventName");
        Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        Objects.requireNonNull(viewType, "viewType");
        keys = Map.copyOf(keys);
    }
}
