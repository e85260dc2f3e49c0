package io.dynalog.replica;

/** Told, on the replica's thread, after a batch of entries of a partition is durable in the store. */
@FunctionalInterface
public interface AppliedListener {
    /** Must be cheap and must not block: it runs on the apply loop. */
    void onApplied(long tableId, int partition, long appliedSlot);
}
