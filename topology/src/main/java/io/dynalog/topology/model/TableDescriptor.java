package io.dynalog.topology.model;

import io.dynalog.topology.wal.Configuration;
import java.util.ArrayList;
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
 * @param replicas for each partition, the nodes it was placed on at creation (by {@code Placement}),
 *     preferred leader first: the voters of its replica group's first configuration (version 0),
 *     which every member must agree on and which therefore never changes
 * @param configurations empty while every partition's group has its first configuration; else, for
 *     each partition, the latest configuration of its replica group the catalog was told of (the
 *     group's own log chooses it; the catalog follows, so that nodes know which groups to join and
 *     requests where to go)
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
        TableStream stream,
        List<Configuration> configurations) {

    /** DynamoDB's limits: 5 local secondary indexes per table, 20 global ones. */
    public static final int MAX_LOCAL_INDEXES = 5;
    public static final int MAX_GLOBAL_INDEXES = 20;

    /** A table whose partitions' groups all have their first configuration. */
    public TableDescriptor(String name, long tableId, KeySchema keySchema, List<AttributeDefinition> attributeDefinitions,
                           String billingMode, long readCapacityUnits, long writeCapacityUnits, int partitionCount,
                           long creationTimeMs, TableStatus status, String walTopic, List<List<Integer>> replicas,
                           List<IndexDescriptor> indexes, TableStream stream) {
        this(name, tableId, keySchema, attributeDefinitions, billingMode, readCapacityUnits, writeCapacityUnits, partitionCount,
                creationTimeMs, status, walTopic, replicas, indexes, stream, List.of());
    }

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
        configurations = List.copyOf(configurations);
        if (!configurations.isEmpty() && configurations.size() != partitionCount) {
            throw new IllegalArgumentException(partitionCount + " partitions but configurations for " + configurations.size());
        }
        for (int p = 0; p < configurations.size(); p++) {
            Configuration c = configurations.get(p);
            if (c.version() == 0 && !c.equals(Configuration.initial(replicas.get(p)))) {
                throw new IllegalArgumentException("partition " + p + "'s first configuration " + c + " is not its placement "
                        + replicas.get(p));
            }
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
                readCapacityUnits, writeCapacityUnits, partitionCount, creationTimeMs, status, walTopic, replicas, newIndexes, stream, configurations);
    }

    public TableDescriptor withAttributeDefinitions(List<AttributeDefinition> definitions) {
        return new TableDescriptor(name, tableId, keySchema, definitions, billingMode,
                readCapacityUnits, writeCapacityUnits, partitionCount, creationTimeMs, status, walTopic, replicas, indexes, stream, configurations);
    }

    public TableDescriptor withStream(TableStream newStream) {
        return new TableDescriptor(name, tableId, keySchema, attributeDefinitions, billingMode,
                readCapacityUnits, writeCapacityUnits, partitionCount, creationTimeMs, status, walTopic, replicas, indexes, newStream, configurations);
    }

    /** The stream, when it is enabled; null otherwise. */
    public TableStream enabledStream() {
        return stream != null && stream.enabled() ? stream : null;
    }

    /**
     * The nodes holding partition {@code partition}'s replicas now: the members (voters, then
     * learners) of the latest configuration the catalog knows for its group; while that is the
     * first, the nodes it was placed on, preferred leader first.
     */
    public List<Integer> replicasOf(int partition) {
        Configuration c = configurationOf(partition);
        return c.version() == 0 ? replicas.get(partition) : c.members();
    }

    /**
     * The nodes to send an eventually consistent read of partition {@code partition} to: its
     * voters (a learner's replica is still being built), placement order while it has its first
     * configuration.
     */
    public List<Integer> readReplicasOf(int partition) {
        Configuration c = configurationOf(partition);
        return c.version() == 0 ? replicas.get(partition) : c.voters();
    }

    /** The first configuration of partition {@code partition}'s replica group, the same at every member. */
    public Configuration firstConfigurationOf(int partition) {
        return Configuration.initial(replicas.get(partition));
    }

    /** The latest configuration of partition {@code partition}'s replica group the catalog knows. */
    public Configuration configurationOf(int partition) {
        return configurations.isEmpty() ? firstConfigurationOf(partition) : configurations.get(partition);
    }

    /** This table with {@code configuration} recorded for partition {@code partition}'s group. */
    public TableDescriptor withConfiguration(int partition, Configuration configuration) {
        List<Configuration> next = new ArrayList<>();
        for (int p = 0; p < partitionCount; p++) next.add(p == partition ? configuration : configurationOf(p));
        return new TableDescriptor(name, tableId, keySchema, attributeDefinitions, billingMode,
                readCapacityUnits, writeCapacityUnits, partitionCount, creationTimeMs, status, walTopic, replicas, indexes, stream, next);
    }

    public record AttributeDefinition(String name, ScalarType type) {}

    public TableDescriptor withStatus(TableStatus newStatus) {
        return new TableDescriptor(name, tableId, keySchema, attributeDefinitions, billingMode,
                readCapacityUnits, writeCapacityUnits, partitionCount, creationTimeMs, newStatus, walTopic, replicas, indexes, stream, configurations);
    }
}
