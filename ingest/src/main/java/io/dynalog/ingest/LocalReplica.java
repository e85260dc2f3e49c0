package io.dynalog.ingest;

import io.dynalog.topology.model.AttributeValue;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What a partition leader needs from the replica on its own node (wired in by the node, since
 * data flows from ingest to the replica and never back by a direct dependency).
 */
public interface LocalReplica {
    /** The item as the local replica has applied it, or null. */
    Map<String, AttributeValue> read(long tableId, byte[] storeKey);

    /**
     * The size of an item collection and the images of some of its items ({@code storeKeys}; null
     * for each one absent), as the local replica has applied them, read at one point of its history.
     */
    CollectionSize collection(long tableId, byte[] collectionKey, List<byte[]> storeKeys);

    /**
     * The entry of the write chosen in table {@code tableId} with a client request token, as the
     * local replica recorded it when it applied that write, if that was within the idempotency
     * window; else null.
     */
    io.dynalog.topology.wal.WalEntry recordedWrite(long tableId, String requestToken);

    /** See {@link #collection}. */
    record CollectionSize(long bytes, List<Map<String, AttributeValue>> images) {}

    /**
     * The slot through which the local replica has applied every slot of the partition, as of now
     * (it may be further on by the time the caller looks); -1 when it does not hold the partition.
     */
    long appliedSlot(long tableId, int partition);

    /** Completes once the local replica has applied every slot up to {@code slot}. */
    CompletableFuture<Void> whenApplied(long tableId, int partition, long slot);

    /**
     * Completes once the local replica has consumed every record the partition's WAL held when
     * this was called (so every slot Kafka had acknowledged is applied, however it was ordered).
     */
    CompletableFuture<Void> whenCaughtUp(long tableId, int partition);

    /**
     * Completes, once the local replica has read every record the partition's WAL held when this
     * was called (entries held ahead of a missing slot count as read), with the slot through which
     * it has then applied every slot: the WAL holds each of them (or compaction removed it for a
     * newer record of its item), so a leader must not append any of them again.
     */
    CompletableFuture<Long> whenRead(long tableId, int partition);

    /**
     * The items of the partition whose last WAL record is stale: a record of an older slot landed
     * after a newer record of the item (an append by a deposed leader that Kafka took later than
     * any window can bound, for example from a broker paused with the request in its socket), so
     * compaction would keep it. Each with the slot a record of the item must at least carry to
     * cover it. Found as the local replica reads the WAL, and durable with what it applied.
     */
    List<StaleTail> staleTails(long tableId, int partition);

    /** See {@link #staleTails}. */
    record StaleTail(byte[] storeKey, long coveredBySlot) {}
}
