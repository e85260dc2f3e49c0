package io.dynalog.topology.keys;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.ItemSize;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.TableDescriptor;
import java.util.List;
import java.util.Map;

/**
 * The item collections of a table with local secondary indexes: the items that share a partition
 * key, with their local index rows. DynamoDB limits a collection's size (10 GB by default) and
 * reports it (ReturnItemCollectionMetrics) only for such tables.
 *
 * <p>A collection's size is the sum of {@link #bytesOf} over its items: an item's size plus, for
 * each local index it is in, its projected row's size and {@value #INDEX_ROW_OVERHEAD_BYTES}
 * bytes (DynamoDB's overhead per index entry). The replica keeps each collection's sum, in the
 * WriteBatch of the items that change it, and the partition leader checks a write against the
 * limit with this same measure, so the two never disagree about what an item costs. Stored sums
 * are only right for the measure they were summed with: changing it (here, or {@link ItemSize},
 * or projections) needs a new replica store format, so that every sum is computed again.
 *
 * <p>A collection is named by {@link #keyOf}: {@link KeyCodec#partitionKeyPrefix}, which every
 * store key of its items starts with, so it lies in their partition's key range.
 */
public final class ItemCollections {
    /** DynamoDB's limit on an item collection: 10 GB. */
    public static final long DEFAULT_LIMIT_BYTES = 10L << 30;
    /** What DynamoDB adds to a local index row's size. */
    public static final long INDEX_ROW_OVERHEAD_BYTES = 100;

    private final KeySchema tableKey;
    private final List<IndexDescriptor> localIndexes;

    private ItemCollections(KeySchema tableKey, List<IndexDescriptor> localIndexes) {
        this.tableKey = tableKey;
        this.localIndexes = List.copyOf(localIndexes);
    }

    /** The collections of a table; null when it has no local index (its items form no collection DynamoDB counts). */
    public static ItemCollections of(TableDescriptor table) {
        return of(table.keySchema(), table.localIndexes());
    }

    /** See {@link #of(TableDescriptor)}. */
    public static ItemCollections of(KeySchema tableKey, List<IndexDescriptor> localIndexes) {
        return localIndexes.isEmpty() ? null : new ItemCollections(tableKey, localIndexes);
    }

    /** What an item adds to its collection: 0 for none (an absent item). */
    public long bytesOf(Map<String, AttributeValue> item) {
        if (item == null) return 0;
        long bytes = ItemSize.of(item);
        for (IndexDescriptor index : localIndexes) {
            if (IndexKeys.hasIndexKey(index.keySchema(), item)) {
                bytes += ItemSize.of(index.projection().project(item, tableKey, index.keySchema())) + INDEX_ROW_OVERHEAD_BYTES;
            }
        }
        return bytes;
    }

    /** The collection an item (with a valid key) belongs to. */
    public byte[] keyOf(Map<String, AttributeValue> item) {
        return KeyCodec.partitionKeyPrefix(tableKey, item.get(tableKey.partitionKey()));
    }

    /** The collection's partition key attribute, as DynamoDB's ItemCollectionKey shows it. */
    public Map<String, AttributeValue> keyAttributes(Map<String, AttributeValue> item) {
        return Map.of(tableKey.partitionKey(), item.get(tableKey.partitionKey()));
    }
}
