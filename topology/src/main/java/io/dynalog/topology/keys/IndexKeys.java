package io.dynalog.topology.keys;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.KeySchema;
import java.util.Map;

/**
 * Row keys of secondary indexes: {@code indexStoreKey | tableStoreKey}, where the index store key
 * is the item's key under the index's key schema ({@link KeyCodec#storeKey}: hash of the index
 * partition key, then the index key attributes, order-preserving and prefix-free).
 *
 * <p>So an index is sorted like a table of its own (hash order, then index partition key, then
 * index sort key), rows with equal index keys are told apart by, and ordered by, the item's
 * primary key, and a Query's key range over index keys covers every row whose key begins inside
 * it. An index partition (a hash range of the index partition key) is a contiguous range. For a
 * local index, whose partition key is the table's, the hash is the item's own, so its rows fall in
 * the same hash range, hence the same partition, as the item.
 */
public final class IndexKeys {
    private IndexKeys() {}

    /**
     * The row key of an item in an index, or null when the item is not in it (it is null, or lacks
     * an index key attribute, or has one of another type: DynamoDB indexes only items whose index
     * key attributes are present with the declared types).
     */
    public static byte[] rowKey(IndexDescriptor index, byte[] tableStoreKey, Map<String, AttributeValue> item) {
        if (item == null || !hasIndexKey(index.keySchema(), item)) return null;
        byte[] indexKey = KeyCodec.storeKey(index.keySchema(), item);
        byte[] row = new byte[indexKey.length + tableStoreKey.length];
        System.arraycopy(indexKey, 0, row, 0, indexKey.length);
        System.arraycopy(tableStoreKey, 0, row, indexKey.length, tableStoreKey.length);
        return row;
    }

    static boolean hasIndexKey(KeySchema schema, Map<String, AttributeValue> item) {
        if (!hasType(item.get(schema.partitionKey()), schema.partitionKeyType())) return false;
        return !schema.hasSortKey() || hasType(item.get(schema.sortKey()), schema.sortKeyType());
    }

    private static boolean hasType(AttributeValue v, io.dynalog.topology.model.ScalarType type) {
        return v != null && v.type() == type.valueType();
    }
}
