package io.dynalog.ingest;

import io.dynalog.ingest.IngestException.Reason;
import io.dynalog.ingest.paxos.PaxosListener;
import io.dynalog.ingest.paxos.PaxosMember;
import io.dynalog.ingest.paxos.ProposeResult;
import io.dynalog.ingest.paxos.Role;
import io.dynalog.ingest.replication.ReplicationRuntime.GroupContext;
import io.dynalog.topology.keys.ItemCollections;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.time.Time;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wire.WalEntryCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in one table partition's replica group, on top of its Paxos member: when the
 * member leads, this orders the partition's writes, resolves each against chosen state, has it
 * chosen, and serves consistent reads; when it does not, it says who does. Its parts: the
 * per-item write queues ({@link ItemWriteQueues}), the leader's view and read barriers
 * ({@link LeaderView}), and the WAL archiver ({@link WalArchiver}).
 *
 * <p>States and transitions (enforced in {@link #transition}):
 * <pre>
 *   FOLLOWER   --(the member became leader)------------------------------> RECOVERING
 *   RECOVERING --(leader ready; the local replica applied what it chose and consumed its WAL
 *                 to the end)-----------------------------------------> SERVING
 *   RECOVERING --(not SERVING within RECOVERY_DEADLINE_MS: the member resigns)--> FOLLOWER
 *   RECOVERING, SERVING --(the member lost leadership)-------------------> FOLLOWER
 *   any        --(close; the member stopped: fenced, or its group left)------> CLOSED
 * </pre>
 *
 * <p>Threading: everything runs on the replication runtime's loop; the public methods hop onto
 * it, and futures are completed on {@code completions} so that callers' continuations never run
 * on the loop. The one exception is the consistent-read fast path, which reads the view off the
 * loop and checks afterwards that the leadership it read under still holds its lease.
 *
 * <p>Invariants (DESIGN.md section 4):
 * <ul>
 *   <li>Every answer that depends on the leader's view (a consistent read, a failed condition, a
 *       write that completes without a slot, the images a write returns) is formed while the
 *       member holds a live lease, checked at that moment: no other leader can have chosen a write
 *       it does not show. A leader without its lease answers nothing from its view: writes wait
 *       (until their deadline), reads are told to retry.</li>
 *   <li>Writes to one item are serialised: a write is resolved only once every earlier write to
 *       the item is chosen, against the item's chosen image (overlay over the local replica).</li>
 *   <li>A write is acknowledged when its entry is chosen (a majority has it durably).</li>
 *   <li>A new leader serves only once its view is whole: every slot above the archived one is in
 *       its overlay (delivered here, recovered unarchived or chosen since), and its own replica has
 *       applied every slot through the archived one. When the replica has not, it waits until the
 *       replica has applied every slot it learned chosen and consumed its WAL partition to the end
 *       (which needs Kafka); when it has, it serves at once, Kafka up or not.</li>
 *   <li>Nothing waits forever: a queued write or a read waiting for SERVING gives up (retryable,
 *       nothing applied) after {@link #WAIT_DEADLINE_MS}; a recovery that cannot finish in
 *       {@link #RECOVERY_DEADLINE_MS} gives the leadership up.</li>
 *   <li>Memory is bounded: past {@link #MAX_PENDING_WRITES} writes waiting, or
 *       {@link #MAX_HELD_BYTES} held for the WAL or in the overlay (Kafka down, the replica
 *       stuck), or past the node's {@link HeldBytesBudget} for all its groups together, new writes
 *       are refused (OVERLOADED, the client backs off).</li>
 *   <li>A write with a client request token takes effect once within the idempotency window: it
 *       is resolved only if no entry with its token is chosen, neither in the overlay nor in the
 *       local replica's token table; else it completes with that entry's outcome and chooses
 *       nothing. A retry of a write in flight cannot slip between: it targets the same item, so it
 *       waits until the first is chosen (or failed) before it is resolved.</li>
 *   <li>On a table with local indexes, a write is chosen only if its item collection, counting
 *       every chosen write and the growth of every write in flight, stays within the limit
 *       ({@link CollectionSizes}).</li>
 *   <li>No stale WAL record is what compaction keeps for long: an append by a deposed leader may
 *       land later than any client-side timeout bounds (a broker paused with the request in its
 *       socket takes it when it resumes), after a newer record of its item. The local replica
 *       finds such items as it reads the WAL ({@link LocalReplica#staleTails}); a serving leader
 *       writes each again (its chosen image, unchanged, in a new slot, through the item's queue
 *       like any write), whose record covers the stale one. The WAL compacts only records older
 *       than its compaction lag, which counts from when a record landed (LogAppendTime), so a
 *       leader that serves within that lag repairs the item before compaction could drop its newer
 *       record. A rewrite changes no image, so change streams carry nothing for it.</li>
 * </ul>
 */
final class PartitionReplica implements PaxosListener {
    private static final Logger log = LoggerFactory.getLogger(PartitionReplica.class);

    enum State { FOLLOWER, RECOVERING, SERVING, CLOSED }

    /** Writes a partition accepts before it refuses more (the client backs off and retries). */
    static final int MAX_PENDING_WRITES = 10_000;
    /** Bytes of entries a leader holds for the WAL, or in its overlay, before it refuses new writes. */
    static final long MAX_HELD_BYTES = 64L * 1024 * 1024;
    /** How long a write waits to be resolved, or a read for SERVING, before it is told to retry (nothing applied). */
    static final long WAIT_DEADLINE_MS = 3_000;
    /** A new leader not SERVING after this gives its leadership up. */
    static final long RECOVERY_DEADLINE_MS = 10_000;
    /** How often a leader fails the waits past their deadline. */
    static final long EXPIRY_SWEEP_MS = 100;
    /**
     * How often a leader publishes its lease to the reads off the loop: more than once per
     * heartbeat. A published lease lags the member's (never runs past it); a read that finds it
     * lapsed goes through the loop.
     */
    static final long LEASE_REFRESH_MS = 20;
    /** How long a consistent range read waits for the local replica before it is told to retry. */
    static final long READ_BARRIER_TIMEOUT_MS = 5_000;
    static final long REPLICA_RETRY_DELAY_MS = 2_000;
    static final long LEADER_HINT_CACHE_MS = 50;
    /** How soon a leader looks again at an item whose rewrite failed (see {@link #coverStaleTails}). */
    static final long STALE_TAIL_RETRY_MS = 500;
    /** In {@link #rewritten}: the rewrite of the item is not chosen yet. */
    private static final long REWRITE_PENDING = Long.MAX_VALUE;

    private final long tableId;
    private final int partition;
    private final String name;
    private final LocalReplica replica;
    private final Executor completions;
    private final Time time;
    private final LeaderView view;
    private final WalArchiver archiver;
    private final ItemWriteQueues queues = new ItemWriteQueues();
    private GroupContext ctx;

    /** Written on the loop only; read by the consistent-read fast path on other threads. */
    private volatile State state = State.FOLLOWER;
    /** Bumped at every change of leadership, before anything of the old one is cleared: callbacks and reads of an older term are void. */
    private volatile long term;
    /** The member's lease as of the loop's last look, by the runtime's monotonic clock, never later than the member's; read off the loop. */
    private volatile long leaseUntilMs = Long.MIN_VALUE;
    /** Written on the loop only (see {@link #knownLeaderElsewhere}). */
    private volatile int cachedLeaderHint = PaxosMember.NO_LEADER;
    private volatile long cachedLeaderHintUntilMs = Long.MIN_VALUE;
    private Ballot ballot = Ballot.ZERO;
    private long lastDelivered;
    private long lastChosenHere;
    private final Map<Long, PendingWrite> proposed = new HashMap<>();
    private final HeldBytesBudget budget;
    private final java.util.function.LongSupplier heldForBudget = this::heldBytes;
    /**
     * Items this leadership wrote again to cover a stale WAL record, with the slot the rewrite was
     * chosen in ({@link #REWRITE_PENDING} until then): not written again while the replica's
     * stale record is older than that slot (its cover is on the way).
     */
    private final Map<StoreKey, Long> rewritten = new HashMap<>();
    /** Reads (and their deadlines) waiting while this leader recovers. */
    private final List<ServingWaiter> servingWaiters = new ArrayList<>();

    private record ServingWaiter(long deadlineMs, CompletableFuture<?> result, Runnable action) {}

    /**
     * @param staleAppendWindowMs how long after a leader loses its lease an append it made may
     *     still land in Kafka (its producer's delivery timeout, plus a margin)
     * @param collections how the table's item collections are sized; null when it has no local
     *     index (nothing is sized or limited)
     * @param collectionLimitBytes the most a write may grow an item collection to
     */
    PartitionReplica(long tableId, int partition, String walTopic, LocalReplica replica, WalAppender appender,
                     Executor completions, Time time, long staleAppendWindowMs,
                     ItemCollections collections, long collectionLimitBytes, HeldBytesBudget budget) {
        this.tableId = tableId;
        this.partition = partition;
        this.name = tableId + "/" + partition;
        this.replica = replica;
        this.completions = completions;
        this.time = time;
        this.view = new LeaderView(replica, tableId, completions, collections, collectionLimitBytes);
        this.archiver = new WalArchiver(name, walTopic, appender, view, replica, tableId, partition, staleAppendWindowMs);
        this.budget = budget;
        budget.register(name, heldForBudget);
    }

    /** What this group holds that the WAL or the replica may not have (the unarchived entries and the overlay share most objects). */
    private long heldBytes() {
        return Math.max(archiver.heldBytes(), view.bytes());
    }

    /** Called once by the runtime, on the loop, before the member starts. */
    PaxosListener attach(GroupContext context) {
        this.ctx = context;
        archiver.attach(context);
        return this;
    }

    // ==== entry points (any thread) ==========================================================

    /** A write, with a client request token ({@code requestToken} null: none). */
    CompletableFuture<WriteOutcome> write(byte[] storeKey, Mutation mutation, String requestToken) {
        IngestException elsewhere = knownLeaderElsewhere();
        if (elsewhere != null) return CompletableFuture.failedFuture(elsewhere);
        PendingWrite w = new PendingWrite(new StoreKey(storeKey), mutation, requestToken, ctx.monotonicMs() + WAIT_DEADLINE_MS);
        ctx.execute(() -> accept(w));
        return w.result;
    }

    CompletableFuture<Map<String, AttributeValue>> consistentGet(byte[] storeKey) {
        // Fast path, on the caller's thread: a serving leader whose lease is live answers from its
        // view. Every write acknowledged before this call put its entry in the overlay before it
        // was acknowledged, so the view reflects it (linearizable while the lease holds). The
        // leadership and lease are checked again once the item is read: a step-down meanwhile may
        // have emptied the overlay under the read, leaving only the replica, behind the leader.
        long readTerm = term;
        if (state == State.SERVING && ctx.monotonicMs() < leaseUntilMs) {
            try {
                Map<String, AttributeValue> item = view.item(new StoreKey(storeKey));
                if (term == readTerm && state == State.SERVING && ctx.monotonicMs() < leaseUntilMs) {
                    return CompletableFuture.completedFuture(item);
                }
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        IngestException elsewhere = knownLeaderElsewhere();
        if (elsewhere != null) return CompletableFuture.failedFuture(elsewhere);
        CompletableFuture<Map<String, AttributeValue>> result = new CompletableFuture<>();
        ctx.execute(() -> whenServing(result, () -> {
            if (!ctx.hasLease()) {
                fail(result, leaseLapsed());
                return;
            }
            Map<String, AttributeValue> item;
            try {
                item = view.item(new StoreKey(storeKey));
            } catch (RuntimeException e) {
                fail(result, e);
                return;
            }
            completions.execute(() -> result.complete(item));
        }));
        return result;
    }

    /**
     * Completes once the local replica reflects every write chosen before the call, with the lease
     * the read must still hold once it has formed its answer ({@link ReadLease#check}).
     */
    CompletableFuture<ReadLease> readBarrier() {
        IngestException elsewhere = knownLeaderElsewhere();
        if (elsewhere != null) return CompletableFuture.failedFuture(elsewhere);
        CompletableFuture<ReadLease> result = new CompletableFuture<>();
        ctx.execute(() -> whenServing(result, () -> {
            if (!ctx.hasLease()) {
                fail(result, leaseLapsed());
                return;
            }
            // Everything chosen here through this slot must be in the local replica's store: the
            // overlay holds what is not yet (entries of earlier leaderships were there at ready).
            ReadLease lease = leaseOf(term);
            LeaderView.Barrier barrier = view.barrier(lastChosenHere);
            barrier.passed.thenRun(() -> result.complete(lease));
            if (barrier.passed.isDone()) return;
            // Bounded, so that waiters do not pile up while the WAL is unreachable.
            ctx.schedule(() -> {
                if (view.cancel(barrier)) {
                    fail(result, new IngestException(Reason.LEADER_UNAVAILABLE,
                            "partition " + name + ": the local replica is behind the WAL; retry"));
                }
            }, READ_BARRIER_TIMEOUT_MS);
        }));
        return result;
    }

    /** The lease of leadership {@code readTerm}, for a read to check once its answer is formed. */
    private ReadLease leaseOf(long readTerm) {
        return () -> {
            if (term != readTerm || state != State.SERVING || ctx.monotonicMs() >= leaseUntilMs) throw leaseLapsed();
        };
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
            view.applied(nextOffset);
            coverStaleTails(term);
        });
    }

    void close() {
        ctx.execute(this::closeNow);
    }

    private void closeNow() {
        if (state == State.CLOSED) return;
        term++;
        leaseUntilMs = Long.MIN_VALUE;
        abandonLeadership(true);
        transition(State.CLOSED);
        budget.unregister(name, heldForBudget);
    }

    // ==== the member's callbacks (on the loop, inside a member call: never call the member) ====

    @Override
    public void onRoleChanged(Role role, Ballot newBallot) {
        if (state == State.CLOSED) return;
        ballot = newBallot;
        if (role == Role.LEADER) {
            if (state == State.FOLLOWER) {
                log.info("partition {}: elected at ballot {}; recovering", name, newBallot);
                term++;
                transition(State.RECOVERING);
                archiver.startLeading(term);
                // Chosen, maybe not yet in the local replica: the view must show them.
                archiver.unarchived().forEach(view::add);
                long myTerm = term;
                ctx.schedule(() -> recoveryDeadline(myTerm), RECOVERY_DEADLINE_MS);
                ctx.schedule(() -> sweepExpired(myTerm), EXPIRY_SWEEP_MS);
                ctx.execute(() -> refreshLease(myTerm));
            }
        } else if (state == State.RECOVERING || state == State.SERVING) {
            log.info("partition {}: no longer leads ({} at ballot {}, was {})", name, role, newBallot, state);
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
        // Every slot above the archived one was delivered here and is in the view (recovered
        // unarchived, or chosen since). So once the local replica has applied every slot through
        // the archived one, the view is whole without Kafka: a leader elected while Kafka is down
        // serves at once (its appends wait for Kafka and its read-back).
        CompletableFuture<Void> whole = replica.appliedSlot(tableId, partition) >= ctx.archivedSlot()
                ? CompletableFuture.completedFuture(null)
                // Slots archived before this leadership are in Kafka, maybe out of slot order (an
                // append that failed and was made again): consume to the end, not only to the slot.
                : replica.whenApplied(tableId, partition, through).thenCompose(v -> replica.whenCaughtUp(tableId, partition));
        whole.whenComplete((v, e) -> ctx.execute(() -> {
            if (term != myTerm || state != State.RECOVERING) return;
            if (e != null) {
                log.warn("partition {}: the local replica cannot reach slot {}; retrying", name, through, e);
                ctx.schedule(() -> onLeaderReady(readyBallot), REPLICA_RETRY_DELAY_MS);
                return;
            }
            lastChosenHere = Math.max(lastChosenHere, through);
            transition(State.SERVING);
            leaseUntilMs = ctx.leaseExpiresAtMs();
            log.info("partition {} serves at ballot {} from slot {}", name, ballot, through + 1);
            List<ServingWaiter> waiters = new ArrayList<>(servingWaiters);
            servingWaiters.clear();
            waiters.forEach(w -> w.action().run());
            queues.heads().forEach(this::resolve);
            coverStaleTails(myTerm);
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
        if (!leading) {
            archiver.chosen(entry, false);
            return;
        }
        lastChosenHere = slot;
        // One the read-back found in the WAL is in the local replica's store already.
        if (!archiver.walHolds(slot)) view.add(entry);
        CollectionSizes sizes = view.collectionSizes();
        if (sizes != null) {
            sizes.chosen(entry, mine != null && mine.entry == entry ? mine.admission : null);
            if (mine != null) sizes.settled(mine.admission);
        }
        if (mine != null) {
            if (mine.entry == entry) {
                complete(mine, new WriteOutcome(entry.oldImage(), entry.newImage(), slot, mine.collectionBytes()), null);
            } else {
                complete(mine, null, new IngestException(Reason.OUTCOME_UNKNOWN,
                        "another value was chosen in the write's slot; it was not applied"));
            }
        }
        // After the answer is on its way: its append (a send to Kafka) does not delay it.
        archiver.chosen(entry, state == State.RECOVERING);
    }

    @Override
    public void onStopped(Throwable cause) {
        if (cause != null) log.warn("partition {}: its member was fenced; its writes and reads in flight fail", name);
        closeNow();
    }

    // ==== the write path (loop) ================================================================

    private void accept(PendingWrite w) {
        switch (state) {
            case CLOSED -> fail(w.result, closed());
            case FOLLOWER -> fail(w.result, notLeader());
            case RECOVERING, SERVING -> {
                if (queues.size() >= MAX_PENDING_WRITES) {
                    fail(w.result, new IngestException(Reason.OVERLOADED,
                            "partition " + name + " has " + queues.size() + " writes waiting"));
                    return;
                }
                if (archiver.heldBytes() > MAX_HELD_BYTES || view.bytes() > MAX_HELD_BYTES) {
                    fail(w.result, new IngestException(Reason.OVERLOADED, "partition " + name + " holds "
                            + archiver.heldBytes() + " bytes the WAL may not have and " + view.bytes()
                            + " its replica has not applied; writes wait until Kafka and the replica catch up"));
                    return;
                }
                if (budget.exceeded()) {
                    fail(w.result, new IngestException(Reason.OVERLOADED, "the partitions of this node hold " + budget.heldBytes()
                            + " bytes the WAL or their replicas may not have, over the node's budget of " + budget.limitBytes()
                            + "; writes wait until Kafka and the replicas catch up"));
                    return;
                }
                if (queues.add(w) && state == State.SERVING) resolve(w);
            }
        }
    }

    /**
     * Resolves the head write of its item against the item's chosen state. Whatever it answers
     * without choosing a slot (a failed condition, a write that changes nothing, a refusal) it
     * answers from the view, so only under a live lease: checked here, in the same turn of the
     * loop as the view is read. Without it, the write waits for the lease (or its deadline).
     */
    private void resolve(PendingWrite w) {
        if (w.resolved || state != State.SERVING || !queues.isHead(w)) return;
        if (!ctx.hasLease()) {
            long myTerm = term;
            ctx.schedule(() -> {
                if (term == myTerm) resolve(w);
            }, WalArchiver.NO_LEASE_RETRY_MS);
            return;
        }
        w.resolved = true;
        Map<String, AttributeValue> current;
        Mutation.Result result;
        try {
            WalEntry earlier = w.token == null ? null : view.chosenWithToken(w.token);
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
            current = view.item(w.key);
            result = w.mutation.resolve(current);
        } catch (RuntimeException rejected) {
            complete(w, null, rejected);
            return;
        }
        CollectionSizes sizes = view.collectionSizes();
        CollectionSizes.Admission admission;
        try {
            admission = sizes == null ? null : sizes.admit(current, result.changed() ? result.newImage() : current);
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
        long now = time.wallClockMs();
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
            if (sizes != null) sizes.proposed(w.admission);
        } else {
            complete(w, null, notLeader());
        }
    }

    /** Completes the head write of its item's queue and starts the next write to the same item. */
    private void complete(PendingWrite w, WriteOutcome outcome, Throwable error) {
        PendingWrite next = queues.completeHead(w);
        if (next != null) ctx.execute(() -> resolve(next));
        completions.execute(() -> {
            if (error != null) w.result.completeExceptionally(error); else w.result.complete(outcome);
        });
    }

    /** Leadership ends: writes in flight have unknown outcomes, queued ones go to the new leader, reads retry. */
    private void abandonLeadership(boolean closing) {
        for (PendingWrite w : proposed.values()) {
            fail(w.result, new IngestException(Reason.OUTCOME_UNKNOWN,
                    "leadership changed while the write was being chosen; it may or may not have been applied"));
        }
        proposed.clear();
        IngestException gone = closing ? closed() : notLeader();
        for (PendingWrite w : queues.clear()) {
            if (!w.resolved) fail(w.result, gone);
        }
        for (LeaderView.Barrier b : view.clear()) fail(b.passed, gone);
        archiver.stopLeading();
        rewritten.clear();
        for (ServingWaiter waiter : servingWaiters) fail(waiter.result(), gone);
        servingWaiters.clear();
    }

    private <T> void whenServing(CompletableFuture<T> result, Runnable action) {
        switch (state) {
            case SERVING -> action.run();
            case RECOVERING -> servingWaiters.add(new ServingWaiter(ctx.monotonicMs() + WAIT_DEADLINE_MS, result, action));
            case FOLLOWER -> fail(result, notLeader());
            case CLOSED -> fail(result, closed());
        }
    }

    // ==== timers of a leadership (loop) ========================================================

    /**
     * Publishes the member's lease for the reads off the loop while this leadership lasts, a few
     * times per heartbeat: the published expiry is never later than the member's own.
     */
    private void refreshLease(long myTerm) {
        if (term != myTerm) return;
        if (state == State.SERVING) leaseUntilMs = ctx.leaseExpiresAtMs();
        ctx.schedule(() -> refreshLease(myTerm), LEASE_REFRESH_MS);
    }

    /** Fails the writes and reads that waited past their deadline (nothing of them was applied: they may be retried). */
    private void sweepExpired(long myTerm) {
        if (term != myTerm) return;
        long now = ctx.monotonicMs();
        List<PendingWrite> newHeads = new ArrayList<>();
        for (PendingWrite w : queues.removeExpired(now, newHeads)) {
            fail(w.result, new IngestException(Reason.LEADER_UNAVAILABLE,
                    "partition " + name + ": the write waited " + WAIT_DEADLINE_MS + " ms for its leader; it was not applied"));
        }
        if (state == State.SERVING) newHeads.forEach(this::resolve);
        servingWaiters.removeIf(w -> {
            if (now < w.deadlineMs()) return false;
            fail(w.result(), new IngestException(Reason.LEADER_UNAVAILABLE, "partition " + name + ": its leader is still recovering"));
            return true;
        });
        ctx.schedule(() -> sweepExpired(myTerm), EXPIRY_SWEEP_MS);
    }

    /**
     * Writes again every item whose last WAL record the local replica found stale (see the class
     * comment), unless a rewrite of it from this leadership is on its way. Looked at when the
     * leader starts serving, whenever its replica applies more of the WAL (which is when it finds
     * a stale record, or reads a rewrite's), and again after a rewrite failed.
     */
    private void coverStaleTails(long myTerm) {
        if (term != myTerm || state != State.SERVING) return;
        List<LocalReplica.StaleTail> tails = replica.staleTails(tableId, partition);
        if (tails.isEmpty()) {
            rewritten.clear();
            return;
        }
        for (LocalReplica.StaleTail tail : tails) {
            StoreKey key = new StoreKey(tail.storeKey());
            Long rewrittenAt = rewritten.get(key);
            if (rewrittenAt != null && rewrittenAt > tail.coveredBySlot()) continue;
            rewrite(key, tail.coveredBySlot(), myTerm);
        }
    }

    /** Writes an item's chosen image again, unchanged, in a new slot (a delete of nothing for an absent item). */
    private void rewrite(StoreKey key, long coveredBySlot, long myTerm) {
        log.info("partition {}: the WAL's last record of an item is older than slot {}; writing the item again to cover it",
                name, coveredBySlot);
        rewritten.put(key, REWRITE_PENDING);
        PendingWrite w = new PendingWrite(key, current -> new Mutation.Result(current, true), null,
                ctx.monotonicMs() + WAIT_DEADLINE_MS);
        w.result.whenComplete((outcome, e) -> ctx.execute(() -> {
            if (term != myTerm) return;
            if (e == null) {
                rewritten.put(key, outcome.slot());
                return;
            }
            rewritten.remove(key);
            ctx.schedule(() -> coverStaleTails(myTerm), STALE_TAIL_RETRY_MS);
        }));
        accept(w);
    }

    /** A leader still recovering after the deadline gives up, so that another may do better. */
    private void recoveryDeadline(long myTerm) {
        if (term != myTerm || state != State.RECOVERING) return;
        log.warn("partition {}: not serving {} ms after it was elected at ballot {}; giving the leadership up",
                name, RECOVERY_DEADLINE_MS, ballot);
        ctx.resign();
    }

    // ==== helpers ==============================================================================

    private void transition(State to) {
        boolean legal = switch (to) {
            case RECOVERING -> state == State.FOLLOWER;
            case SERVING -> state == State.RECOVERING;
            case FOLLOWER -> state == State.RECOVERING || state == State.SERVING;
            case CLOSED -> state != State.CLOSED;
        };
        if (!legal) {
            throw new IllegalStateException("partition " + name + ": illegal transition " + state + " -> " + to + " at ballot " + ballot);
        }
        log.debug("partition {}: {} -> {} (ballot {})", name, state, to, ballot);
        state = to;
    }

    /**
     * Off the loop: the leader a follower named within the last {@link #LEADER_HINT_CACHE_MS}, so
     * a request for another node's partition is sent there without a turn of this group's loop
     * (a stale hint costs one more hop: that node names its own leader).
     */
    private IngestException knownLeaderElsewhere() {
        int hint = cachedLeaderHint;
        if (state != State.FOLLOWER || hint == PaxosMember.NO_LEADER || ctx.monotonicMs() >= cachedLeaderHintUntilMs) return null;
        return IngestException.notLeader("this node does not lead partition " + partition
                + " of table " + Long.toHexString(tableId), hint);
    }

    private IngestException notLeader() {
        int hint = ctx.leaderHint();
        if (state == State.FOLLOWER && hint != PaxosMember.NO_LEADER) {
            cachedLeaderHintUntilMs = ctx.monotonicMs() + LEADER_HINT_CACHE_MS;
            cachedLeaderHint = hint;
        } else {
            cachedLeaderHint = PaxosMember.NO_LEADER;
        }
        return IngestException.notLeader("this node does not lead partition " + partition
                + " of table " + Long.toHexString(tableId), hint);
    }

    private IngestException leaseLapsed() {
        return new IngestException(Reason.LEADER_UNAVAILABLE, "partition " + name + ": the leader's lease is being renewed");
    }

    private IngestException closed() {
        return new IngestException(Reason.CLOSED, "partition " + name + " is closed on this node");
    }

    private <T> void fail(CompletableFuture<T> f, Throwable e) {
        completions.execute(() -> f.completeExceptionally(e));
    }
}
