package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The acceptor half of a member: an in-memory mirror of its {@link AcceptorStore} (promised
 * ballot, accepted entries above the archived slot, archived slot), the lease it granted, and the
 * replies waiting for a sync.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Every change is written to the store before the mirror reflects it, so a sync requested
 *       after a change covers it.</li>
 *   <li>Every accepted entry's ballot is at or below the promised ballot, and the promised ballot
 *       never decreases.</li>
 *   <li>A reply queued with {@link #replyWhenDurable} is sent only after every write made before
 *       it was queued is durable; replies leave in the order they were queued; at most
 *       {@link #MAX_PENDING_REPLIES} wait (beyond, a reply is dropped, as a lost message).</li>
 *   <li>While a granted lease is live (by this member's clock) no other ballot gets a promise.
 *       A member that starts does not know whom it granted a lease before it stopped, so it acts
 *       as if it granted one to an unknown ballot for a whole lease.</li>
 * </ul>
 */
final class Acceptor {
    /**
     * Replies waiting for a sync, at most: past this (a disk that cannot keep up) a new one is
     * dropped, as if lost on the way; the protocol sends again what it needs.
     */
    static final int MAX_PENDING_REPLIES = 10_000;

    private final AcceptorStore store;
    private final long leaseDurationMs;
    private final Configuration firstConfiguration;

    private Ballot promised = Ballot.ZERO;
    private long archivedSlot;
    /** The highest origin among the values chosen through the archived slot (ZERO: none known). */
    private Ballot archivedMaxOrigin = Ballot.ZERO;
    /** The configuration in force for the slots after the archived one. */
    private Configuration archivedConfiguration;
    private SlotLog<AcceptedEntry> accepted = new SlotLog<>(1);

    /** The ballot holding the lease this acceptor granted; null while an unknown one may hold it. */
    private Ballot leaseBallot;
    private long leaseUntilMs = Long.MIN_VALUE;

    /** Every slot in (archivedSlot, contiguousSlot] was accepted under contiguousBallot. */
    private Ballot contiguousBallot = Ballot.ZERO;
    private long contiguousSlot;

    private boolean dirty;
    private long lastRequestedToken;
    private long syncedToken;
    private final ArrayDeque<PendingReply> pendingReplies = new ArrayDeque<>();

    private record PendingReply(long token, int to, PaxosMessage message) {}

    Acceptor(AcceptorStore store, long leaseDurationMs, Configuration firstConfiguration) {
        this.store = store;
        this.leaseDurationMs = leaseDurationMs;
        this.firstConfiguration = firstConfiguration;
        this.archivedConfiguration = firstConfiguration;
    }

    void load(long nowMs) {
        AcceptorStore.DurableState state = store.load();
        promised = state.promisedBallot();
        archivedSlot = state.archivedSlot();
        archivedMaxOrigin = state.archivedMaxOrigin();
        archivedConfiguration = state.archivedConfiguration() != null ? state.archivedConfiguration() : firstConfiguration;
        accepted = new SlotLog<>(archivedSlot + 1);
        for (AcceptedEntry e : state.accepted()) {
            if (e.slot() > archivedSlot) accepted.put(e.slot(), e);
        }
        contiguousSlot = archivedSlot;
        leaseBallot = null;
        leaseUntilMs = nowMs + leaseDurationMs;
        // What was loaded may not be durable yet: a store reads its own unsynced writes, among
        // them those of this group's previous member on this node (fenced and restarted while its
        // fsync was still under way). The first reply waits for a sync that covers them.
        dirty = true;
    }

    Ballot promised() {
        return promised;
    }

    long archivedSlot() {
        return archivedSlot;
    }

    Ballot archivedMaxOrigin() {
        return archivedMaxOrigin;
    }

    Configuration archivedConfiguration() {
        return archivedConfiguration;
    }

    AcceptedEntry entry(long slot) {
        return accepted.get(slot);
    }

    /**
     * One page of this acceptor's Promise of {@code ballot}: the entries above the archived slot
     * from {@code fromSlot} on, in slot order, as many as fit in {@code maxBytes} of values (at
     * least one); {@link PaxosMessage.Promise#continueFromSlot()} says where the next page starts.
     */
    PaxosMessage.Promise promisePage(Ballot ballot, long fromSlot, int maxBytes) {
        List<AcceptedEntry> page = new ArrayList<>();
        long bytes = 0;
        for (long s = Math.max(fromSlot, archivedSlot + 1); s < accepted.endSlot(); s++) {
            AcceptedEntry e = accepted.get(s);
            if (e == null) continue;
            if (!page.isEmpty() && bytes + e.value().length > maxBytes) {
                return new PaxosMessage.Promise(ballot, archivedSlot, page, s, archivedMaxOrigin, PaxosMessage.sent(archivedConfiguration));
            }
            page.add(e);
            bytes += e.value().length;
        }
        return new PaxosMessage.Promise(ballot, archivedSlot, page, 0, archivedMaxOrigin, PaxosMessage.sent(archivedConfiguration));
    }

    /** The entries above the archived slot, from {@code fromSlot} on (a candidate's own report). */
    List<AcceptedEntry> entriesFrom(long fromSlot) {
        List<AcceptedEntry> out = new ArrayList<>();
        for (long s = Math.max(fromSlot, archivedSlot + 1); s < accepted.endSlot(); s++) {
            AcceptedEntry e = accepted.get(s);
            if (e != null) out.add(e);
        }
        return out;
    }

    // ---- leases ---------------------------------------------------------------------------

    void grantLease(Ballot ballot, long nowMs) {
        long until = nowMs + leaseDurationMs;
        if (leaseBallot != null && leaseBallot.equals(ballot)) {
            leaseUntilMs = Math.max(leaseUntilMs, until);
        } else if (leaseBallot == null && nowMs < leaseUntilMs) {
            // The unknown holder of a lease granted before a restart keeps it until it ends.
            leaseBallot = ballot;
            leaseUntilMs = Math.max(leaseUntilMs, until);
        } else {
            leaseBallot = ballot;
            leaseUntilMs = until;
        }
    }

    /**
     * The leader of {@code ballot} gave its lease up: a lease granted to it ends now. A lease of
     * another ballot, or one an unknown holder may have, stays.
     */
    void endLease(Ballot ballot, long nowMs) {
        if (leaseBallot != null && leaseBallot.equals(ballot) && nowMs < leaseUntilMs) leaseUntilMs = nowMs;
    }

    /** True when a lease this acceptor granted to a ballot other than {@code ballot} is live. */
    boolean leaseBlocks(Ballot ballot, long nowMs) {
        return nowMs < leaseUntilMs && (leaseBallot == null || !leaseBallot.equals(ballot));
    }

    boolean anyLeaseLive(long nowMs) {
        return nowMs < leaseUntilMs;
    }

    /** The node the live lease was granted to, or {@link PaxosMember#NO_LEADER}. */
    int leaseHolder(long nowMs) {
        return nowMs < leaseUntilMs && leaseBallot != null ? leaseBallot.nodeId() : PaxosMember.NO_LEADER;
    }

    // ---- votes ----------------------------------------------------------------------------

    /** Raises the promised ballot to {@code ballot}; does nothing when it is not higher. */
    void promise(Ballot ballot) {
        if (!ballot.isAbove(promised)) return;
        store.promise(ballot);
        dirty = true;
        promised = ballot;
    }

    /**
     * Votes for {@code value} at {@code slot} under {@code ballot}, which must be the promised
     * ballot. Returns false (and writes nothing) for a slot at or below the archived slot.
     */
    boolean accept(long slot, Ballot ballot, byte[] value) {
        if (!ballot.equals(promised)) {
            throw new IllegalStateException("accepting slot " + slot + " under ballot " + ballot
                    + " while promised " + promised);
        }
        if (slot <= archivedSlot) return false;
        AcceptedEntry existing = accepted.get(slot);
        if (existing != null && existing.acceptedBallot().equals(ballot)) {
            if (!java.util.Arrays.equals(existing.value(), value)) {
                throw new IllegalStateException("ballot " + ballot + " proposed two values for slot " + slot);
            }
            return true;
        }
        store.accept(slot, ballot, value);
        dirty = true;
        accepted.put(slot, new AcceptedEntry(slot, ballot, value));
        return true;
    }

    /**
     * The WAL holds every slot through {@code slot}, whose values' highest origin is
     * {@code maxOrigin}, and {@code configuration} is in force after it: drops them.
     */
    void truncateThrough(long slot, Ballot maxOrigin, Configuration configuration) {
        if (slot <= archivedSlot) return;
        if (configuration.version() < archivedConfiguration.version()) {
            throw new IllegalStateException("archiving through slot " + slot + " with configuration " + configuration
                    + " older than " + archivedConfiguration + " in force after slot " + archivedSlot);
        }
        if (maxOrigin.isAbove(archivedMaxOrigin)) archivedMaxOrigin = maxOrigin;
        archivedConfiguration = configuration;
        store.truncateThrough(slot, archivedMaxOrigin, configuration);
        dirty = true;
        archivedSlot = slot;
        accepted.truncateThrough(slot);
    }

    /** The highest slot such that every slot above the archived one through it was accepted under {@code ballot}. */
    long contiguousSlot(Ballot ballot) {
        if (!ballot.equals(contiguousBallot)) {
            contiguousBallot = ballot;
            contiguousSlot = archivedSlot;
        }
        contiguousSlot = Math.max(contiguousSlot, archivedSlot);
        AcceptedEntry e;
        while ((e = accepted.get(contiguousSlot + 1)) != null && e.acceptedBallot().equals(ballot)) {
            contiguousSlot++;
        }
        return contiguousSlot;
    }

    // ---- durability -----------------------------------------------------------------------

    /** A token whose completion makes every write made so far durable (0 when nothing was ever written). */
    long durabilityToken() {
        if (dirty) {
            long token = store.requestSync();
            if (token <= lastRequestedToken) {
                throw new IllegalStateException("store returned sync token " + token + " after " + lastRequestedToken);
            }
            lastRequestedToken = token;
            dirty = false;
        }
        return lastRequestedToken;
    }

    boolean isDurable(long token) {
        return token <= syncedToken;
    }

    long syncedToken() {
        return syncedToken;
    }

    /** Sends {@code message} once every write made so far is durable (at once when it already is). */
    void replyWhenDurable(int to, PaxosMessage message, Outbox outbox) {
        long token = durabilityToken();
        if (token <= syncedToken && pendingReplies.isEmpty()) {
            outbox.send(to, message);
        } else if (pendingReplies.size() < MAX_PENDING_REPLIES) {
            pendingReplies.addLast(new PendingReply(token, to, message));
        }
    }

    void onSynced(long token, Outbox outbox) {
        if (token > lastRequestedToken) {
            throw new IllegalArgumentException("sync token " + token + " was never requested (last " + lastRequestedToken + ")");
        }
        syncedToken = Math.max(syncedToken, token);
        while (!pendingReplies.isEmpty() && pendingReplies.peekFirst().token() <= syncedToken) {
            PendingReply r = pendingReplies.pollFirst();
            outbox.send(r.to(), r.message());
        }
    }
}
