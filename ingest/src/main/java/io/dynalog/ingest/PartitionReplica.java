package io.dynalog.ingest;

import io.dynalog.ingest.IngestException.Reason;
import io.dynalog.ingest.paxos.PaxosListener;
import io.dynalog.ingest.paxos.PaxosMember;
import io.dynalog.ingest.paxos.ProposeResult;
import io.dynalog.ingest.paxos.Role;
import io.dynalog.ingest.replication.ReplicationRuntime.GroupContext;
import io.dynalog.topology.keys.ItemCollections;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.ItemSize;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wire.WalEntryCodec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in one table partition's replica group, on top of its Paxos member: when the
 * member leads, this orders the partition's writes, resolves each into a WAL entry against chosen
 * state, has it chosen, appends chosen entries to the WAL in slot order, and serves consistent
 * reads; when it does not, it says who does.
 *
 * <p>States and transitions (enforced in {@link #transition}):
 * <pre>
 *   FOLLOWER   --(the member became leader)------------------------------> RECOVERING
 *   RECOVERING --(leader ready; the local replica applied what it chose and consumed its WAL
 *                 to the end)-----------------------------------------> SERVING
 *   RECOVERING, SERVING --(the member lost leadership)-------------------> FOLLOWER
 *   any        --(close)---------------------------------------------------> CLOSED
 * </pre>
 *
 * <p>Threading: everything runs on the replication runtime's loop (the member's thread); the
 * public methods hop onto it, and futures are completed on {@code completions} so that callers'
 * continuations never run on the loop.
 *
 * <p>Invariants (DESIGN.md section 4):
 * <ul>
 *   <li>Writes to one item are serialised: a write is resolved only once every earlier write to
 *       the item is chosen, against the item's chosen image (overlay over the local replica).</li>
 *   <li>A write is acknowledged when its entry is chosen (a majority has it durably).</li>
 *   <li>Chosen entries are appended to the WAL in slot order, each until Kafka acknowledges it,
 *       and reported archived only once every earlier one is acknowledged too. The WAL holds every
 *       chosen slot eventually, may hold duplicates, and may hold a slot after a later one (an
 *       append made again after a failure).</li>
 *   <li>The view (overlay over the local replica) holds every chosen entry: an entry leaves the
 *       overlay only once the local replica has consumed past its acknowledged offset.</li>
 *   <li>A new leader serves only once its own replica has applied every slot it learned chosen
 *       and consumed its WAL partition to the end; what is not archived is in its overlay.</li>
 *   <li>A deposed leader's appends may land up to {@code staleAppendWindowMs} after it lost its
 *       lease, after newer entries of the same items. A new leader therefore appends the latest
 *       entry of every item it recovered again once that window has passed, and reports nothing
 *       archived past where its leadership started until it has: a successor that takes over
 *       first recovers those items and inherits the duty.</li>
 *   <li>A write with a client request token takes effect once within the idempotency window: it
 *       is resolved only if no entry with its token is chosen, neither in the overlay nor in the
 *       local replica's token table (which the replica writes with the item, and which holds
 *       everything chosen that left the overlay); else it completes with that entry's outcome and
 *       chooses nothing. A retry of a write in flight cannot slip between: it targets the same
 *       item, so it waits until the first is chosen (or failed) before it is resolved.</li>
 *   <li>On a table with local indexes, a write is chosen only if its item collection, counting
 *       every chosen write and the growth of every write in flight, stays within the limit
 *       ({@link CollectionSizes}).</li>
 * </ul>
 */
final class PartitionReplica implements PaxosListener {
    private static final Logger log = LoggerFactory.getLogger(PartitionReplica.class);

    enum State { FOLLOWER, RECOVERING, SERVING, CLOSED }

    /** Writes a partition accepts before it refuses more (the client backs off and retries). */
    static final int MAX_PENDING_WRITES = 10_000;
    static final long FIRST_RETRY_DELAY_MS = 50;
    static final long MAX_RETRY_DELAY_MS = 2_000;

    private final long tableId;
    private final int partition;
    private final String walTopic;
    private final LocalReplica replica;
    private final WalAppender appender;
    private final Executor completions;
    private final LongSupplier clockMs;
    private GroupContext ctx;

    /** Written on the loop only; read by the consistent-read fast path on other threads. */
    private volatile State state = State.FOLLOWER;
    /** The member's lease as of the loop's last look, by the runtime's clock; read off the loop. */
    private volatile long leaseUntilMs = Long.MIN_VALUE;
    /** Written on the loop only (see {@link #knownLeaderElsewhere}). */
    private volatile int cachedLeaderHint = PaxosMember.NO_LEADER;
    private volatile long cachedLeaderHintUntilMs = Long.MIN_VALUE;
    private Ballot ballot = Ballot.ZERO;
    /** Bumped at every change of leadership: callbacks of an older term are ignored. */
    private long term;
    private long lastDelivered;
    private long lastChosenHere;
    private int pendingWrites;
    private final Map<StoreKey, ArrayDeque<PendingWrite>> queuesByKey = new HashMap<>();
    private final Map<Long, PendingWrite> proposed = new HashMap<>();
    /** Written on the loop only; concurrent so that consistent reads can look at it off the loop. */
    private final Map<StoreKey, WalEntry> overlay = new java.util.concurrent.ConcurrentHashMap<>();
    /** Loop only: the overlay's entries that carry a request token, by token. */
    private final Map<String, WalEntry> overlayTokens = new HashMap<>();
    /**
     * The overlay's entries by slot, with the WAL offset of their last acknowledged append (-1
     * until there is one). An entry leaves the overlay once the local replica has consumed past
     * that offset: then it is applied there (or superseded), however the WAL ordered the appends.
     */
    private final java.util.TreeMap<Long, OverlayEntry> overlayBySlot = new java.util.TreeMap<>();
    /** The local replica's next offset to consume, as last reported. */
    private long replicaNextOffset;
    /** Consistent range reads waiting until no overlay entry at or below their slot remains. */
    private final List<Map.Entry<Long, CompletableFuture<Void>>> barrierWaiters = new ArrayList<>();
    private final List<Runnable> servingWaiters = new ArrayList<>();
    /** Entries chosen (under any leadership) that the WAL is not known to hold, in slot order. */
    private final ArrayDeque<WalEntry> unarchived = new ArrayDeque<>();
    /** The suffix of {@link #unarchived} this leader has not handed to the appender yet. */
    private final ArrayDeque<WalEntry> toAppend = new ArrayDeque<>();
    private int appendsInFlight;
    private boolean appendFailed;
    /** Slots of {@link #unarchived} Kafka acknowledged while an earlier one is not: not archived yet. */
    private final java.util.Set<Long> ackedAhead = new java.util.HashSet<>();
    private long appendRetryDelayMs = FIRST_RETRY_DELAY_MS;
    /**
     * Items this leader recovered unarchived, with the latest entry chosen for each. The deposed
     * leader may still have appends of theirs in flight in its producer; one landing after this
     * leader's newer entry of the item would be what compaction keeps. So once the deposed
     * leader's appends can no longer land, this leader appends each item's latest entry again.
     */
    private final Map<StoreKey, WalEntry> recoveredAtRisk = new java.util.HashMap<>();
    /**
     * Entries the WAL holds (acknowledged in slot order) that this leader does not yet report
     * archived, because recovered items are still at risk: until they are appended again, the
     * archived slot this leader reports stays where its leadership started. Were it deposed
     * before, the next leader's phase 1 recovers everything from there (nothing is truncated),
     * the at-risk items among it, and takes the duty over; and if this node leads again, these
     * go back to its unarchived entries.
     */
    private final ArrayDeque<WalEntry> archiveHeld = new ArrayDeque<>();
    /** The item bytes of {@link #archiveHeld}, bounded by {@link #MAX_ARCHIVE_HELD_BYTES}. */
    private long archiveHeldBytes;
    /** When this leadership's stale-append window ends, by the runtime's clock. */
    private long staleWindowEndsAtMs = Long.MAX_VALUE;
    /** Loop only: an appendRecoveredAgain is queued for an item recovered after the window. */
    private boolean appendAgainQueued;
    private final long staleAppendWindowMs;
    /** Loop only: a pumpAppends is scheduled for when the lease is back. */
    private boolean appendRetryScheduled;
    static final long NO_LEASE_RETRY_MS = 20;
    /**
     * The most a leader holds back from the archive (see {@link #archiveHeld}), in item bytes: a
     * successor's phase 1 recovers all of it, in one promise per acceptor (peer frames are bounded).
     */
    static final long MAX_ARCHIVE_HELD_BYTES = 16L * 1024 * 1024;

    /** Loop only; null for a table without local indexes (no item collections to limit). */
    private final CollectionSizes collectionSizes;

    private static long approximateBytes(WalEntry e) {
        return 64 + (e.newImage() == null ? 0 : ItemSize.of(e.newImage())) + (e.oldImage() == null ? 0 : ItemSize.of(e.oldImage()));
    }

    /**
     * @param staleAppendWindowMs how long after a leader loses leadership an append it made may
     *     still land in Kafka (its producer's delivery timeout, plus a margin)
     * @param collections how the table's item collections are sized; null when it has no local
     *     index (nothing is sized or limited)
     * @param collectionLimitBytes the most a write may grow an item collection to
     */
    PartitionReplica(long tableId, int partition, String walTopic, LocalReplica replica, WalAppender appender,
                     Executor completions, LongSupplier clockMs, long staleAppendWindowMs,
                     ItemCollections collections, long collectionLimitBytes) {
        this.staleAppendWindowMs = staleAppendWindowMs;
        this.collectionSizes = collections == null ? null
                : new CollectionSizes(collections, collectionLimitBytes, replica, tableId, overlay);
        this.tableId = tableId;
        this.partition = partition;
        this.walTopic = walTopic;
        this.replica = replica;
        this.appender = appender;
        this.completions = completions;
        this.clockMs = clockMs;
    }

    /** Called once by the runtime, on the loop, before the member starts. */
    PaxosListener attach(GroupContext context) {
        this.ctx = context;
        return this;
    }

    // ==== entry points (any thread) ==========================================================

    /** A write, with a client request token ({@code requestToken} null: none). */
    CompletableFuture<WriteOutcome> write(byte[] storeKey, Mutation mutation, String requestToken) {
        IngestException elsewhere = knownLeaderElsewhere();
        if (elsewhere != null) return CompletableFuture.failedFuture(elsewhere);
        PendingWrite w = new PendingWrite(new StoreKey(storeKey), mutation, requestToken);
        ctx.execute(() -> accept(w));
        return w.result;
    }

    CompletableFuture<Map<String, AttributeValue>> consistentGet(byte[] storeKey) {
        // Fast path, on the caller's thread: a serving leader whose lease is live answers from its
        // view. Every write acknowledged before this call put its entry in the overlay before it
        // was acknowledged, so the view reflects it (linearizable while the lease holds).
        if (state == State.SERVING && ctx.nowMs() < leaseUntilMs) {
            try {
                return CompletableFuture.completedFuture(view(new StoreKey(storeKey)));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        IngestException elsewhere = knownLeaderElsewhere();
        if (elsewhere != null) return CompletableFuture.failedFuture(elsewhere);
        CompletableFuture<Map<String, AttributeValue>> result = new CompletableFuture<>();
        ctx.execute(() -> whenServing(result, () -> {
            if (!ctx.hasLease()) {
                fail(result, new IngestException(Reason.LEADER_UNAVAILABLE, "the leader's lease is being renewed"));
                return;
            }
            Map<String, AttributeValue> item;
            try {
                item = view(new StoreKey(storeKey));
            } catch (RuntimeException e) {
                fail(result, e);
                return;
            }
            completions.execute(() -> result.complete(item));
        }));
        return result;
    }

    CompletableFuture<Void> readBarrier() {
        IngestException elsewhere = knownLeaderElsewhere();
        if (elsewhere != null) return CompletableFuture.failedFuture(elsewhere);
        CompletableFuture<Void> result = new CompletableFuture<>();
        ctx.execute(() -> whenServing(result, () -> {
            // Everything chosen here through this slot must be in the local replica's store: the
            // overlay holds what is not yet (entries of earlier leaderships were there at ready).
            Map.Entry<Long, CompletableFuture<Void>> waiter = Map.entry(lastChosenHere, result);
            barrierWaiters.add(waiter);
            releaseBarriers();
            if (!barrierWaiters.contains(waiter)) return;
            // Bounded, so that waiters do not pile up while the WAL is unreachable.
            ctx.schedule(() -> {
                if (barrierWaiters.remove(waiter)) {
                    fail(result, new IngestException(Reason.LEADER_UNAVAILABLE,
                            "partition " + tableId + "/" + partition + ": the local replica is behind the WAL; retry"));
                }
            }, READ_BARRIER_TIMEOUT_MS);
        }));
        return result;
    }

    /** True while this node serves the partition as its leader (any thread). */
    boolean serving() {
        return state == State.SERVING;
    }

    /** Completes once this node serves the partition as its leader, or knows who does. */
    CompletableFuture<Void> whenSettled() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        ctx.execute(() -> settle(result));
        return result;
    }

    private void settle(CompletableFuture<Void> result) {
        if (state == State.SERVING || (state == State.FOLLOWER && ctx.leaderHint() != PaxosMember.NO_LEADER)) {
            completions.execute(() -> result.complete(null));
        } else if (state == State.CLOSED) {
            fail(result, closed());
        } else {
            ctx.schedule(() -> settle(result), 20);
        }
    }

    /** The local replica consumed the partition's WAL below {@code nextOffset}: trim the overlay. Any thread. */
    void onApplied(long nextOffset) {
        ctx.execute(() -> {
            replicaNextOffset = Math.max(replicaNextOffset, nextOffset);
            trimOverlay();
        });
    }

    private void trimOverlay() {
        while (!overlayBySlot.isEmpty()) {
            OverlayEntry first = overlayBySlot.firstEntry().getValue();
            if (first.ackOffset < 0 || first.ackOffset >= replicaNextOffset) break;
            overlayBySlot.pollFirstEntry();
            String token = first.entry.requestToken();
            if (token != null) overlayTokens.remove(token, first.entry);
            StoreKey key = new StoreKey(first.entry.storeKey());
            if (overlay.get(key) == first.entry) {
                overlay.remove(key);
                if (collectionSizes != null) collectionSizes.applied(first.entry);
            }
        }
        releaseBarriers();
    }

    private void releaseBarriers() {
        if (barrierWaiters.isEmpty()) return;
        long firstHeld = overlayBySlot.isEmpty() ? Long.MAX_VALUE : overlayBySlot.firstKey();
        for (java.util.Iterator<Map.Entry<Long, CompletableFuture<Void>>> it = barrierWaiters.iterator(); it.hasNext(); ) {
            Map.Entry<Long, CompletableFuture<Void>> w = it.next();
            if (w.getKey() < firstHeld) {
                it.remove();
                completions.execute(() -> w.getValue().complete(null));
            }
        }
    }

    private void addToOverlay(WalEntry entry) {
        if (entry.kind() == WalEntry.Kind.NOOP) return;
        overlay.put(new StoreKey(entry.storeKey()), entry);
        overlayBySlot.put(entry.slot(), new OverlayEntry(entry));
        if (entry.requestToken() != null) overlayTokens.put(entry.requestToken(), entry);
        if (collectionSizes != null) collectionSizes.overlaid(entry);
    }

    private static final class OverlayEntry {
        final WalEntry entry;
        long ackOffset = -1;

        OverlayEntry(WalEntry entry) {
            this.entry = entry;
        }
    }

    void close() {
        ctx.execute(() -> {
            if (state == State.CLOSED) return;
            leaseUntilMs = Long.MIN_VALUE;
            abandonLeadership(true);
            transition(State.CLOSED);
        });
    }

    // ==== the member's callbacks (on the loop, inside a member call: never call the member) ====

    @Override
    public void onRoleChanged(Role role, Ballot newBallot) {
        if (state == State.CLOSED) return;
        ballot = newBallot;
        if (role == Role.LEADER) {
            if (state == State.FOLLOWER) {
                term++;
                transition(State.RECOVERING);
                // What was chosen before this leadership and not archived may never have reached
                // the WAL (its leader may have died first): this leader appends it again.
                trimArchived();
                // Chosen, maybe not yet in the local replica: the view must show them.
                unarchived.forEach(this::addToOverlay);
                recoveredAtRisk.clear();
                unarchived.forEach(this::atRisk);
                long myTerm = term;
                staleWindowEndsAtMs = ctx.nowMs() + staleAppendWindowMs;
                ctx.schedule(() -> appendRecoveredAgain(myTerm, 0), staleAppendWindowMs);
                toAppend.clear();
                toAppend.addAll(unarchived);
                ackedAhead.clear();
                archiveHeld.clear();
                archiveHeldBytes = 0;
                appendsInFlight = 0;
                appendFailed = false;
                ctx.execute(this::pumpAppends);
            }
        } else if (state == State.RECOVERING || state == State.SERVING) {
            term++;
            leaseUntilMs = Long.MIN_VALUE;
            abandonLeadership(false);
            transition(State.FOLLOWER);
        }
    }

    @Override
    public void onLeaderReady(Ballot readyBallot) {
        if (state != State.RECOVERING) return;
        long myTerm = term;
        long through = lastDelivered;
        // Slots archived before this leadership are in Kafka, maybe out of slot order (an append
        // that failed and was made again): consume to the end, not only to the slot.
        replica.whenApplied(tableId, partition, through)
                .thenCompose(v -> replica.whenCaughtUp(tableId, partition))
                .whenComplete((v, e) -> ctx.execute(() -> {
            if (term != myTerm || state != State.RECOVERING) return;
            if (e != null) {
                log.warn("partition {}/{}: the local replica cannot reach slot {}; retrying", tableId, partition, through, e);
                ctx.schedule(() -> onLeaderReady(readyBallot), MAX_RETRY_DELAY_MS);
                return;
            }
            lastChosenHere = Math.max(lastChosenHere, through);
            transition(State.SERVING);
            refreshLease(term);
            log.info("partition {}/{} serves at ballot {} from slot {}", tableId, partition, ballot, through + 1);
            List<Runnable> waiters = new ArrayList<>(servingWaiters);
            servingWaiters.clear();
            waiters.forEach(Runnable::run);
            List<PendingWrite> heads = new ArrayList<>();
            for (ArrayDeque<PendingWrite> q : queuesByKey.values()) heads.add(q.peekFirst());
            heads.forEach(this::resolve);
        }));
    }

    @Override
    public void onDeliverySkipped(long throughSlot) {
        lastDelivered = Math.max(lastDelivered, throughSlot);
    }

    @Override
    public void onChosen(long slot, byte[] value) {
        lastDelivered = slot;
        boolean leading = state == State.RECOVERING || state == State.SERVING;
        PendingWrite mine = leading ? proposed.remove(slot) : null;
        WalEntry entry = mine != null && Arrays.equals(mine.encoded, value) ? mine.entry : WalEntryCodec.decode(value);
        // Every member keeps what was chosen and not yet archived: if it becomes leader, it must
        // append that to the WAL itself.
        unarchived.addLast(entry);
        if (!leading) {
            trimArchived();
            return;
        }
        lastChosenHere = slot;
        toAppend.addLast(entry);
        addToOverlay(entry);
        if (collectionSizes != null) {
            collectionSizes.chosen(entry, mine != null && mine.entry == entry ? mine.admission : null);
            if (mine != null) collectionSizes.settled(mine.admission);
        }
        if (state == State.RECOVERING) {
            atRisk(entry); // recovered by this leader's phase 1
        } else if (entry.kind() != WalEntry.Kind.NOOP) {
            recoveredAtRisk.computeIfPresent(new StoreKey(entry.storeKey()), (k, old) -> entry);
        }
        if (mine != null) {
            if (mine.entry == entry) {
                complete(mine, new WriteOutcome(entry.oldImage(), entry.newImage(), slot, mine.collectionBytes()), null);
            } else {
                complete(mine, null, new IngestException(Reason.OUTCOME_UNKNOWN,
                        "another value was chosen in the write's slot; it was not applied"));
            }
        }
        pumpAppends();
    }

    // ==== the write path (loop) ================================================================

    private void accept(PendingWrite w) {
        switch (state) {
            case CLOSED -> fail(w.result, closed());
            case FOLLOWER -> fail(w.result, notLeader());
            case RECOVERING, SERVING -> {
                if (pendingWrites >= MAX_PENDING_WRITES) {
                    fail(w.result, new IngestException(Reason.OVERLOADED,
                            "partition " + tableId + "/" + partition + " has " + pendingWrites + " writes waiting"));
                    return;
                }
                pendingWrites++;
                ArrayDeque<PendingWrite> queue = queuesByKey.computeIfAbsent(w.key, k -> new ArrayDeque<>());
                queue.add(w);
                if (queue.size() == 1 && state == State.SERVING) resolve(w);
            }
        }
    }

    private void resolve(PendingWrite w) {
        if (w.resolved || state != State.SERVING) return;
        w.resolved = true;
        Map<String, AttributeValue> current;
        Mutation.Result result;
        try {
            WalEntry earlier = w.token == null ? null : chosenWithToken(w.token);
            if (earlier != null) {
                if (!Arrays.equals(earlier.storeKey(), w.key.bytes())) {
                    complete(w, null, new RequestTokenMismatchException("The request token " + w.token
                            + " was used by another request within the idempotency window"));
                    return;
                }
                // A retried request: it took effect already, and reports what it did then.
                complete(w, new WriteOutcome(earlier.oldImage(), earlier.newImage(), earlier.slot()), null);
                return;
            }
            current = view(w.key);
            result = w.mutation.resolve(current);
        } catch (RuntimeException rejected) {
            complete(w, null, rejected);
            return;
        }
        CollectionSizes.Admission admission;
        try {
            admission = collectionSizes == null ? null : collectionSizes.admit(current, result.changed() ? result.newImage() : current);
        } catch (RuntimeException refused) {
            complete(w, null, refused);
            return;
        }
        // A delete of an absent item changes nothing; with a request token it is still chosen (a
        // DELETE of nothing), so that its token is recorded: run again after someone created the
        // item, it must not delete that.
        boolean recordToken = w.token != null && current == null;
        if (!result.changed() && !recordToken) {
            complete(w, new WriteOutcome(current, current, 0, admission == null ? WriteOutcome.NOT_SIZED : admission.bytesAfter()), null);
            return;
        }
        w.admission = admission;
        long now = clockMs.getAsLong();
        ProposeResult r = ctx.propose(slot -> {
            w.entry = result.newImage() == null
                    ? new WalEntry(tableId, partition, slot, ballot, WalEntry.Kind.DELETE, w.key.bytes(), null, current, now, w.token)
                    : new WalEntry(tableId, partition, slot, ballot, WalEntry.Kind.PUT, w.key.bytes(), result.newImage(), current, now,
                            w.token);
            w.encoded = WalEntryCodec.encode(w.entry);
            return w.encoded;
        });
        if (r instanceof ProposeResult.Proposed p) {
            proposed.put(p.slot(), w);
            if (collectionSizes != null) collectionSizes.proposed(w.admission);
        } else {
            complete(w, null, notLeader());
        }
    }

    /** Completes the head write of its item's queue and starts the next write to the same item. */
    private void complete(PendingWrite w, WriteOutcome outcome, Throwable error) {
        ArrayDeque<PendingWrite> queue = queuesByKey.get(w.key);
        if (queue != null && queue.peekFirst() == w) {
            queue.pollFirst();
            pendingWrites--;
            if (queue.isEmpty()) {
                queuesByKey.remove(w.key);
            } else {
                PendingWrite next = queue.peekFirst();
                ctx.execute(() -> resolve(next));
            }
        }
        completions.execute(() -> {
            if (error != null) w.result.completeExceptionally(error); else w.result.complete(outcome);
        });
    }

    /**
     * The chosen entry that carries {@code token}: in the overlay (chosen, maybe not yet applied
     * here), else as the local replica recorded it (within the idempotency window); null if none.
     */
    private WalEntry chosenWithToken(String token) {
        WalEntry inOverlay = overlayTokens.get(token);
        return inOverlay != null ? inOverlay : replica.recordedWrite(tableId, token);
    }

    private Map<String, AttributeValue> view(StoreKey key) {
        WalEntry chosen = overlay.get(key);
        if (chosen != null) return chosen.newImage();
        return replica.read(tableId, key.bytes());
    }

    /** Leadership ends: writes in flight have unknown outcomes, queued ones go to the new leader. */
    private void abandonLeadership(boolean closing) {
        for (PendingWrite w : proposed.values()) {
            completions.execute(() -> w.result.completeExceptionally(new IngestException(Reason.OUTCOME_UNKNOWN,
                    "leadership changed while the write was being chosen; it may or may not have been applied")));
        }
        proposed.clear();
        for (ArrayDeque<PendingWrite> q : queuesByKey.values()) {
            for (PendingWrite w : q) {
                if (w.resolved) continue;
                IngestException e = closing ? closed() : notLeader();
                completions.execute(() -> w.result.completeExceptionally(e));
            }
        }
        queuesByKey.clear();
        pendingWrites = 0;
        overlay.clear();
        overlayTokens.clear();
        if (collectionSizes != null) collectionSizes.clear();
        overlayBySlot.clear();
        recoveredAtRisk.clear();
        for (Map.Entry<Long, CompletableFuture<Void>> w : barrierWaiters) fail(w.getValue(), closing ? closed() : notLeader());
        barrierWaiters.clear();
        while (!archiveHeld.isEmpty()) unarchived.addFirst(archiveHeld.pollLast());
        archiveHeldBytes = 0;
        trimArchived();
        toAppend.clear();
        ackedAhead.clear();
        appendsInFlight = 0;
        appendFailed = false;
        for (Runnable waiter : servingWaiters) waiter.run();
        servingWaiters.clear();
    }

    private <T> void whenServing(CompletableFuture<T> result, Runnable action) {
        switch (state) {
            case SERVING -> action.run();
            case RECOVERING -> servingWaiters.add(() -> {
                if (state == State.SERVING) action.run(); else fail(result, notLeader());
            });
            case FOLLOWER -> fail(result, notLeader());
            case CLOSED -> fail(result, closed());
        }
    }

    // ==== the WAL (loop) =======================================================================

    /**
     * Appends chosen entries in slot order; after a failure, appends again from the first
     * unacknowledged. Kafka may still land later appends after an earlier one failed (an
     * idempotent producer that re-sequences its batches), so the WAL can hold slot s+1 before s:
     * the replica applies a late slot to its item unless the item has seen a newer one, and the
     * leader keeps an entry in its overlay until its replica has consumed past the entry's own
     * acknowledged offset, not merely past a higher slot.
     */
    private void pumpAppends() {
        if (state != State.RECOVERING && state != State.SERVING) return;
        if (!ctx.hasLease()) {
            // A leader that may have been deposed (its lease ran out: isolated, or paused) sends
            // nothing: what it sends could land after its successor's appends. Bounding sends to
            // the lease bounds how late a deposed leader's append can land (staleAppendWindowMs).
            if (!appendRetryScheduled) {
                appendRetryScheduled = true;
                ctx.schedule(() -> {
                    appendRetryScheduled = false;
                    pumpAppends();
                }, NO_LEASE_RETRY_MS);
            }
            return;
        }
        if (appendFailed) {
            if (appendsInFlight > 0) return;
            // Append again, in slot order, everything from the first slot not acknowledged.
            appendFailed = false;
            ackedAhead.clear();
            toAppend.clear();
            toAppend.addAll(unarchived);
        }
        long myTerm = term;
        WalEntry e;
        while ((e = toAppend.pollFirst()) != null) {
            WalEntry entry = e;
            appendsInFlight++;
            appender.append(walTopic, entry).whenComplete((offset, error) -> ctx.execute(() -> onAppended(myTerm, entry, offset, error)));
        }
    }

    private void onAppended(long myTerm, WalEntry e, Long offset, Throwable error) {
        if (term != myTerm) return;
        appendsInFlight--;
        if (error != null) {
            if (!appendFailed) {
                log.warn("partition {}/{}: WAL append of slot {} failed; appending again from the first unacknowledged slot in {} ms",
                        tableId, partition, e.slot(), appendRetryDelayMs, error);
            }
            appendFailed = true;
            long delay = appendRetryDelayMs;
            appendRetryDelayMs = Math.min(appendRetryDelayMs * 2, MAX_RETRY_DELAY_MS);
            if (appendsInFlight == 0) ctx.schedule(this::pumpAppends, delay);
            return;
        }
        appendRetryDelayMs = FIRST_RETRY_DELAY_MS;
        OverlayEntry held = overlayBySlot.get(e.slot());
        if (held != null && held.entry == e) {
            held.ackOffset = Math.max(held.ackOffset, offset);
            trimOverlay();
        }
        // Archived means the WAL holds every slot through it: an acknowledgement counts only once
        // every earlier slot is acknowledged too (an earlier append may have failed).
        ackedAhead.add(e.slot());
        long archived = 0;
        while (!unarchived.isEmpty() && ackedAhead.remove(unarchived.peekFirst().slot())) {
            WalEntry done = unarchived.pollFirst();
            archived = done.slot();
            if (!recoveredAtRisk.isEmpty()) {
                archiveHeld.addLast(done);
                archiveHeldBytes += approximateBytes(done);
            }
        }
        if (archiveHeldBytes > MAX_ARCHIVE_HELD_BYTES) {
            // A successor's phase 1 would have to carry all of it: past this bound, electing one at
            // all matters more than the rare stale append a successor could then miss.
            log.warn("partition {}/{}: {} entries held back from the archive while recovered items wait for the stale-append "
                    + "window; reporting them archived now", tableId, partition, archiveHeld.size());
            archiveHeld.clear();
            archiveHeldBytes = 0;
            ctx.archived(archived);
        } else if (archived > 0 && recoveredAtRisk.isEmpty()) {
            ctx.archived(archived);
        }
        if (appendFailed && appendsInFlight == 0) pumpAppends();
    }

    /** No recovered item is at risk any more: report archived what the WAL holds. */
    private void releaseArchiveHold() {
        WalEntry last = archiveHeld.peekLast();
        archiveHeld.clear();
        archiveHeldBytes = 0;
        if (last != null) ctx.archived(last.slot());
    }

    private void atRisk(WalEntry e) {
        if (e.kind() == WalEntry.Kind.NOOP) return;
        recoveredAtRisk.put(new StoreKey(e.storeKey()), e);
        // Recovered after the window already passed (a long recovery): appended again at once, or
        // the item would hold the archive back for the rest of this leadership.
        if (ctx.nowMs() >= staleWindowEndsAtMs && !appendAgainQueued) {
            appendAgainQueued = true;
            long myTerm = term;
            ctx.execute(() -> {
                appendAgainQueued = false;
                appendRecoveredAgain(myTerm, 0);
            });
        }
    }


    /**
     * Appends again the latest entry of each item recovered unarchived: duplicates to replicas
     * (skipped by version), but the newest record of the item for compaction.
     */
    private void appendRecoveredAgain(long myTerm, int attempt) {
        if (term != myTerm || (state != State.RECOVERING && state != State.SERVING) || recoveredAtRisk.isEmpty()) return;
        if (!ctx.hasLease()) {
            ctx.schedule(() -> appendRecoveredAgain(myTerm, attempt), NO_LEASE_RETRY_MS);
            return;
        }
        List<WalEntry> latest = new ArrayList<>(recoveredAtRisk.values());
        latest.sort(java.util.Comparator.comparingLong(WalEntry::slot));
        List<CompletableFuture<Long>> appends = new ArrayList<>();
        for (WalEntry e : latest) appends.add(appender.append(walTopic, e));
        for (int i = 0; i < latest.size(); i++) {
            WalEntry e = latest.get(i);
            appends.get(i).whenComplete((offset, error) -> ctx.execute(() -> {
                if (term != myTerm) return;
                StoreKey key = new StoreKey(e.storeKey());
                // Done with the item once this landed, or once a newer entry of it was chosen: that
                // one was chosen after the window, so its own append is the item's newest record.
                if (error == null || recoveredAtRisk.get(key) != e) recoveredAtRisk.remove(key);
                if (recoveredAtRisk.isEmpty()) releaseArchiveHold();
            }));
        }
        CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new)).whenComplete((v, error) -> ctx.execute(() -> {
            if (error == null || term != myTerm) return;
            log.warn("partition {}/{}: appending recovered items again failed (attempt {}); retrying", tableId, partition, attempt + 1, error);
            ctx.schedule(() -> appendRecoveredAgain(myTerm, attempt + 1), MAX_RETRY_DELAY_MS);
        }));
    }

    // ==== helpers ==============================================================================

    /**
     * Publishes the member's lease for the fast read path while this leadership lasts, a few times
     * per heartbeat: the published expiry is never later than the member's own.
     */
    private void refreshLease(long myTerm) {
        if (term != myTerm || state != State.SERVING) {
            leaseUntilMs = Long.MIN_VALUE;
            return;
        }
        leaseUntilMs = ctx.leaseExpiresAtMs();
        ctx.schedule(() -> refreshLease(myTerm), LEASE_REFRESH_MS);
    }

    static final long LEASE_REFRESH_MS = 5;
    /** How long a consistent range read waits for the local replica before it is told to retry. */
    static final long READ_BARRIER_TIMEOUT_MS = 5_000;

    /** Drops the chosen entries the WAL is known to hold. */
    private void trimArchived() {
        long archived = ctx.archivedSlot();
        while (!unarchived.isEmpty() && unarchived.peekFirst().slot() <= archived) unarchived.pollFirst();
    }

    private void transition(State to) {
        boolean legal = switch (to) {
            case RECOVERING -> state == State.FOLLOWER;
            case SERVING -> state == State.RECOVERING;
            case FOLLOWER -> state == State.RECOVERING || state == State.SERVING;
            case CLOSED -> state != State.CLOSED;
        };
        if (!legal) {
            throw new IllegalStateException("partition " + tableId + "/" + partition + ": illegal transition "
                    + state + " -> " + to + " at ballot " + ballot);
        }
        log.debug("partition {}/{}: {} -> {} (ballot {})", tableId, partition, state, to, ballot);
        state = to;
    }

    /**
     * Off the loop: the leader a follower named within the last {@link #LEADER_HINT_CACHE_MS}, so
     * a request for another node's partition is sent there without a turn of this group's loop
     * (a stale hint costs one more hop: that node names its own leader).
     */
    private IngestException knownLeaderElsewhere() {
        int hint = cachedLeaderHint;
        if (state != State.FOLLOWER || hint == PaxosMember.NO_LEADER || ctx.nowMs() >= cachedLeaderHintUntilMs) return null;
        return IngestException.notLeader("this node does not lead partition " + partition
                + " of table " + Long.toHexString(tableId), hint);
    }

    static final long LEADER_HINT_CACHE_MS = 50;

    private IngestException notLeader() {
        int hint = ctx.leaderHint();
        if (state == State.FOLLOWER && hint != PaxosMember.NO_LEADER) {
            cachedLeaderHintUntilMs = ctx.nowMs() + LEADER_HINT_CACHE_MS;
            cachedLeaderHint = hint;
        } else {
            cachedLeaderHint = PaxosMember.NO_LEADER;
        }
        return IngestException.notLeader("this node does not lead partition " + partition
                + " of table " + Long.toHexString(tableId), hint);
    }

    private IngestException closed() {
        return new IngestException(Reason.CLOSED, "partition " + tableId + "/" + partition + " is closed on this node");
    }

    private <T> void fail(CompletableFuture<T> f, Throwable e) {
        completions.execute(() -> f.completeExceptionally(e));
    }

    private static final class PendingWrite {
        final StoreKey key;
        final Mutation mutation;
        /** The client's request token, or null. */
        final String token;
        final CompletableFuture<WriteOutcome> result = new CompletableFuture<>();
        boolean resolved;
        WalEntry entry;
        byte[] encoded;
        /** What the item's collection said to this write (null: the table has none, or nothing was sized). */
        CollectionSizes.Admission admission;

        /** The size of the item's collection once this write is applied. */
        long collectionBytes() {
            return admission == null ? WriteOutcome.NOT_SIZED : admission.bytesAfter();
        }

        PendingWrite(StoreKey key, Mutation mutation, String token) {
            this.key = key;
            this.mutation = mutation;
            this.token = token;
        }
    }
}
