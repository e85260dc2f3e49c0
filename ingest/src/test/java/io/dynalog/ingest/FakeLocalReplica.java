package io.dynalog.ingest;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The local replica as a map of items with a position (applied slot and its ballot). The test
 * applies entries explicitly, and completes or fails each catch-up explicitly; whenApplied
 * waiters complete as the applied slot passes theirs.
 */
final class FakeLocalReplica implements LocalReplica {
    private final long tableId;
    private final int partition;
    private final Map<StoreKey, Map<String, AttributeValue>> items = new HashMap<>();
    private long appliedSlot;
    private Ballot appliedBallot = Ballot.ZERO;
    private final List<CompletableFuture<Position>> catchUps = new ArrayList<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private final List<Long> whenAppliedRequests = new ArrayList<>();
    private int reads;

    private record Waiter(long slot, CompletableFuture<Void> future) {}

    FakeLocalReplica(long tableId, int partition) {
        this.tableId = tableId;
        this.partition = partition;
    }

    // ------------------------------------------------------------------ LocalReplica

    @Override
    public Map<String, AttributeValue> read(long tableId, byte[] storeKey) {
        checkPartition(tableId, partition);
        reads++;
        return items.get(new StoreKey(storeKey));
    }

    @Override
    public CompletableFuture<Position> catchUp(long tableId, int partition) {
        checkPartition(tableId, partition);
        CompletableFuture<Position> f = new CompletableFuture<>();
        catchUps.add(f);
        return f;
    }

    @Override
    public CompletableFuture<Void> whenApplied(long tableId, int partition, long slot) {
        checkPartition(tableId, partition);
        whenAppliedRequests.add(slot);
        if (appliedSlot >= slot) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiters.add(new Waiter(slot, f));
        return f;
    }

    // ------------------------------------------------------------------ test controls

    /** Sets an item directly (state the replica had before the test, or a change behind the leader's back). */
    void put(byte[] storeKey, Map<String, AttributeValue> item) {
        if (item == null) items.remove(new StoreKey(storeKey)); else items.put(new StoreKey(storeKey), item);
    }

    Map<String, AttributeValue> item(byte[] storeKey) {
        return items.get(new StoreKey(storeKey));
    }

    void setPosition(long slot, Ballot ballot) {
        appliedSlot = slot;
        appliedBallot = ballot;
        completeWaiters();
    }

    /**
     * Applies a chosen entry as the replica would from the WAL: a slot above the applied one (a
     * jump is a slot that chose nothing, or one compaction removed); a slot at or below it would
     * be a duplicate, which a leader never produces here.
     */
    void apply(WalEntry e) {
        if (e.slot() <= appliedSlot) {
            throw new AssertionError("replica at slot " + appliedSlot + " was given slot " + e.slot() + " again");
        }
        switch (e.kind()) {
            case PUT -> items.put(new StoreKey(e.storeKey()), e.newImage());
            case DELETE -> items.remove(new StoreKey(e.storeKey()));
            case NOOP -> { }
        }
        appliedSlot = e.slot();
        appliedBallot = e.ballot();
        completeWaiters();
    }

    long appliedSlot() {
        return appliedSlot;
    }

    Ballot appliedBallot() {
        return appliedBallot;
    }

    int catchUpCalls() {
        return catchUps.size();
    }

    boolean catchUpPending() {
        return !catchUps.isEmpty() && !catchUps.get(catchUps.size() - 1).isDone();
    }

    /** Completes the latest catch-up with the replica's current position. */
    void completeCatchUp() {
        latestPendingCatchUp().complete(new Position(appliedSlot, appliedBallot));
    }

    void failCatchUp(Throwable error) {
        latestPendingCatchUp().completeExceptionally(error);
    }

    List<Long> whenAppliedRequests() {
        return whenAppliedRequests;
    }

    int reads() {
        return reads;
    }

    private CompletableFuture<Position> latestPendingCatchUp() {
        if (!catchUpPending()) throw new AssertionError("no catch-up is pending (" + catchUps.size() + " made)");
        return catchUps.get(catchUps.size() - 1);
    }

    private void completeWaiters() {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.slot <= appliedSlot) {
                it.remove();
                w.future.complete(null);
            }
        }
    }

    private void checkPartition(long tableId, int partition) {
        if (tableId != this.tableId || partition != this.partition) {
            throw new AssertionError("asked about " + tableId + "/" + partition + ", not " + this.tableId + "/" + this.partition);
        }
    }
}
