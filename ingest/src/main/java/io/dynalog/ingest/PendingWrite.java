package io.dynalog.ingest;

import io.dynalog.topology.wal.WalEntry;
import java.util.concurrent.CompletableFuture;

/** A write at a partition's leader, from its arrival until it completes. Loop only, but for {@link #result}. */
final class PendingWrite {
    final StoreKey key;
    final Mutation mutation;
    /** The client's request token, or null. */
    final String token;
    /** Past this (the runtime's monotonic clock) a write not yet resolved gives up: not applied, retryable. */
    final long deadlineMs;
    final CompletableFuture<WriteOutcome> result = new CompletableFuture<>();
    /** Resolved against the item's chosen state (and proposed, if it changes it): its outcome is the slot's now. */
    boolean resolved;
    WalEntry entry;
    byte[] encoded;
    /** What the item's collection said to this write (null: the table has none, or nothing was sized). */
    CollectionSizes.Admission admission;

    PendingWrite(StoreKey key, Mutation mutation, String token, long deadlineMs) {
        this.key = key;
        this.mutation = mutation;
        this.token = token;
        this.deadlineMs = deadlineMs;
    }

    /** The size of the item's collection once this write is applied. */
    long collectionBytes() {
        return admission == null ? WriteOutcome.NOT_SIZED : admission.bytesAfter();
    }
}
