package io.dynalog.ingest;

import io.dynalog.ingest.IngestException.Reason;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader of one table partition: it orders the partition's writes into slots, resolves each
 * write into a WAL entry against chosen state, and serves consistent reads.
 *
 * <p>States and transitions (enforced in {@link #transition}):
 * <pre>
 *   RECOVERING --(local replica caught up with the WAL)--> SERVING
 *   SERVING    --(a WAL append failed)-------------------> RECOVERING
 *   any        --(close)---------------------------------> CLOSED
 * </pre>
 * A leader starts RECOVERING. Recovery waits until no append is in flight, then until the local
 * replica has applied everything the WAL holds; it takes the next slot and a higher ballot from
 * what was applied, drops the overlay, and serves. Writes that arrive meanwhile queue up and are
 * resolved once it serves; writes whose append failed fail with {@link Reason#OUTCOME_UNKNOWN}.
 *
 * <p>This is a replica group of one (DESIGN.md section 4): an entry is chosen when its append is
 * acknowledged by Kafka (acks=all), the durable medium of a group of one.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Slots are dense and increasing; an entry is handed to the appender in slot order under
 *       the lock, so Kafka offset order is slot order.</li>
 *   <li>Writes to one item are serialised: a write is resolved only after every earlier write to
 *       the same item has been chosen, against the item's chosen image (no speculation).</li>
 *   <li>The leader's view of an item is the overlay (chosen entries the local replica has not
 *       applied yet) over the local replica; overlay entries leave once the replica applied them.</li>
 * </ul>
 */
final class PartitionLeader {
    private static final Logger log = LoggerFactory.getLogger(PartitionLeader.class);

    enum State { RECOVERING, SERVING, CLOSED }

    static final long FIRST_RECOVERY_RETRY_DELAY_MS = 50;
    static final long MAX_RECOVERY_RETRY_DELAY_MS = 5_000;

    /** Writes a partition accepts before it refuses more (the client backs off and retries). */
    static final int MAX_PENDING_WRITES = 10_000;

    private final long tableId;
    private final int partition;
    private final String walTopic;
    private final int nodeId;
    private final LocalReplica replica;
    private final WalAppender appender;
    private final Executor executor;
    private final DelayedExecutor delayed;
    private final LongSupplier clockMs;

    private final Object lock = new Object();
    private State state = State.RECOVERING;
    private long nextSlot;
    private long lastChosenSlot;
    private Ballot ballot = Ballot.ZERO;
    private int appendsInFlight;
    /** Writes accepted and not yet completed, over all items. */
    private int pendingWrites;
    private boolean recoveryStarted;
    private long recoveryRetryDelayMs = FIRST_RECOVERY_RETRY_DELAY_MS;
    private final Map<StoreKey, ArrayDeque<PendingWrite>> queuesByKey = new HashMap<>();
    private final Map<StoreKey, WalEntry> overlay = new HashMap<>();
    private final ArrayDeque<WalEntry> overlayBySlot = new ArrayDeque<>();
    private final List<CompletableFuture<Void>> servingWaiters = new ArrayList<>();
    private final AtomicLong appliedSlotSeen = new AtomicLong();
    private final AtomicBoolean trimScheduled = new AtomicBoolean();

    PartitionLeader(long tableId, int partition, String walTopic, int nodeId, LocalReplica replica,
                    WalAppender appender, Executor executor, DelayedExecutor delayed, LongSupplier clockMs) {
        this.tableId = tableId;
        this.partition = partition;
        this.walTopic = walTopic;
        this.nodeId = nodeId;
        this.replica = replica;
        this.appender = appender;
        this.executor = executor;
        this.delayed = delayed;
        this.clockMs = clockMs;
    }

    /** Begins recovery; the leader serves once the local replica has caught up with the WAL. */
    void start() {
        synchronized (lock) {
            maybeStartRecoveryLocked();
        }
    }

    State state() {
        synchronized (lock) {
            return state;
        }
    }

    /** Completes when the leader serves (immediately when it does). */
    CompletableFuture<Void> whenServing() {
        synchronized (lock) {
            return switch (state) {
                case SERVING -> CompletableFuture.completedFuture(null);
                case CLOSED -> CompletableFuture.failedFuture(closed());
                case RECOVERING -> {
                    CompletableFuture<Void> f = new CompletableFuture<>();
                    servingWaiters.add(f);
                    yield f;
                }
            };
        }
    }

    CompletableFuture<WriteOutcome> write(byte[] storeKey, Mutation mutation) {
        PendingWrite w = new PendingWrite(new StoreKey(storeKey), mutation);
        synchronized (lock) {
            if (state == State.CLOSED) return CompletableFuture.failedFuture(closed());
            if (pendingWrites >= MAX_PENDING_WRITES) {
                return CompletableFuture.failedFuture(new IngestException(Reason.OVERLOADED,
                        "partition " + tableId + "/" + partition + " has " + pendingWrites + " writes waiting"));
            }
            pendingWrites++;
            ArrayDeque<PendingWrite> queue = queuesByKey.computeIfAbsent(w.key, k -> new ArrayDeque<>());
            queue.add(w);
            if (queue.size() == 1 && state == State.SERVING) resolveLocked(w);
        }
        return w.result;
    }

    /** The item as the latest chosen write left it: linearizable with respect to writes. */
    CompletableFuture<Map<String, AttributeValue>> consistentGet(byte[] storeKey) {
        return whenServing().thenApply(v -> {
            synchronized (lock) {
                return viewLocked(new StoreKey(storeKey));
            }
        });
    }

    /**
     * Completes once the local replica reflects every write chosen before this call, so that a
     * range read that starts then sees them all.
     */
    CompletableFuture<Void> readBarrier() {
        return whenServing().thenCompose(v -> {
            long slot;
            synchronized (lock) {
                slot = lastChosenSlot;
            }
            return replica.whenApplied(tableId, partition, slot);
        });
    }

    /**
     * The local replica applied the partition up to {@code appliedSlot}. Called on the replica's
     * apply loop, which must never wait for this leader's lock (the lock may be held across a
     * Kafka send): the overlay is trimmed on the executor, one trim for any number of calls.
     */
    void onApplied(long appliedSlot) {
        appliedSlotSeen.accumulateAndGet(appliedSlot, Math::max);
        if (trimScheduled.compareAndSet(false, true)) executor.execute(this::trimOverlay);
    }

    private void trimOverlay() {
        trimScheduled.set(false);
        long applied = appliedSlotSeen.get();
        synchronized (lock) {
            while (!overlayBySlot.isEmpty() && overlayBySlot.peekFirst().slot() <= applied) {
                WalEntry e = overlayBySlot.pollFirst();
                StoreKey key = new StoreKey(e.storeKey());
                if (overlay.get(key) == e) overlay.remove(key);
            }
        }
    }

    void close() {
        List<PendingWrite> abandoned = new ArrayList<>();
        List<CompletableFuture<Void>> waiters;
        synchronized (lock) {
            if (state == State.CLOSED) return;
            transition(State.CLOSED);
            queuesByKey.values().forEach(abandoned::addAll);
            queuesByKey.clear();
            pendingWrites = 0;
            waiters = new ArrayList<>(servingWaiters);
            servingWaiters.clear();
        }
        // A resolved write may already be in Kafka: its outcome is unknown, not "not applied".
        abandoned.forEach(w -> w.result.completeExceptionally(w.resolved
                ? new IngestException(Reason.OUTCOME_UNKNOWN, "the node closed while the write was being made durable")
                : closed()));
        waiters.forEach(f -> f.completeExceptionally(closed()));
    }

    private void transition(State to) {
        boolean legal = switch (to) {
            case SERVING -> state == State.RECOVERING;
            case RECOVERING -> state == State.SERVING;
            case CLOSED -> state != State.CLOSED;
        };
        if (!legal) {
            throw new IllegalStateException("partition " + tableId + "/" + partition
                    + ": illegal transition " + state + " -> " + to + " at ballot " + ballot);
        }
        log.debug("partition {}/{}: {} -> {} (ballot {}, next slot {})", tableId, partition, state, to, ballot, nextSlot);
        state = to;
    }

    private Map<String, AttributeValue> viewLocked(StoreKey key) {
        WalEntry chosen = overlay.get(key);
        if (chosen != null) return chosen.newImage();
        return replica.read(tableId, key.bytes());
    }

    /**
     * Resolves the write at the head of its item's queue and hands its entry to the appender.
     * A write is resolved at most once, however many times it is offered (a queued hand-off may
     * race with recovery offering every head again).
     */
    private void resolveLocked(PendingWrite w) {
        if (w.resolved) return;
        w.resolved = true;
        Map<String, AttributeValue> current;
        Mutation.Result result;
        try {
            current = viewLocked(w.key);
            result = w.mutation.resolve(current);
        } catch (RuntimeException rejected) {
            completeLocked(w, null, rejected);
            return;
        }
        if (!result.changed()) {
            completeLocked(w, new WriteOutcome(current, current, 0), null);
            return;
        }
        long slot = nextSlot++;
        WalEntry entry = result.newImage() == null
                ? new WalEntry(tableId, partition, slot, ballot, WalEntry.Kind.DELETE, w.key.bytes(), null, current, clockMs.getAsLong())
                : new WalEntry(tableId, partition, slot, ballot, WalEntry.Kind.PUT, w.key.bytes(), result.newImage(), current, clockMs.getAsLong());
        appendsInFlight++;
        appender.append(walTopic, entry).whenCompleteAsync((ok, error) -> onAppended(w, entry, error), executor);
    }

    private void onAppended(PendingWrite w, WalEntry entry, Throwable error) {
        synchronized (lock) {
            appendsInFlight--;
            if (state == State.CLOSED) {
                w.result.completeExceptionally(closed());
                return;
            }
            if (error != null) {
                log.warn("partition {}/{}: WAL append of slot {} failed; recovering", tableId, partition, entry.slot(), error);
                if (state == State.SERVING) transition(State.RECOVERING);
                completeLocked(w, null, new IngestException(Reason.OUTCOME_UNKNOWN,
                        "the write may or may not have been applied: the WAL did not confirm it", error));
                maybeStartRecoveryLocked();
                return;
            }
            if (state == State.RECOVERING) {
                // Chosen, but recovery drops the overlay: the replica's catch-up covers this entry.
                completeLocked(w, new WriteOutcome(entry.oldImage(), entry.newImage(), entry.slot()), null);
                maybeStartRecoveryLocked();
                return;
            }
            overlay.put(w.key, entry);
            overlayBySlot.addLast(entry);
            lastChosenSlot = Math.max(lastChosenSlot, entry.slot());
            completeLocked(w, new WriteOutcome(entry.oldImage(), entry.newImage(), entry.slot()), null);
        }
    }

    /** Completes the head write of its queue and starts the next write to the same item. */
    private void completeLocked(PendingWrite w, WriteOutcome outcome, Throwable error) {
        ArrayDeque<PendingWrite> queue = queuesByKey.get(w.key);
        if (queue != null && queue.peekFirst() == w) {
            queue.pollFirst();
            pendingWrites--;
            if (queue.isEmpty()) {
                queuesByKey.remove(w.key);
            } else if (state == State.SERVING) {
                PendingWrite next = queue.peekFirst();
                executor.execute(() -> {
                    synchronized (lock) {
                        ArrayDeque<PendingWrite> current = queuesByKey.get(next.key);
                        if (state == State.SERVING && current != null && current.peekFirst() == next) {
                            resolveLocked(next);
                        }
                    }
                });
            }
        }
        // Completed outside the lock: the caller's continuations must not run while we hold it.
        executor.execute(() -> {
            if (error != null) w.result.completeExceptionally(error); else w.result.complete(outcome);
        });
    }

    private void maybeStartRecoveryLocked() {
        if (state != State.RECOVERING || appendsInFlight > 0 || recoveryStarted) return;
        recoveryStarted = true;
        replica.catchUp(tableId, partition).whenCompleteAsync(this::onCaughtUp, executor);
    }

    private void onCaughtUp(LocalReplica.Position position, Throwable error) {
        List<CompletableFuture<Void>> waiters;
        synchronized (lock) {
            if (state != State.RECOVERING) {
                recoveryStarted = false;
                return;
            }
            if (error != null) {
                // Retried after a growing pause: a lasting fault (Kafka unreachable, a stopped
                // replica partition) must not spin; writes meanwhile wait, bounded by their deadlines.
                long delayMs = recoveryRetryDelayMs;
                recoveryRetryDelayMs = Math.min(recoveryRetryDelayMs * 2, MAX_RECOVERY_RETRY_DELAY_MS);
                log.warn("partition {}/{}: catching up with the WAL failed; retrying in {} ms", tableId, partition, delayMs, error);
                delayed.schedule(() -> {
                    synchronized (lock) {
                        recoveryStarted = false;
                        maybeStartRecoveryLocked();
                    }
                }, delayMs);
                return;
            }
            recoveryStarted = false;
            recoveryRetryDelayMs = FIRST_RECOVERY_RETRY_DELAY_MS;
            // Never reuse a slot this leader handed out: an append that failed may be followed by
            // one that landed (the idempotent producer re-sequences batches behind an expired one),
            // so a slot below nextSlot may be in Kafka even where the replica has not seen it. A
            // skipped slot is a harmless jump for a replica; a reused one would be two values.
            nextSlot = Math.max(nextSlot, position.appliedSlot() + 1);
            lastChosenSlot = position.appliedSlot();
            ballot = new Ballot(Math.max(ballot.round(), position.ballot().round()) + 1, nodeId);
            overlay.clear();
            overlayBySlot.clear();
            transition(State.SERVING);
            log.info("partition {}/{} serves from slot {} at ballot {}", tableId, partition, nextSlot, ballot);
            List<PendingWrite> heads = new ArrayList<>(queuesByKey.size());
            for (ArrayDeque<PendingWrite> queue : queuesByKey.values()) heads.add(queue.peekFirst());
            heads.forEach(this::resolveLocked);
            waiters = new ArrayList<>(servingWaiters);
            servingWaiters.clear();
        }
        waiters.forEach(f -> f.complete(null));
    }

    private IngestException closed() {
        return new IngestException(Reason.CLOSED, "partition " + tableId + "/" + partition + " is closed on this node");
    }

    private static final class PendingWrite {
        final StoreKey key;
        final Mutation mutation;
        final CompletableFuture<WriteOutcome> result = new CompletableFuture<>();
        /** Set once the write has been resolved (its entry may be in flight); guarded by the leader's lock. */
        boolean resolved;

        PendingWrite(StoreKey key, Mutation mutation) {
            this.key = key;
            this.mutation = mutation;
        }
    }
}
