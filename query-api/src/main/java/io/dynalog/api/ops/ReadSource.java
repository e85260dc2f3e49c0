package io.dynalog.api.ops;

import io.dynalog.api.ApiException;
import io.dynalog.topology.keys.IndexKeys;
import io.dynalog.topology.keys.KeyCodec;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.TableDescriptor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a Query or Scan walks: a table's items, or the rows of one of its secondary indexes.
 *
 * <p>A local index's rows live in the table's partitions (same hash ranges, same replicas, same
 * leader, so ConsistentRead works as on the table); a global index's rows live in its own
 * partitions (hash ranges of the index partition key) on its own replicas. Rows are keyed by
 * {@link IndexKeys#rowKey}, so a read over index keys covers every row whose key starts inside
 * its range, and a page's LastEvaluatedKey holds the table's key and the index's.
 *
 * @param index null for the table itself
 */
record ReadSource(TableDescriptor table, IndexDescriptor index) {

    /** The source a request names: the table, or its index {@code indexName} (a ValidationException when it has none). */
    static ReadSource of(TableDescriptor table, String indexName) {
        if (indexName == null) return new ReadSource(table, null);
        IndexDescriptor index = table.index(indexName);
        if (index == null) throw ApiException.validation("The table does not have the specified index: " + indexName);
        return new ReadSource(table, index);
    }

    boolean isIndex() {
        return index != null;
    }

    boolean isGlobalIndex() {
        return index != null && index.isGlobal();
    }

    /** The replica store's key space of the rows: the table's id or the index's. */
    long keySpaceId() {
        return index == null ? table.tableId() : index.indexId();
    }

    /** The key the read's key conditions and hash order are over. */
    KeySchema keySchema() {
        return index == null ? table.keySchema() : index.keySchema();
    }

    int partitionCount() {
        return isGlobalIndex() ? index.partitionCount() : table.partitionCount();
    }

    List<Integer> replicasOf(int partition) {
        return isGlobalIndex() ? index.replicasOf(partition) : table.replicasOf(partition);
    }

    /** Where to send an eventually consistent read of a partition this node cannot answer (see {@link TableDescriptor#readReplicasOf}). */
    List<Integer> readReplicasOf(int partition) {
        return isGlobalIndex() ? index.replicasOf(partition) : table.readReplicasOf(partition);
    }

    /** The partition holding the rows of partition key {@code partitionKey} (of {@link #keySchema}). */
    int partitionOf(AttributeValue partitionKey) {
        return KeyCodec.partitionOf(KeyCodec.hash32(partitionKey), partitionCount());
    }

    /** A row's position for LastEvaluatedKey: the table's key attributes, and the index's. */
    Map<String, AttributeValue> lastKeyOf(Map<String, AttributeValue> row) {
        Map<String, AttributeValue> key = new LinkedHashMap<>(table.keySchema().keyOf(row));
        if (index != null) key.putAll(index.keySchema().keyOf(row));
        return key;
    }

    /**
     * The row key an ExclusiveStartKey names: it must hold exactly the table's key attributes and
     * the index's, of their types.
     */
    byte[] rowKeyOf(Map<String, AttributeValue> startKey) {
        if (index == null) return ItemKey.ofKey(table, startKey).storeKey();
        Map<String, AttributeValue> expected = lastKeyOf(startKey);
        if (expected.size() != startKey.size() || expected.containsValue(null)) {
            throw ApiException.validation("Exclusive Start Key must have same size as table's key schema");
        }
        byte[] tableKey = ItemKey.ofKey(table, table.keySchema().keyOf(startKey)).storeKey();
        byte[] row = IndexKeys.rowKey(index, tableKey, startKey);
        if (row == null) throw ApiException.validation("The provided key element does not match the schema");
        return row;
    }

    /** Whether a row holds top-level attribute {@code name}: always for the table, by the projection for an index. */
    boolean projects(String name) {
        return index == null || index.projection().keeps(name, table.keySchema(), index.keySchema());
    }

    /** The names of {@code names} that the rows do not hold. */
    List<String> notProjected(Set<String> names) {
        return names.stream().filter(n -> !projects(n)).toList();
    }
}
