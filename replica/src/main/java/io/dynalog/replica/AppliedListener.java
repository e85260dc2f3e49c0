package io.dynalog.replica;

/** Told, on the replica's thread, after a batch of entries of a partition is durable in the store. */
@FunctionalInterface
public interface AppliedListener {
    /**
     * Must be cheap and must not block: it runs on the apply loop.
     *
     * @param nextOffset every WAL record below this offset has been applied, or was a duplicate of
     *     an applied slot; a record held ahead of a missing slot keeps it from passing that record
     *     (see {@link ReplicaProcessor})
     */
    void onApplied(long tableId, int partition, long nextOffset);
}
