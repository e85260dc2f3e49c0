package io.dynalog.replica.index;

import io.dynalog.topology.keys.IndexKeys;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.wal.IndexRow;
import io.dynalog.topology.wal.WalEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The index rows one WAL entry makes in one global secondary index: from the entry's old and new
 * images, a delete of the row the item had (when it had one and its index key changed or the item
 * went) and a put of the row it has now (when it has one).
 *
 * <p>The put is made even when the row looks unchanged: a backfill reads the compacted WAL, in
 * which the entry that first made the row may be gone while a later entry of the same item
 * remains, so every entry must (re)state the row it leaves. Replicas make repeats harmless.
 * Pure and thread-safe.
 */
public final class IndexRowDeriver {
    private final IndexDescriptor index;
    private final KeySchema tableKey;

    public IndexRowDeriver(IndexDescriptor index, KeySchema tableKey) {
        if (!index.isGlobal()) throw new IllegalArgumentException("local index " + index.name() + " is not derived");
        this.index = index;
        this.tableKey = tableKey;
    }

    /** A row change and its row key (the index topic record's key). */
    public record KeyedRow(byte[] rowKey, IndexRow row) {}

    public List<KeyedRow> rows(WalEntry entry) {
        if (!entry.changesItem()) return List.of();
        Map<String, AttributeValue> newImage = entry.kind() == WalEntry.Kind.PUT ? entry.newImage() : null;
        byte[] oldRow = IndexKeys.rowKey(index, entry.storeKey(), entry.oldImage());
        byte[] newRow = IndexKeys.rowKey(index, entry.storeKey(), newImage);
        List<KeyedRow> rows = new ArrayList<>(2);
        if (oldRow != null && !Arrays.equals(oldRow, newRow)) {
            rows.add(new KeyedRow(oldRow, new IndexRow(index.indexId(), entry.partition(), entry.slot(), null)));
        }
        if (newRow != null) {
            Map<String, AttributeValue> projected = index.projection().project(newImage, tableKey, index.keySchema());
            rows.add(new KeyedRow(newRow, new IndexRow(index.indexId(), entry.partition(), entry.slot(), projected)));
        }
        return rows;
    }
}
