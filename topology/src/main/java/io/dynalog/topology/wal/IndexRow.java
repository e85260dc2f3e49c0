package io.dynalog.topology.wal;

import io.dynalog.topology.model.AttributeValue;
import java.util.Map;

/**
 * One change of a global secondary index row, derived from one WAL entry: the row under a row key
 * ({@link io.dynalog.topology.keys.IndexKeys#rowKey}) now holds {@code image}, or nothing.
 *
 * <p>A row key holds the item's primary key, so all changes of one row come from one item, hence
 * from one table partition, whose slots order them: a replica applies a change only if its
 * {@code sourceSlot} is above the slot of the last change it applied to that row, which makes
 * repeated and late rows harmless.
 *
 * @param image the projected item; null when the item no longer has this row (deleted, or its
 *     index key changed)
 */
public record IndexRow(long indexId, int sourcePartition, long sourceSlot, Map<String, AttributeValue> image) {

    public boolean isDelete() {
        return image == null;
    }

    /** The index topic of a global index incarnation: one Kafka partition per index partition. */
    public static String topic(String prefix, String tableName, String indexName, long indexId) {
        String table = tableName.length() > 100 ? tableName.substring(0, 100) : tableName;
        String index = indexName.length() > 100 ? indexName.substring(0, 100) : indexName;
        return prefix + ".gsi." + table + "." + index + "." + Long.toHexString(indexId);
    }

    /**
     * A delete is a tombstone (null value), so compaction can drop the row altogether; the encoded
     * row (its source slot) travels in this header, as a WAL tombstone's entry does.
     */
    public static final String ROW_HEADER = "dynalog.row";
}
