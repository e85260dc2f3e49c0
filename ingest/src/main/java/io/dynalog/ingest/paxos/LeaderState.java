package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A leader of {@link #ballot}: phase 2 for every slot above the archived one. Responsibilities:
 * assigning slots densely and accepting them locally; sending them to the followers batched
 * (everything unsent in Accepts of at most {@code maxBatchEntries} and {@code maxBatchBytes}, a
 * larger entry alone) and pipelined (no waiting for
 * replies); catching lagging followers up; counting durable acceptances to advance
 * {@link #chosenUpTo}; dating its lease from the acknowledged Accepts.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Slots {@code (archivedSlot, nextSlot)} are all in the window, each with the one value this
 *       ballot proposes for it; the local acceptor accepted each of them under this ballot before
 *       any Accept for it was sent.</li>
 *   <li>{@code chosenUpTo} only grows, and every slot in {@code (archivedSlot, chosenUpTo]} was
 *       durably accepted under this ballot by a majority (the leader itself once its sync
 *       completed, a follower once it said so in an Accepted).</li>
 *   <li>Per follower: it durably holds every slot through {@code matchSlot} under this ballot;
 *       everything below {@code nextSendSlot} has been sent to it (perhaps lost).</li>
 *   <li>Slot {@code s} counts as chosen with a majority of the voters of the configuration that
 *       governs it ({@link Recovery}): the first of {@link #governing} governs the slots after the
 *       archived one, each later one the slots after the configuration value that named it. The
 *       followers are the voters and learners of all of them.</li>
 *   <li>The lease: a majority of the voters of every configuration from the one governing the
 *       first slot not yet chosen on (the leader counting its own acceptor where it votes) each
 *       granted a lease when they received an Accept sent at or after {@link #quorumAckSentAtMs()},
 *       so none of them promises another ballot for {@code leaseDurationMs} by its own clock, and
 *       every rival needs one of them (it needs a majority of each of those configurations).</li>
 * </ul>
 */
final class LeaderState implements RoleState {

    private static final class Proposal {
        final byte[] value;
        /** Followers ({@link Peer#bit}) that acknowledged this slot under this ballot. */
        long ackMask;

        Proposal(byte[] value) {
            this.value = value;
        }
    }

    /** A follower: a voter or learner, other than the leader, of a configuration in {@link #governing}. */
    private static final class Peer {
        final int id;
        /** Its bit in {@link Proposal#ackMask}, unique among the peers of this leader at any time. */
        final long bit;
        long matchSlot;
        long nextSendSlot;
        long matchAtLastHeartbeat;
        /** nextSendSlot - 1 at the last heartbeat: what was outstanding then. */
        long sentAtLastHeartbeat;
        long ackSentAtMs = Long.MIN_VALUE;
        /** Since when (an Accept's send time) it acknowledged with no gap of an election timeout; MIN_VALUE: never. */
        long ackStreakSinceMs = Long.MIN_VALUE;

        Peer(int id, long bit, long archivedSlot) {
            this.id = id;
            this.bit = bit;
            this.matchSlot = archivedSlot;
            this.matchAtLastHeartbeat = archivedSlot;
            this.sentAtLastHeartbeat = archivedSlot;
            this.nextSendSlot = archivedSlot + 1;
        }
    }

    /** A configuration and the slots it governs, from {@code fromSlot} to the next one's. */
    private static final class Governing {
        final long fromSlot;
        final Configuration configuration;
        final boolean selfVotes;
        /** Its voters other than the leader. */
        Peer[] otherVoters;

        Governing(long fromSlot, Configuration configuration, int selfId) {
            this.fromSlot = fromSlot;
            this.configuration = configuration;
            this.selfVotes = configuration.isVoter(selfId);
        }
    }

    private final Ballot ballot;
    private final long recoveredUpToSlot;
    private final int selfId;
    private final PaxosConfig config;
    private final Acceptor acceptor;
    private final Outbox outbox;
    private final long electedAtMs;

    private final SlotLog<Proposal> window;
    private long nextSlot;
    private long flushedUpTo;
    /** Value bytes of the slots above {@link #flushedUpTo}. */
    private long unflushedBytes;
    private long chosenUpTo;
    private long archivedSlot;
    private Ballot archivedMaxOrigin;
    private long selfDurableUpTo;
    /** {sync token, highest slot it covers} of local accepts not yet durable, in token order. */
    private final ArrayDeque<long[]> selfSyncs = new ArrayDeque<>();
    private long selfAckSentAtMs = Long.MIN_VALUE;

    /** The configurations governing the slots from the archived one on, in slot order; never empty. */
    private final List<Governing> governing = new ArrayList<>();
    private final Map<Integer, Peer> peersById = new LinkedHashMap<>();
    private Peer[] peers = new Peer[0];
    private long usedBits;
    private final long[] scratch = new long[Configuration.MAX_MEMBERS + 1];
    private long nextHeartbeatMs;
    private boolean ready;
    /** The chosen configuration in which this leader does not vote, once it learned of it; null before. */
    private Configuration retiringFor;
    /** When it learned: an Accept sent since carries a chosen slot past that configuration's. */
    private long retiringSinceMs;
    /** The voter this leader hands over to, or {@link PaxosMember#NO_LEADER}; it takes no new proposal meanwhile. */
    private int transferTarget = PaxosMember.NO_LEADER;
    /** A hand-over not done by then is given up. */
    private long transferDeadlineMs;

    /**
     * A leader that recovered the slots through {@code recoveredUpToSlot}, governed by
     * {@code configurations} (the first from the slot after {@code archivedSlot}); the recovered
     * values are then appended, in slot order, by the member.
     */
    LeaderState(Ballot ballot, long archivedSlot, Ballot archivedMaxOrigin, long recoveredUpToSlot,
                List<Recovery.Configured> configurations, int selfId, PaxosConfig config, Acceptor acceptor, Outbox outbox,
                long nowMs) {
        this.archivedMaxOrigin = archivedMaxOrigin;
        this.ballot = ballot;
        this.recoveredUpToSlot = recoveredUpToSlot;
        this.selfId = selfId;
        this.config = config;
        this.acceptor = acceptor;
        this.outbox = outbox;
        this.electedAtMs = nowMs;
        this.window = new SlotLog<>(archivedSlot + 1);
        this.nextSlot = archivedSlot + 1;
        this.flushedUpTo = archivedSlot;
        this.chosenUpTo = archivedSlot;
        this.archivedSlot = archivedSlot;
        this.selfDurableUpTo = archivedSlot;
        for (Recovery.Configured c : configurations) governing.add(new Governing(c.fromSlot(), c.configuration(), selfId));
        refreshPeers();
    }

    @Override
    public Role role() {
        return Role.LEADER;
    }

    @Override
    public Ballot ballot() {
        return ballot;
    }

    long recoveredUpToSlot() {
        return recoveredUpToSlot;
    }

    long chosenUpTo() {
        return chosenUpTo;
    }

    long nextSlot() {
        return nextSlot;
    }

    boolean ready() {
        return ready;
    }

    void markReady() {
        ready = true;
    }

    long unflushedEntries() {
        return nextSlot - 1 - flushedUpTo;
    }

    long unflushedBytes() {
        return unflushedBytes;
    }

    // ---- configurations -------------------------------------------------------------------

    /** The configuration in force after the last proposed slot (perhaps named by a value not yet chosen). */
    Configuration lastConfiguration() {
        return governing.get(governing.size() - 1).configuration;
    }

    /** The configuration in force after the archived slot. */
    Configuration archivedConfiguration() {
        return governing.get(0).configuration;
    }

    /** True while a configuration value this leader proposed or recovered is not chosen yet. */
    boolean configurationPending() {
        return governing.get(governing.size() - 1).fromSlot - 1 > chosenUpTo;
    }

    /** When (by this leader's clock) the latest Accept member {@code id} acknowledged was sent; MIN_VALUE: none, or no follower. */
    long ackSentAtMs(int id) {
        Peer p = peersById.get(id);
        return p == null ? Long.MIN_VALUE : p.ackSentAtMs;
    }

    /**
     * Since when member {@code id} has acknowledged without a gap of an election timeout (the send
     * time of the first Accept of the streak); MIN_VALUE: never, or no follower.
     */
    long ackStreakSinceMs(int id) {
        Peer p = peersById.get(id);
        return p == null ? Long.MIN_VALUE : p.ackStreakSinceMs;
    }

    /** The highest slot member {@code id} is known to hold under this ballot, or -1 when it is not a follower. */
    long matchSlot(int id) {
        Peer p = peersById.get(id);
        return p == null ? -1 : p.matchSlot;
    }

    private Governing governingAt(long slot) {
        for (int i = governing.size() - 1; i > 0; i--) {
            if (governing.get(i).fromSlot <= slot) return governing.get(i);
        }
        return governing.get(0);
    }

    /**
     * Makes the followers the voters and learners of every governing configuration: a new one
     * starts from the archived slot (it is caught up a batch per acknowledgement); one that left
     * frees its bit, cleared from every proposal so that a later follower given it inherits no
     * acknowledgement.
     */
    private void refreshPeers() {
        Set<Integer> wanted = new LinkedHashSet<>();
        for (Governing g : governing) wanted.addAll(g.configuration.members());
        wanted.remove(selfId);
        for (Iterator<Peer> it = peersById.values().iterator(); it.hasNext(); ) {
            Peer p = it.next();
            if (wanted.contains(p.id)) continue;
            it.remove();
            usedBits &= ~p.bit;
            for (long s = window.firstSlot(); s < nextSlot; s++) {
                Proposal proposal = window.get(s);
                if (proposal != null) proposal.ackMask &= ~p.bit;
            }
        }
        for (int id : wanted) {
            if (peersById.containsKey(id)) continue;
            long bit = Long.lowestOneBit(~usedBits);
            if (bit == 0) throw new IllegalStateException("ballot " + ballot + ": more than 64 followers at once");
            usedBits |= bit;
            peersById.put(id, new Peer(id, bit, archivedSlot));
        }
        peers = peersById.values().toArray(new Peer[0]);
        for (Governing g : governing) {
            List<Peer> voters = new ArrayList<>();
            for (int v : g.configuration.voters()) {
                if (v != selfId) voters.add(peersById.get(v));
            }
            g.otherVoters = voters.toArray(new Peer[0]);
        }
    }

    // ---- handing over ---------------------------------------------------------------------

    /** Hands over to {@code target} once it holds every slot proposed, unless {@code deadlineMs} passes first. */
    void startTransfer(int target, long deadlineMs) {
        transferTarget = target;
        transferDeadlineMs = deadlineMs;
    }

    /** The voter a hand-over is under way to, or {@link PaxosMember#NO_LEADER}. */
    int transferTarget() {
        return transferTarget;
    }

    long transferDeadlineMs() {
        return transferDeadlineMs;
    }

    void cancelTransfer() {
        transferTarget = PaxosMember.NO_LEADER;
    }

    /** True when every proposed slot is chosen and the hand-over's target holds them all. */
    boolean transferTargetCaughtUp() {
        return chosenUpTo == nextSlot - 1 && matchSlot(transferTarget) >= chosenUpTo;
    }

    /** Every follower, voter or learner, of every configuration this leader knows. */
    List<Integer> followers() {
        List<Integer> ids = new ArrayList<>();
        for (Peer p : peers) ids.add(p.id);
        return ids;
    }

    boolean retiring() {
        return retiringFor != null;
    }

    /** The chosen configuration this leader hands over to, or null. */
    Configuration retiringFor() {
        return retiringFor;
    }

    /** This leader knows, at {@code nowMs}, that {@code chosen} (where it does not vote) is chosen; null: it votes again. */
    void retire(long nowMs, Configuration chosen) {
        retiringFor = chosen;
        retiringSinceMs = nowMs;
    }

    /**
     * True once a voter of the configuration it retires for holds every slot through the one that
     * named it and acknowledged an Accept sent after this leader knew it chosen: that voter knows
     * the configuration, so it campaigns when this leader goes.
     */
    boolean successorKnows() {
        for (int v : retiringFor.voters()) {
            Peer p = peersById.get(v);
            if (p != null && p.ackSentAtMs >= retiringSinceMs && p.matchSlot >= chosenAtRetirement()) return true;
        }
        return false;
    }

    private long chosenAtRetirement() {
        for (int i = governing.size() - 1; i >= 0; i--) {
            if (governing.get(i).configuration.equals(retiringFor)) return governing.get(i).fromSlot - 1;
        }
        return archivedSlot;
    }

    // ---- proposing ------------------------------------------------------------------------

    /**
     * Gives {@code value} the next slot and accepts it locally; sent at the next flush.
     * {@code named} is the configuration the value puts in force after its slot, or null.
     */
    long append(byte[] value, Configuration named) {
        long slot = nextSlot++;
        acceptor.accept(slot, ballot, value);
        window.put(slot, new Proposal(value));
        unflushedBytes += value.length;
        if (named != null && governing.get(governing.size() - 1).fromSlot <= slot) {
            governing.add(new Governing(slot + 1, named, selfId));
            refreshPeers();
        }
        return slot;
    }

    /** Sends every unsent slot to the followers that are up to date; asks for a local sync covering them. */
    void flush(long nowMs) {
        long last = nextSlot - 1;
        if (last <= flushedUpTo) return;
        selfSyncs.addLast(new long[] {acceptor.durabilityToken(), last});
        for (Peer p : peers) {
            if (p.nextSendSlot != flushedUpTo + 1) continue;
            sendRange(p, flushedUpTo + 1, last, nowMs);
            p.nextSendSlot = last + 1;
        }
        flushedUpTo = last;
        unflushedBytes = 0;
        renewOwnLease(nowMs);
    }

    long nextHeartbeatMs() {
        return nextHeartbeatMs;
    }

    /**
     * Sends every follower an Accept: the next slots it lacks (at most one batch) or none. A
     * follower whose acknowledged prefix did not move for a whole heartbeat interval while slots
     * sent before it were outstanding is assumed to have lost them: they are sent again.
     */
    void heartbeat(long nowMs) {
        flush(nowMs);
        for (Peer p : peers) {
            if (p.matchSlot < p.sentAtLastHeartbeat && p.matchSlot == p.matchAtLastHeartbeat) {
                p.nextSendSlot = p.matchSlot + 1;
            }
            if (p.nextSendSlot <= flushedUpTo) {
                sendNextBatch(p, nowMs);
            } else {
                send(p, List.of(), nowMs);
            }
            p.matchAtLastHeartbeat = p.matchSlot;
            p.sentAtLastHeartbeat = p.nextSendSlot - 1;
        }
        renewOwnLease(nowMs);
        nextHeartbeatMs = nowMs + config.heartbeatIntervalMs();
    }

    /** Sends follower {@code p} one batch from its next unsent slot (a lagging follower's catch-up, one batch per acknowledgement). */
    private void sendNextBatch(Peer p, long nowMs) {
        p.nextSendSlot = sendBatch(p, p.nextSendSlot, flushedUpTo, nowMs);
    }

    private void sendRange(Peer p, long from, long to, long nowMs) {
        for (long start = from; start <= to; ) start = sendBatch(p, start, to, nowMs);
    }

    /**
     * Sends one Accept with the slots from {@code from} on, through {@code to} at most, within
     * {@code maxBatchEntries} and {@code maxBatchBytes} (one entry at least); returns the first slot not sent.
     */
    private long sendBatch(Peer p, long from, long to, long nowMs) {
        List<SlotValue> entries = new ArrayList<>();
        long bytes = 0;
        long s = from;
        for (; s <= to && entries.size() < config.maxBatchEntries(); s++) {
            byte[] value = window.get(s).value;
            if (!entries.isEmpty() && bytes + value.length > config.maxBatchBytes()) break;
            entries.add(new SlotValue(s, value));
            bytes += value.length;
        }
        send(p, entries, nowMs);
        return s;
    }

    private void send(Peer p, List<SlotValue> entries, long nowMs) {
        outbox.send(p.id, new PaxosMessage.Accept(ballot, nowMs, entries, chosenUpTo, archivedSlot, archivedMaxOrigin,
                PaxosMessage.sent(archivedConfiguration())));
    }

    /** The leader's own acceptor grants the lease for every round it sends. */
    private void renewOwnLease(long nowMs) {
        selfAckSentAtMs = Math.max(selfAckSentAtMs, nowMs);
        acceptor.grantLease(ballot, nowMs);
    }

    // ---- acknowledgements -----------------------------------------------------------------

    void onAccepted(int fromId, PaxosMessage.Accepted accepted, long nowMs) {
        Peer peer = peersById.get(fromId);
        if (peer == null) return;
        if (accepted.acceptSentAtMs() > peer.ackSentAtMs && accepted.acceptSentAtMs() <= nowMs) {
            if (peer.ackSentAtMs == Long.MIN_VALUE || accepted.acceptSentAtMs() - peer.ackSentAtMs > config.electionTimeoutMs()) {
                peer.ackStreakSinceMs = accepted.acceptSentAtMs();
            }
            peer.ackSentAtMs = accepted.acceptSentAtMs();
        }
        long lastProposed = nextSlot - 1;
        for (SlotRange r : accepted.acceptedSlots()) {
            long to = Math.min(r.lastSlot(), lastProposed);
            for (long s = Math.max(r.firstSlot(), window.firstSlot()); s <= to; s++) {
                Proposal p = window.get(s);
                if (p != null) p.ackMask |= peer.bit;
            }
        }
        long contiguous = Math.min(accepted.contiguousSlot(), lastProposed);
        if (contiguous > peer.matchSlot) peer.matchSlot = contiguous;
        if (peer.nextSendSlot <= peer.matchSlot) peer.nextSendSlot = peer.matchSlot + 1;
        // A lagging follower that acknowledged everything sent to it gets its next batch now.
        if (peer.nextSendSlot <= flushedUpTo && peer.matchSlot >= peer.nextSendSlot - 1) {
            sendNextBatch(peer, nowMs);
        }
    }

    /** Local accepts covered by syncs up to {@code syncedToken} are durable. */
    void onSynced(long syncedToken) {
        while (!selfSyncs.isEmpty() && selfSyncs.peekFirst()[0] <= syncedToken) {
            selfDurableUpTo = Math.max(selfDurableUpTo, selfSyncs.pollFirst()[1]);
        }
    }

    /** Advances {@link #chosenUpTo} over slots a majority of their configuration's voters durably accepted; true when it moved. */
    boolean advanceChosen() {
        long before = chosenUpTo;
        while (chosenUpTo < nextSlot - 1) {
            long s = chosenUpTo + 1;
            Governing g = governingAt(s);
            Proposal p = window.get(s);
            int acks = g.selfVotes && selfDurableUpTo >= s ? 1 : 0;
            for (Peer v : g.otherVoters) {
                if (v.matchSlot >= s || (p != null && (p.ackMask & v.bit) != 0)) acks++;
            }
            if (acks < g.configuration.majority()) break;
            chosenUpTo = s;
        }
        return chosenUpTo > before;
    }

    /**
     * The WAL holds every slot through {@code slot} (all chosen), the highest origin of whose
     * values is {@code maxOrigin}: they leave the window, and the followers are told.
     * Configurations that governed only archived slots are dropped, and their members with them.
     */
    void onArchived(long slot, Ballot maxOrigin) {
        if (maxOrigin.isAbove(archivedMaxOrigin)) archivedMaxOrigin = maxOrigin;
        if (slot <= archivedSlot) return;
        archivedSlot = slot;
        window.truncateThrough(slot);
        nextSlot = Math.max(nextSlot, slot + 1);
        flushedUpTo = Math.max(flushedUpTo, slot);
        if (flushedUpTo >= nextSlot - 1) unflushedBytes = 0;
        chosenUpTo = Math.max(chosenUpTo, slot);
        selfDurableUpTo = Math.max(selfDurableUpTo, slot);
        for (Peer p : peers) {
            p.matchSlot = Math.max(p.matchSlot, slot);
            p.matchAtLastHeartbeat = Math.max(p.matchAtLastHeartbeat, slot);
            p.sentAtLastHeartbeat = Math.max(p.sentAtLastHeartbeat, slot);
            p.nextSendSlot = Math.max(p.nextSendSlot, slot + 1);
        }
        boolean dropped = false;
        while (governing.size() > 1 && governing.get(1).fromSlot <= slot + 1) {
            governing.remove(0);
            dropped = true;
        }
        if (dropped) refreshPeers();
    }

    // ---- lease ----------------------------------------------------------------------------

    /**
     * The latest send time such that, in every configuration from the one governing the first
     * slot not yet chosen on, a majority of the voters acknowledged an Accept sent then or later;
     * MIN_VALUE if none.
     */
    long quorumAckSentAtMs() {
        long start = Long.MAX_VALUE;
        Governing current = governingAt(chosenUpTo + 1);
        for (int i = governing.indexOf(current); i < governing.size(); i++) {
            start = Math.min(start, quorumAckSentAtMs(governing.get(i)));
        }
        return start;
    }

    private long quorumAckSentAtMs(Governing g) {
        int n = 0;
        if (g.selfVotes) scratch[n++] = selfAckSentAtMs;
        for (Peer v : g.otherVoters) scratch[n++] = v.ackSentAtMs;
        Arrays.sort(scratch, 0, n);
        return scratch[n - g.configuration.majority()];
    }

    /** When the lease ends by this member's clock; MIN_VALUE when it never held one. */
    long leaseExpiresAtMs() {
        long start = quorumAckSentAtMs();
        return start == Long.MIN_VALUE ? Long.MIN_VALUE : start + config.leaderLeaseMs();
    }

    /** True when no majority acknowledged anything sent in the last two election timeouts. */
    boolean lostQuorum(long nowMs) {
        long lastContact = Math.max(quorumAckSentAtMs(), electedAtMs);
        return nowMs - lastContact >= 2 * config.electionTimeoutMs();
    }

    /** True when this leader is the only voter of every configuration from the current one on: it needs no one. */
    boolean votesAlone() {
        Governing current = governingAt(chosenUpTo + 1);
        for (int i = governing.indexOf(current); i < governing.size(); i++) {
            Governing g = governing.get(i);
            if (!g.selfVotes || g.otherVoters.length > 0) return false;
        }
        return true;
    }
}
