package io.dynalog.ingest;

import io.dynalog.ingest.replication.ReplicationRuntime.GroupContext;
import io.dynalog.topology.wal.WalEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a partition's chosen entries into its WAL topic, at its leader, and tells the group what
 * the WAL holds (the archived slot, below which acceptors drop their entries). Confined to the
 * replication loop.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Every member keeps the entries chosen (under any leadership) that the WAL is not known
 *       to hold ({@link #unarchived}, in slot order): if it comes to lead, it appends them itself.</li>
 *   <li>A leader appends chosen entries in slot order; after a failure, again from the first one
 *       not acknowledged. An append is issued only while the leader holds its lease, in the
 *       leadership it was made for, and Kafka never blocks the loop (the appender fails at once
 *       when its buffer is full or a topic's metadata is missing; appending is retried with
 *       back-off). So the WAL holds every chosen slot eventually, may hold duplicates, and may
 *       hold a slot after a later one (an append made again after a failure).</li>
 *   <li>A new leader appends nothing before its local replica has read the WAL to its end
 *       ({@link LocalReplica#whenRead}), and never appends a slot that replica found applied
 *       ({@link #walHoldsThroughSlot}): such an entry is in the WAL already, and appended again it
 *       could land after a newer record of its item. Its members may not all know it archived: an
 *       acceptor outside the leader's quorum may know a later archived slot than the quorum does,
 *       and a successor whose quorum includes it would not treat the item as at risk.</li>
 *   <li>A slot is reported archived only once it and every earlier one are acknowledged (or the
 *       local replica read them back), and only while the leader holds its lease. So whatever slot
 *       any acceptor knows archived, Kafka acknowledged it before every later leader was elected,
 *       and that leader's read-back covers it.</li>
 *   <li>A deposed leader's appends may land up to {@code staleAppendWindowMs} after it lost its
 *       lease, after newer entries of the same items (and compaction keeps the last record of an
 *       item). So a new leader appends the latest entry of every item it recovered unarchived
 *       again once that window has passed ({@link #recoveredAtRisk}), and until then reports
 *       nothing archived past where its leadership started ({@link #archiveHeld}): a successor
 *       that takes over first recovers those items in its phase 1 and inherits the duty. The hold
 *       is never released early; what it costs in memory is bounded by back-pressure on new
 *       writes ({@link #heldBytes}). The window bounds what the producer controls; a broker
 *       paused with a request in its socket can still take it later. Such a record is found by
 *       the replicas as they read it, and the leader writes its item again
 *       ({@link PartitionReplica}, stale WAL records).</li>
 * </ul>
 */
final class WalArchiver {
    private static final Logger log = LoggerFactory.getLogger(WalArchiver.class);

    static final long FIRST_RETRY_DELAY_MS = 50;
    static final long MAX_RETRY_DELAY_MS = 2_000;
    /** How soon a leader without a live lease looks again whether it may append. */
    static final long NO_LEASE_RETRY_MS = 20;
    /**
     * About the most a pump hands the appender in one turn of the loop (each entry is encoded there;
     * the entry that reaches the bound is handed too);
     * the rest goes on in the next turn, after the loop's timers: handing a 64 MB backlog at once
     * (Kafka back after an outage) held the loop past the election timeout and cost elections.
     */
    static final long MAX_APPEND_BYTES_PER_TURN = 4L * 1024 * 1024;

    private final String name;
    private final String walTopic;
    private final WalAppender appender;
    private final LeaderView view;
    private final LocalReplica replica;
    private final long tableId;
    private final int partition;
    private final long staleAppendWindowMs;
    private GroupContext ctx;

    /** Entries chosen (under any leadership) that the WAL is not known to hold, in slot order. */
    private final ArrayDeque<WalEntry> unarchived = new ArrayDeque<>();
    /** The suffix of {@link #unarchived} this leader has not handed to the appender yet. */
    private final ArrayDeque<WalEntry> toAppend = new ArrayDeque<>();
    /** Slots of {@link #unarchived} Kafka acknowledged while an earlier one is not: not archived yet. */
    private final Set<Long> ackedAhead = new HashSet<>();
    /** Items this leader recovered unarchived, with the latest entry chosen for each (see the class comment). */
    private final Map<StoreKey, WalEntry> recoveredAtRisk = new HashMap<>();
    /**
     * Entries the WAL holds (acknowledged in slot order) that this leader does not report archived
     * yet, because recovered items are still at risk. If it loses its leadership, they go back to
     * {@link #unarchived}.
     */
    private final ArrayDeque<WalEntry> archiveHeld = new ArrayDeque<>();
    private long unarchivedBytes;
    private long archiveHeldBytes;
    /** The leadership this archiver appends for; -1 while it does not lead. */
    private long term = -1;
    private int appendsInFlight;
    private boolean appendFailed;
    private long appendRetryDelayMs = FIRST_RETRY_DELAY_MS;
    /** After a failed append: no entry is handed to the appender again before this (monotonic ms). */
    private long retryNotBeforeMs;
    /** Attempts that failed since the last append that succeeded (for the log). */
    private long failedRetries;
    /** A pump is scheduled (the lease is back, or a retry is due). */
    private boolean appendRetryScheduled;
    /** A pump is queued for the next turn of the loop, to hand on what the last one left. */
    private boolean pumpContinues;
    /** When this leadership's stale-append window ends, by the runtime's monotonic clock. */
    private long staleWindowEndsAtMs = Long.MAX_VALUE;
    /** An appendRecoveredAgain is queued for an item recovered after the window. */
    private boolean appendAgainQueued;
    /**
     * This leadership's read-back: the WAL holds every slot through this one (the local replica
     * applied them), so none of them is appended; -1 until the replica has read the WAL to its end.
     */
    private long walHoldsThroughSlot = -1;
    /** The archived slot to report, once this leader holds its lease. */
    private long archivedToReport;
    /** A report is scheduled for when the lease is back. */
    private boolean reportRetryScheduled;

    /**
     * @param staleAppendWindowMs how long after a leader loses its lease an append it made may
     *     still land in Kafka (its producer's delivery timeout, plus a margin)
     */
    WalArchiver(String name, String walTopic, WalAppender appender, LeaderView view, LocalReplica replica, long tableId,
                int partition, long staleAppendWindowMs) {
        this.name = name;
        this.walTopic = walTopic;
        this.appender = appender;
        this.view = view;
        this.replica = replica;
        this.tableId = tableId;
        this.partition = partition;
        this.staleAppendWindowMs = staleAppendWindowMs;
    }

    void attach(GroupContext context) {
        this.ctx = context;
    }

    /** What this member keeps for the WAL that the WAL may not hold: the unarchived entries and the held ones. */
    long heldBytes() {
        return unarchivedBytes + archiveHeldBytes;
    }

    /** The entries chosen that the WAL is not known to hold, in slot order. */
    Iterable<WalEntry> unarchived() {
        return unarchived;
    }

    // ==== the member's life ======================================================================

    /** An entry chosen, in slot order, on any member; {@code recovered}: by a leader still recovering. */
    void chosen(WalEntry entry, boolean recovered) {
        unarchived.addLast(entry);
        unarchivedBytes += LeaderView.approximateBytes(entry);
        if (term < 0) {
            trimArchived();
            return;
        }
        if (recovered) {
            atRisk(entry);
        } else if (entry.changesItem()) {
            // Chosen after the window started: its own append is the item's newest record once the window ends.
            recoveredAtRisk.computeIfPresent(new StoreKey(entry.storeKey()), (k, old) -> entry);
        }
        if (walHolds(entry.slot())) {
            // Learned chosen during recovery, and already in the WAL (the read-back found it).
            ackedAhead.add(entry.slot());
            advanceArchived();
            return;
        }
        toAppend.addLast(entry);
        pump();
    }

    /** True when this leadership's read-back found {@code slot} in the WAL: it is never appended again. */
    boolean walHolds(long slot) {
        return slot <= walHoldsThroughSlot;
    }

    /**
     * This member leads, in leadership {@code newTerm}: what was chosen before it and not archived
     * may never have reached the WAL (its leader may have died first), so it appends that again,
     * and treats those items as at risk until the stale-append window has passed.
     */
    void startLeading(long newTerm) {
        term = newTerm;
        trimArchived();
        recoveredAtRisk.clear();
        // Before the items are put at risk: one put at risk after the window is appended again at once.
        staleWindowEndsAtMs = ctx.monotonicMs() + staleAppendWindowMs;
        unarchived.forEach(this::atRisk);
        ctx.schedule(() -> appendRecoveredAgain(newTerm, 0), staleAppendWindowMs);
        toAppend.clear();
        toAppend.addAll(unarchived);
        ackedAhead.clear();
        archiveHeld.clear();
        archiveHeldBytes = 0;
        appendsInFlight = 0;
        appendFailed = false;
        appendRetryDelayMs = FIRST_RETRY_DELAY_MS;
        walHoldsThroughSlot = -1;
        archivedToReport = 0;
        readBack(newTerm, 0);
    }

    /** The leadership ends (or the member stops): appends in flight are forgotten, held entries go back to the unarchived ones. */
    void stopLeading() {
        term = -1;
        staleWindowEndsAtMs = Long.MAX_VALUE;
        recoveredAtRisk.clear();
        while (!archiveHeld.isEmpty()) unarchived.addFirst(archiveHeld.pollLast());
        unarchivedBytes += archiveHeldBytes;
        archiveHeldBytes = 0;
        trimArchived();
        toAppend.clear();
        ackedAhead.clear();
        appendsInFlight = 0;
        appendFailed = false;
        walHoldsThroughSlot = -1;
        archivedToReport = 0;
    }

    // ==== the read-back ==========================================================================

    /** Has the local replica read the WAL to its end; then appends what it did not find there. */
    private void readBack(long myTerm, int attempt) {
        replica.whenRead(tableId, partition).whenComplete((through, error) -> ctx.execute(() -> {
            if (term != myTerm) return;
            if (error != null) {
                log.warn("partition {}: the local replica cannot read the WAL back (attempt {}); retrying", name, attempt + 1, error);
                ctx.schedule(() -> readBack(myTerm, attempt + 1), Math.min(FIRST_RETRY_DELAY_MS << Math.min(attempt, 6), MAX_RETRY_DELAY_MS));
                return;
            }
            walHoldsThroughSlot = through;
            view.dropThroughSlot(through);
            toAppend.removeIf(e -> e.slot() <= through);
            // A prefix of the unarchived entries, in slot order: archived as they are.
            for (WalEntry e : unarchived) {
                if (e.slot() > through) break;
                ackedAhead.add(e.slot());
            }
            advanceArchived();
            pump();
        }));
    }

    // ==== appending ==============================================================================

    /** Hands the appender what is to be appended, in slot order; after a failure, everything from the first slot not acknowledged. */
    private void pump() {
        if (term < 0 || walHoldsThroughSlot < 0) return;
        if (!ctx.hasLease()) {
            // A leader that may have been deposed (its lease ran out: isolated, or paused) sends
            // nothing: what it sends could land after its successor's appends. Bounding sends to
            // the lease bounds how late a deposed leader's append can land (staleAppendWindowMs).
            schedulePump(NO_LEASE_RETRY_MS);
            return;
        }
        if (appendFailed) {
            if (appendsInFlight > 0) return;
            // Not before the retry delay, however many writes are chosen meanwhile: each retry
            // hands the appender every unarchived entry again (Kafka down: up to the held bound).
            long wait = retryNotBeforeMs - ctx.monotonicMs();
            if (wait > 0) {
                schedulePump(wait);
                return;
            }
            appendFailed = false;
            ackedAhead.clear();
            toAppend.clear();
            toAppend.addAll(unarchived);
        }
        long myTerm = term;
        long handedBytes = 0;
        WalEntry e;
        while ((e = toAppend.pollFirst()) != null) {
            // Sized only when more follow: a single write's append (the common case) walks no image.
            if (!toAppend.isEmpty()) handedBytes += LeaderView.approximateBytes(e);
            WalEntry entry = e;
            appendsInFlight++;
            appender.append(walTopic, entry).whenComplete((offset, error) -> ctx.execute(() -> onAppended(myTerm, entry, offset, error)));
            if (handedBytes >= MAX_APPEND_BYTES_PER_TURN && !toAppend.isEmpty()) {
                continuePumpNextTurn();
                return;
            }
        }
    }

    private void continuePumpNextTurn() {
        if (pumpContinues) return;
        pumpContinues = true;
        ctx.execute(() -> {
            pumpContinues = false;
            pump();
        });
    }

    /** Runs {@link #pump} after {@code delayMs}, unless a pump is scheduled already. */
    private void schedulePump(long delayMs) {
        if (appendRetryScheduled) return;
        appendRetryScheduled = true;
        ctx.schedule(() -> {
            appendRetryScheduled = false;
            pump();
        }, delayMs);
    }

    private void onAppended(long myTerm, WalEntry e, Long offset, Throwable error) {
        if (term != myTerm) return;
        appendsInFlight--;
        if (error != null) {
            if (!appendFailed) {
                failedRetries++;
                // The first failure, then every doubling: a Kafka outage is said, not repeated per retry.
                if (Long.bitCount(failedRetries) == 1) {
                    log.warn("partition {}: WAL append of slot {} failed ({}; {} attempt(s) in a row); appending again from the "
                            + "first unacknowledged slot in {} ms", name, e.slot(), error.toString(), failedRetries, appendRetryDelayMs);
                }
            }
            appendFailed = true;
            long delay = appendRetryDelayMs;
            appendRetryDelayMs = Math.min(appendRetryDelayMs * 2, MAX_RETRY_DELAY_MS);
            retryNotBeforeMs = ctx.monotonicMs() + delay;
            if (appendsInFlight == 0) schedulePump(delay);
            return;
        }
        if (failedRetries > 0) {
            log.info("partition {}: WAL appends succeed again, after {} failed attempt(s)", name, failedRetries);
            failedRetries = 0;
        }
        appendRetryDelayMs = FIRST_RETRY_DELAY_MS;
        view.acknowledged(e, offset);
        ackedAhead.add(e.slot());
        advanceArchived();
        if (appendFailed && appendsInFlight == 0) pump();
    }

    /**
     * Archived means the WAL holds every slot through it: an acknowledgement counts only once every
     * earlier slot is acknowledged too (an earlier append may have failed).
     */
    private void advanceArchived() {
        long archived = 0;
        while (!unarchived.isEmpty() && ackedAhead.remove(unarchived.peekFirst().slot())) {
            WalEntry done = unarchived.pollFirst();
            long bytes = LeaderView.approximateBytes(done);
            unarchivedBytes -= bytes;
            archived = done.slot();
            if (!recoveredAtRisk.isEmpty()) {
                archiveHeld.addLast(done);
                archiveHeldBytes += bytes;
            }
        }
        if (archived > 0 && recoveredAtRisk.isEmpty()) report(archived);
    }

    /**
     * Tells the group that the WAL holds every slot through {@code slot}, while this leader holds
     * its lease (else once it does again): then Kafka acknowledged those slots before any later
     * leader could be elected, so that leader's read-back finds them (see the class comment).
     */
    private void report(long slot) {
        archivedToReport = Math.max(archivedToReport, slot);
        if (ctx.hasLease()) {
            ctx.archived(archivedToReport);
            return;
        }
        if (reportRetryScheduled) return;
        reportRetryScheduled = true;
        long myTerm = term;
        ctx.schedule(() -> {
            reportRetryScheduled = false;
            if (term == myTerm) report(archivedToReport);
        }, NO_LEASE_RETRY_MS);
    }

    // ==== items at risk of a stale append ========================================================

    private void atRisk(WalEntry e) {
        if (!e.changesItem()) return;
        recoveredAtRisk.put(new StoreKey(e.storeKey()), e);
        // Recovered after the window already passed (a long recovery): appended again at once, or
        // the item would hold the archive back for the rest of this leadership.
        if (ctx.monotonicMs() >= staleWindowEndsAtMs && !appendAgainQueued) {
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
        if (term != myTerm || recoveredAtRisk.isEmpty()) return;
        if (!ctx.hasLease()) {
            ctx.schedule(() -> appendRecoveredAgain(myTerm, attempt), NO_LEASE_RETRY_MS);
            return;
        }
        List<WalEntry> latest = new ArrayList<>(recoveredAtRisk.values());
        latest.sort(Comparator.comparingLong(WalEntry::slot));
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
            log.warn("partition {}: appending recovered items again failed (attempt {}); retrying", name, attempt + 1, error);
            ctx.schedule(() -> appendRecoveredAgain(myTerm, attempt + 1), MAX_RETRY_DELAY_MS);
        }));
    }

    /** No recovered item is at risk any more: report archived what the WAL holds. */
    private void releaseArchiveHold() {
        WalEntry last = archiveHeld.peekLast();
        archiveHeld.clear();
        archiveHeldBytes = 0;
        if (last != null) report(last.slot());
    }

    /** Drops the chosen entries the WAL is known to hold. */
    private void trimArchived() {
        long archived = ctx.archivedSlot();
        while (!unarchived.isEmpty() && unarchived.peekFirst().slot() <= archived) {
            unarchivedBytes -= LeaderView.approximateBytes(unarchived.pollFirst());
        }
    }
}
