package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
 *   <li>The lease: a majority (the leader counting its own acceptor) each granted a lease when
 *       they received an Accept sent at or after {@link #quorumAckSentAtMs()}, so none of them
 *       promises another ballot for {@code leaseDurationMs} by its own clock.</li>
 * </ul>
 */
final class LeaderState implements RoleState {

    private static final class Proposal {
        final byte[] value;
        /** Followers (bit = member index) that acknowledged this slot under this ballot. */
        int ackMask;

        Proposal(byte[] value) {
            this.value = value;
        }
    }

    private final Ballot ballot;
    private final long recoveredUpToSlot;
    private final int[] memberIds;
    private final int selfIndex;
    private final int majority;
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

    private final long[] matchSlot;
    private final long[] nextSendSlot;
    private final long[] matchAtLastHeartbeat;
    /** nextSendSlot - 1 at the last heartbeat: what was outstanding then. */
    private final long[] sentAtLastHeartbeat;
    private final long[] ackSentAtMs;
    private final long[] scratch;
    private long nextHeartbeatMs;
    private boolean ready;

    LeaderState(Ballot ballot, long archivedSlot, Ballot archivedMaxOrigin, long recoveredUpToSlot, int[] memberIds, int selfIndex,
                PaxosConfig config, Acceptor acceptor, Outbox outbox, long nowMs) {
        this.archivedMaxOrigin = archivedMaxOrigin;
        this.ballot = ballot;
        this.recoveredUpToSlot = recoveredUpToSlot;
        this.memberIds = memberIds;
        this.selfIndex = selfIndex;
        this.majority = memberIds.length / 2 + 1;
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
        int n = memberIds.length;
        this.matchSlot = new long[n];
        this.nextSendSlot = new long[n];
        this.matchAtLastHeartbeat = new long[n];
        this.sentAtLastHeartbeat = new long[n];
        this.ackSentAtMs = new long[n];
        this.scratch = new long[n];
        Arrays.fill(matchSlot, archivedSlot);
        Arrays.fill(matchAtLastHeartbeat, archivedSlot);
        Arrays.fill(sentAtLastHeartbeat, archivedSlot);
        Arrays.fill(nextSendSlot, archivedSlot + 1);
        Arrays.fill(ackSentAtMs, Long.MIN_VALUE);
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

    // ---- proposing ------------------------------------------------------------------------

    /** Gives {@code value} the next slot and accepts it locally; sent at the next flush. */
    long append(byte[] value) {
        long slot = nextSlot++;
        acceptor.accept(slot, ballot, value);
        window.put(slot, new Proposal(value));
        unflushedBytes += value.length;
        return slot;
    }

    /** Sends every unsent slot to the followers that are up to date; asks for a local sync covering them. */
    void flush(long nowMs) {
        long last = nextSlot - 1;
        if (last <= flushedUpTo) return;
        selfSyncs.addLast(new long[] {acceptor.durabilityToken(), last});
        for (int i = 0; i < memberIds.length; i++) {
            if (i == selfIndex || nextSendSlot[i] != flushedUpTo + 1) continue;
            sendRange(i, flushedUpTo + 1, last, nowMs);
            nextSendSlot[i] = last + 1;
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
        for (int i = 0; i < memberIds.length; i++) {
            if (i == selfIndex) continue;
            if (matchSlot[i] < sentAtLastHeartbeat[i] && matchSlot[i] == matchAtLastHeartbeat[i]) {
                nextSendSlot[i] = matchSlot[i] + 1;
            }
            if (nextSendSlot[i] <= flushedUpTo) {
                sendNextBatch(i, nowMs);
            } else {
                send(i, List.of(), nowMs);
            }
            matchAtLastHeartbeat[i] = matchSlot[i];
            sentAtLastHeartbeat[i] = nextSendSlot[i] - 1;
        }
        renewOwnLease(nowMs);
        nextHeartbeatMs = nowMs + config.heartbeatIntervalMs();
    }

    /** Sends follower {@code i} one batch from its next unsent slot (a lagging follower's catch-up, one batch per acknowledgement). */
    private void sendNextBatch(int i, long nowMs) {
        nextSendSlot[i] = sendBatch(i, nextSendSlot[i], flushedUpTo, nowMs);
    }

    private void sendRange(int i, long from, long to, long nowMs) {
        for (long start = from; start <= to; ) start = sendBatch(i, start, to, nowMs);
    }

    /**
     * Sends one Accept with the slots from {@code from} on, through {@code to} at most, within
     * {@code maxBatchEntries} and {@code maxBatchBytes} (one entry at least); returns the first slot not sent.
     */
    private long sendBatch(int i, long from, long to, long nowMs) {
        List<SlotValue> entries = new ArrayList<>();
        long bytes = 0;
        long s = from;
        for (; s <= to && entries.size() < config.maxBatchEntries(); s++) {
            byte[] value = window.get(s).value;
            if (!entries.isEmpty() && bytes + value.length > config.maxBatchBytes()) break;
            entries.add(new SlotValue(s, value));
            bytes += value.length;
        }
        send(i, entries, nowMs);
        return s;
    }

    private void send(int i, List<SlotValue> entries, long nowMs) {
        outbox.send(memberIds[i], new PaxosMessage.Accept(ballot, nowMs, entries, chosenUpTo, archivedSlot, archivedMaxOrigin));
    }

    /** The leader's own acceptor grants the lease for every round it sends. */
    private void renewOwnLease(long nowMs) {
        ackSentAtMs[selfIndex] = Math.max(ackSentAtMs[selfIndex], nowMs);
        acceptor.grantLease(ballot, nowMs);
    }

    // ---- acknowledgements -----------------------------------------------------------------

    void onAccepted(int i, PaxosMessage.Accepted accepted, long nowMs) {
        if (accepted.acceptSentAtMs() > ackSentAtMs[i] && accepted.acceptSentAtMs() <= nowMs) {
            ackSentAtMs[i] = accepted.acceptSentAtMs();
        }
        int bit = 1 << i;
        long lastProposed = nextSlot - 1;
        for (SlotRange r : accepted.acceptedSlots()) {
            long to = Math.min(r.lastSlot(), lastProposed);
            for (long s = Math.max(r.firstSlot(), window.firstSlot()); s <= to; s++) {
                Proposal p = window.get(s);
                if (p != null) p.ackMask |= bit;
            }
        }
        long contiguous = Math.min(accepted.contiguousSlot(), lastProposed);
        if (contiguous > matchSlot[i]) matchSlot[i] = contiguous;
        if (nextSendSlot[i] <= matchSlot[i]) nextSendSlot[i] = matchSlot[i] + 1;
        // A lagging follower that acknowledged everything sent to it gets its next batch now.
        if (nextSendSlot[i] <= flushedUpTo && matchSlot[i] >= nextSendSlot[i] - 1) {
            sendNextBatch(i, nowMs);
        }
    }

    /** Local accepts covered by syncs up to {@code syncedToken} are durable. */
    void onSynced(long syncedToken) {
        while (!selfSyncs.isEmpty() && selfSyncs.peekFirst()[0] <= syncedToken) {
            selfDurableUpTo = Math.max(selfDurableUpTo, selfSyncs.pollFirst()[1]);
        }
    }

    /** Advances {@link #chosenUpTo} over slots a majority durably accepted; true when it moved. */
    boolean advanceChosen() {
        long before = chosenUpTo;
        while (chosenUpTo < nextSlot - 1) {
            long s = chosenUpTo + 1;
            Proposal p = window.get(s);
            int acks = selfDurableUpTo >= s ? 1 : 0;
            for (int i = 0; i < memberIds.length; i++) {
                if (i != selfIndex && (matchSlot[i] >= s || (p != null && (p.ackMask & (1 << i)) != 0))) acks++;
            }
            if (acks < majority) break;
            chosenUpTo = s;
        }
        return chosenUpTo > before;
    }

    /**
     * The WAL holds every slot through {@code slot} (all chosen), the highest origin of whose
     * values is {@code maxOrigin}: they leave the window, and the followers are told.
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
        for (int i = 0; i < memberIds.length; i++) {
            matchSlot[i] = Math.max(matchSlot[i], slot);
            matchAtLastHeartbeat[i] = Math.max(matchAtLastHeartbeat[i], slot);
            sentAtLastHeartbeat[i] = Math.max(sentAtLastHeartbeat[i], slot);
            nextSendSlot[i] = Math.max(nextSendSlot[i], slot + 1);
        }
    }

    // ---- lease ----------------------------------------------------------------------------

    /** The latest send time such that a majority acknowledged an Accept sent then or later; MIN_VALUE if none. */
    long quorumAckSentAtMs() {
        System.arraycopy(ackSentAtMs, 0, scratch, 0, scratch.length);
        Arrays.sort(scratch);
        return scratch[scratch.length - majority];
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
}
