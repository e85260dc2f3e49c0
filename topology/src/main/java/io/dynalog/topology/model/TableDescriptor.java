package io.dynalog.topology.model;

import java.util.List;
import java.util.Objects;

/**
 * A table as the catalog records it.
 *
 * <p>{@code tableId} identifies this incarnation of the table: a table deleted and created again
 * under the same name gets a new id, new WAL topic and new store key range, so nothing of the old
 * one can leak into the new one.
 *
 * @param attributeDefinitions the AttributeDefinitions as given (name and scalar type)
 * @param billingMode PROVISIONED or PAY_PER_REQUEST
 * @param readCapacityUnits reported back; 0 for PAY_PER_REQUEST
 * @param partitionCount the number of hash-range partitions, each with its own WAL partition
 * @param walTopic the Kafka topic holding this table's WAL, one Kafka partition per table partition
 * @param replicas for each partition, the ids of the nodes holding its replicas, preferred leader
 *     first (chosen once, at creation, by {@code Placement})
 * @param indexes the table's secondary indexes, local ones (fixed at creation) and global ones
 *     (added and deleted by UpdateTable), in the order they were defined
 * @param stream the table's latest change stream, enabled or not; null when it never had one
 */
public record TableDescriptor(
        String name,
        long tableId,
        KeySchema keySchema,
        List<AttributeDefinition> attributeDefinitions,
        String billingMode,
        long readCapacityUnits,
        long writeCapacityUnits,
        int partitionCount,
        long creationTimeMs,
        TableStatus status,
        String walTopic,
        List<List<Integer>> replicas,
        List<IndexDescriptor> indexes,
        TableStream stream) {

    /** DynamoDB's limits: 5 local secondary indexes per table, 20 global ones. */
    public static final int MAX_LOCAL_INDEXES = 5;
    public static final int MAX_GLOBAL_INDEXES = 20;

    /** A table without secondary indexes. */
    public TableDescriptor(String name, long tableId, KeySchema keySchema, List<AttributeDefinition> attributeDefinitions,
                           String billingMode, long readCapacityUnits, long writeCapacityUnits, int partitionCount,
                           long creationTimeMs, TableStatus status, String walTopic, List<List<Integer>> replicas) {
        this(name, tableId, keySchema, attributeDefinitions, billingMode, readCapacityUnits, writeCapacityUnits, partitionCount,
                creationTimeMs, status, walTopic, replicas, List.of(), null);
    }

    /** A table that never had a stream. */
    public TableDescriptor(String name, long tableId, KeySchema keySchema, List<AttributeDefinition> attributeDefinitions,
                           String billingMode, long readCapacityUnits, long writeCapacityUnits, int partitionCount,
                           long creationTimeMs, TableStatus status, String walTopic, List<List<Integer>> replicas,
                           List<IndexDescriptor> indexes) {
        this(name, tableId, keySchema, attributeDefinitions, billingMode, readCapacityUnits, writeCapacityUnits, partitionCount,
                creationTimeMs, status, walTopic, replicas, indexes, null);
    }

    public TableDescriptor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySchema, "keySchema");
        attributeDefinitions = List.copyOf(attributeDefinitions);
        Objects.requireNonNull(billingMode, "billingMode");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(walTopic, "walTopic");
        if (partitionCount < 1) throw new IllegalArgumentException("partitionCount must be >= 1");
        replicas = replicas.stream().map(List::copyOf).toList();
        if (replicas.size() != partitionCount) {
            throw new IllegalArgumentException(partitionCount + " partitions but replicas for " + replicas.size());
        }
        for (List<Integer> r : replicas) {
            if (r.isEmpty()) throw new IllegalArgumentException("a partition without replicas: " + replicas);
        }
        indexes = List.copyOf(indexes);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (IndexDescriptor index : indexes) {
            if (!names.add(index.name())) throw new IllegalArgumentException("two indexes named " + index.name());
        }
    }

    /** The index named {@code indexName}, or null. */
    public IndexDescriptor index(String indexName) {
        for (IndexDescriptor index : indexes) {
            if (index.name().equals(indexName)) return index;
        }
        return null;
    }

    public List<IndexDescriptor> localIndexes() {
        return indexes.stream().filter(i -> !i.isGlobal()).toList();
    }

    public List<IndexDescriptor> globalIndexes() {
        return indexes.stream().filter(IndexDescriptor::isGlobal).toList();
    }

    public TableDescriptor withIndexes(List<IndexDescriptor> newIndexes) {
        return new TableDescriptor(name, tableId, keySchema, attributeDefinitions, billingMode,
                readCapacityUnits, writeCapacityUnits, partitionCount, creationTimeMs, status, walTopic, replicas, newIndexes, stream);
    }

    public TableDescriptor withAttributeDefinitions(List<AttributeDefinition> definitions) {
        return new TableDescriptor(name, tableId, keySchema, definitions, billingMode,
                readCapacityUnits, writeCapacityUnits, partitionCount, creationTimeMs, status, walTopic, replicas, indexes, stream);
    }

    public TableDescriptor withStream(TableStream newStream) {
        return new TableDescriptor(name, tableId, keySchema, attributeDefinitions, billingMode,
                readCapacityUnits, writeCapacityUnits, partitionCount, creationTimeMs, status, walTopic, replicas, indexes, newStream);
    }

    /** The stream, when it is enabled; null otherwise. */
    public TableStream enabledStream() {
        return stream != null && stream.enabled() ? stream : null;
    }

    /** The nodes holding partition {@code partition}'s replicas, preferred leader first. */
    public List<Integer> replicasOf(int partition) {
        return replicas.get(partition);
    }

    public record AttributeDefinition(String name, ScalarType type) {}

    public TableDescriptor withStatus(TableStatus newStatus) {
        return new TableDescriptor(name, tableId, keySchema, attributeDefinitions, billingMode,
                readCapacityUnits, writeCapacityUnits, partitionCount, creationTimeMs, newStatus, walTopic, replicas, indexes, stream);
    }
}
