package io.dynalog.topology.model;

import java.util.List;
import java.util.Objects;

/**
 * A secondary index of a table, as the catalog records it.
 *
 * <p>{@code indexId} names this incarnation of the index in every store and topic, drawn from the
 * same space as table ids: an index deleted and added again under the same name is a new id, so no
 * row of the old one can leak into the new one, and the replica store keeps an index's rows as it
 * keeps a table's items, under the index id.
 *
 * <p>A LOCAL index lives in its table's partitions (rows written with the item, in one batch), so
 * it has no topic and no placement of its own: {@code partitionCount} is 0 and {@code replicas}
 * empty. A GLOBAL index has its own partitions (hash ranges of the index's partition key), its own
 * topic (one Kafka partition per index partition) and its own placement.
 *
 * @param status CREATING while a global index added to an existing table is backfilled, else ACTIVE
 * @param backfilling whether the index is still being filled from the table's existing items
 * @param topic the index topic of a GLOBAL index; null for LOCAL
 */
public record IndexDescriptor(
        String name,
        long indexId,
        Kind kind,
        KeySchema keySchema,
        IndexProjection projection,
        IndexStatus status,
        boolean backfilling,
        int partitionCount,
        String topic,
        List<List<Integer>> replicas,
        long readCapacityUnits,
        long writeCapacityUnits) {

    /** The kinds of index. The names are on the wire (catalog records): never rename one. */
    public enum Kind { LOCAL, GLOBAL }

    /** DynamoDB's IndexStatus. The names are on the wire (catalog records): never rename one. */
    public enum IndexStatus { CREATING, ACTIVE, DELETING }

    public IndexDescriptor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(keySchema, "keySchema");
        Objects.requireNonNull(projection, "projection");
        Objects.requireNonNull(status, "status");
        replicas = replicas.stream().map(List::copyOf).toList();
        if (kind == Kind.LOCAL) {
            if (partitionCount != 0 || topic != null || !replicas.isEmpty()) {
                throw new IllegalArgumentException("a local index lives in its table's partitions: no partitions, topic or replicas of its own");
            }
        } else {
            Objects.requireNonNull(topic, "topic");
            if (partitionCount < 1) throw new IllegalArgumentException("partitionCount must be >= 1");
            if (replicas.size() != partitionCount) {
                throw new IllegalArgumentException(partitionCount + " index partitions but replicas for " + replicas.size());
            }
        }
    }

    public static IndexDescriptor local(String name, long indexId, KeySchema keySchema, IndexProjection projection) {
        return new IndexDescriptor(name, indexId, Kind.LOCAL, keySchema, projection, IndexStatus.ACTIVE, false, 0, null, List.of(), 0, 0);
    }

    public boolean isGlobal() {
        return kind == Kind.GLOBAL;
    }

    /** The nodes holding index partition {@code partition}'s replicas (a GLOBAL index). */
    public List<Integer> replicasOf(int partition) {
        return replicas.get(partition);
    }

    /** This index with partition {@code partition}'s replicas on {@code nodes} (a GLOBAL index). */
    public IndexDescriptor withReplicas(int partition, List<Integer> nodes) {
        List<List<Integer>> next = new java.util.ArrayList<>(replicas);
        next.set(partition, List.copyOf(nodes));
        return new IndexDescriptor(name, indexId, kind, keySchema, projection, status, backfilling, partitionCount, topic,
                next, readCapacityUnits, writeCapacityUnits);
    }

    public IndexDescriptor withThroughput(long newReadCapacityUnits, long newWriteCapacityUnits) {
        return new IndexDescriptor(name, indexId, kind, keySchema, projection, status, backfilling, partitionCount, topic,
                replicas, newReadCapacityUnits, newWriteCapacityUnits);
    }

    public IndexDescriptor withStatus(IndexStatus newStatus, boolean nowBackfilling) {
        return new IndexDescriptor(name, indexId, kind, keySchema, projection, newStatus, nowBackfilling, partitionCount, topic,
                replicas, readCapacityUnits, writeCapacityUnits);
    }
}
