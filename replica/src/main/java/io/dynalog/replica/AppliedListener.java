package io.dynalog.replica;

/** Told, on the replica's thread, after a batch of entries of a partition is durable in the store. */
@FunctionalInterface
public interface AppliedListener {
    /**
     * Must be cheap and must not block: it runs on the apply loop.
     *
     * @param nextOffset the next WAL offset to consume: every record below it has been applied or
     *     skipped (as a duplicate, or superseded by a newer entry of its item)
     */
    void onApplied(long tableId, int partition, long nextOffset);
}
