package io.dynalog.node;

import io.dynalog.ingest.LocalReplica;
import io.dynalog.replica.ReplicaProcessor;
import io.dynalog.replica.ReplicaStore;
import io.dynalog.replica.ReplicaStore.PartitionRef;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.WalEntry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The local replica as the partition leaders see it. */
final class LocalReplicaAdapter implements LocalReplica {
    private final ReplicaStore store;
    private final ReplicaProcessor processor;
    private final long idempotencyWindowMs;
    private final java.util.function.LongSupplier clockMs;

    LocalReplicaAdapter(ReplicaStore store, ReplicaProcessor processor, long idempotencyWindowMs, java.util.function.LongSupplier clockMs) {
        this.store = store;
        this.processor = processor;
        this.idempotencyWindowMs = idempotencyWindowMs;
        this.clockMs = clockMs;
    }

    @Override
    public WalEntry recordedWrite(long tableId, String requestToken) {
        WalEntry entry = store.requestTokenEntry(tableId, requestToken);
        // Dropped a little after the window by the node's sweep: refused here right at its end.
        if (entry == null || entry.timestampMs() < clockMs.getAsLong() - idempotencyWindowMs) return null;
        return entry;
    }

    @Override
    public Map<String, AttributeValue> read(long tableId, byte[] storeKey) {
        return store.get(tableId, storeKey);
    }

    @Override
    public CollectionSize collection(long tableId, byte[] collectionKey, List<byte[]> storeKeys) {
        ReplicaStore.CollectionSnapshot snapshot = store.collection(tableId, collectionKey, storeKeys);
        return new CollectionSize(snapshot.bytes(), snapshot.images());
    }

    @Override
    public long appliedSlot(long tableId, int partition) {
        return processor.appliedSlot(new PartitionRef(tableId, partition));
    }

    @Override
    public CompletableFuture<Void> whenApplied(long tableId, int partition, long slot) {
        return processor.whenApplied(new PartitionRef(tableId, partition), slot);
    }

    @Override
    public CompletableFuture<Void> whenCaughtUp(long tableId, int partition) {
        return processor.whenCaughtUp(new PartitionRef(tableId, partition));
    }

    @Override
    public List<StaleTail> staleTails(long tableId, int partition) {
        Map<java.nio.ByteBuffer, Long> tails = processor.staleTails(new ReplicaStore.PartitionRef(tableId, partition));
        if (tails.isEmpty()) return List.of();
        List<StaleTail> found = new java.util.ArrayList<>(tails.size());
        tails.forEach((key, coveredBy) -> {
            byte[] storeKey = new byte[key.remaining()];
            key.duplicate().get(storeKey);
            found.add(new StaleTail(storeKey, coveredBy));
        });
        return found;
    }

    @Override
    public CompletableFuture<Long> whenRead(long tableId, int partition) {
        return processor.whenRead(new PartitionRef(tableId, partition));
    }
}
