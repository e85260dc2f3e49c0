package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongFunction;

/**
 * One member of one partition's replica group: acceptor, learner and possible proposer of
 * Multi-Paxos (DESIGN.md section 4), as a deterministic state machine. It does no I/O of its own:
 * time comes in as {@code nowMs} (this member's clock, never going back), randomness from the
 * injected {@link Random}, messages leave through the {@link Outbox}, votes go to the
 * {@link AcceptorStore} whose syncs the driver reports through {@link #onSynced}.
 *
 * <p>Threading: not thread-safe. One thread (the partition's poll loop) makes every call,
 * including {@link #onSynced}; listener callbacks run inside those calls and must not call back.
 *
 * <p>Responsibilities: the acceptor rules (promise, accept, lease grants, replies only after
 * sync) in {@link Acceptor}; role changes, all through {@link RoleState#checkTransition} (the
 * transition table is there); the pre-vote of a prospective member, and answering others'
 * pre-votes; phase 1 for a candidate (promises arrive in pages); delivery of chosen slots in
 * order. Phase 2 at the leader is {@link LeaderState}.
 *
 * <p>Configurations ({@link Configuration}): a group's first is given to every member; later ones
 * are chosen through the log, one change at a time ({@link #proposeConfiguration}), each in force
 * from the slot after its own. A leader counts each slot with the configuration governing it; a
 * candidate needs promises from a majority of every configuration in force over the slots it
 * recovers ({@link Recovery}, where the reason is written down); an acceptor keeps the
 * configuration of its archived slot with it and reports it in its promises. Acceptors answer any
 * member; only voters' answers count. A member campaigns when it votes (or, after a long silence,
 * to hand over); a leader that learns it no longer votes hands over ({@link #afterInput}).
 *
 * <p>Invariants:
 * <ul>
 *   <li>A Promise or Accepted is sent only once every write it reports is durable.</li>
 *   <li>A candidate's ballot is above every round this member has seen; a member never reuses a
 *       ballot, even across restarts (its promise of its own ballot was durable before it led).</li>
 *   <li>Slots reach {@link PaxosListener#onChosen} in increasing order without gaps, each only
 *       once it is known chosen: at the leader when a majority of the voters of the slot's
 *       configuration durably accepted it under the leader's ballot; at a follower when the leader of ballot b says it is chosen and this
 *       member accepted it under b (b's value for a slot is unique and is the chosen one).</li>
 *   <li>A leader never believes it holds a lease that a majority's grants do not cover.</li>
 *   <li>A new leader proposes again, for each slot it recovers, the value accepted under the
 *       highest ballot, unless a lower slot holds a value that a leader of a higher ballot first
 *       proposed as new ({@link Values#originOf}, the archived prefix's included): that leader's
 *       phase 1 found nothing at this slot, so the value here was not chosen before it, nor can
 *       it be under a lower ballot after it. Such a value is replaced by a no-op. This matters
 *       because values are resolved by their leader (a write's outcome, computed against the
 *       item's state before it): proposed again above another leader's writes to the same item,
 *       it would take effect against a state it was not resolved for.</li>
 * </ul>
 */
public final class PaxosMember {
    /** The leader hint meaning "unknown". */
    public static final int NO_LEADER = -1;

    /** Election timeouts without a leader after which a member that does not vote campaigns, to hand over. */
    static final int NON_VOTER_PATIENCE = 3;

    private final int selfId;
    private final Configuration firstConfiguration;
    private final Acceptor acceptor;
    private final Outbox outbox;
    private final Random random;
    private final PaxosConfig config;
    private final Values values;
    private final PaxosListener listener;

    private RoleState state = RoleState.Unstarted.INSTANCE;
    private long maxRoundSeen;
    private int leaderHint = NO_LEADER;
    /** Every slot through this one was delivered to the listener (or skipped as archived). */
    private long deliveredUpTo;
    /** Slots through learnedChosenUpTo hold learnedBallot's value as the chosen one. */
    private Ballot learnedBallot = Ballot.ZERO;
    private long learnedChosenUpTo;
    /** When this member last accepted an Accept from a leader: it grants no pre-vote for an election timeout after. */
    private long lastLeaderContactMs = Long.MIN_VALUE / 2;
    /** When this member last stopped leading: a leader that handed over waits as if it had heard from one. */
    private long steppedDownAtMs = Long.MIN_VALUE / 2;
    private final KnownConfigurations configurations = new KnownConfigurations();
    private boolean busy;

    /** A member of a group whose first configuration has every one of {@code memberIds} voting. */
    public PaxosMember(int selfId, List<Integer> memberIds, AcceptorStore store, Outbox outbox, Random random,
                       PaxosConfig config, Values values, PaxosListener listener) {
        this(selfId, Configuration.initial(memberIds), store, outbox, random, config, values, listener);
    }

    /**
     * A member (perhaps not yet in any configuration: it answers as an acceptor and learns what
     * it is sent) of a group whose version-0 configuration is {@code firstConfiguration}; every
     * member of a group is given the same one, and learns later ones from the log.
     */
    public PaxosMember(int selfId, Configuration firstConfiguration, AcceptorStore store, Outbox outbox, Random random,
                       PaxosConfig config, Values values, PaxosListener listener) {
        if (selfId < 0) throw new IllegalArgumentException("member ids are non-negative: " + selfId);
        if (firstConfiguration.version() != 0) {
            throw new IllegalArgumentException("a group's first configuration has version 0: " + firstConfiguration);
        }
        this.selfId = selfId;
        this.firstConfiguration = firstConfiguration;
        this.acceptor = new Acceptor(Objects.requireNonNull(store, "store"), config.leaseDurationMs(), firstConfiguration);
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.random = Objects.requireNonNull(random, "random");
        this.config = Objects.requireNonNull(config, "config");
        this.values = Objects.requireNonNull(values, "values");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    // ==== inputs ==============================================================================

    /** Loads the durable state and becomes a follower. Called once. */
    public void start(long nowMs) {
        enter();
        try {
            if (state.role() != Role.UNSTARTED) throw new IllegalStateException("member " + selfId + " already started");
            acceptor.load(nowMs);
            maxRoundSeen = acceptor.promised().round();
            deliveredUpTo = acceptor.archivedSlot();
            configurations.reset(acceptor.archivedSlot(), acceptor.archivedConfiguration());
            becomeFollower(nowMs);
        } finally {
            exit();
        }
    }

    /**
     * A message from member {@code from}, which may be in no configuration this member knows of
     * (a leader or candidate of a later one): the acceptor rules do not depend on who asks, and
     * replies count only where their sender votes. Messages from itself are ignored.
     */
    public void onMessage(long nowMs, int from, PaxosMessage message) {
        enter();
        try {
            requireStarted();
            if (from == selfId || from < 0) return;
            if (message instanceof PaxosMessage.Prepare p) {
                onPrepare(nowMs, from, p);
            } else if (message instanceof PaxosMessage.Promise p) {
                onPromise(nowMs, from, p);
            } else if (message instanceof PaxosMessage.Reject r) {
                onReject(nowMs, r);
            } else if (message instanceof PaxosMessage.Accept a) {
                onAccept(nowMs, from, a);
            } else if (message instanceof PaxosMessage.Accepted a) {
                if (state instanceof LeaderState leader && a.ballot().equals(leader.ballot())) {
                    leader.onAccepted(from, a, nowMs);
                }
            } else if (message instanceof PaxosMessage.PreVote v) {
                onPreVote(nowMs, from, v);
            } else if (message instanceof PaxosMessage.PreVoteReply r) {
                onPreVoteReply(nowMs, from, r);
            } else if (message instanceof PaxosMessage.Relinquish r) {
                onRelinquish(nowMs, from, r);
            }
            afterInput(nowMs);
        } finally {
            exit();
        }
    }

    /** Runs the timers: elections, Prepare resends, flushes, heartbeats. Call every few milliseconds. */
    public void onTick(long nowMs) {
        enter();
        try {
            requireStarted();
            if (state instanceof FollowerState follower) {
                if (nowMs >= follower.electionDeadlineMs && !acceptor.anyLeaseLive(nowMs)) startProspective(nowMs);
            } else if (state instanceof ProspectiveState prospective) {
                if (nowMs >= prospective.deadlineMs) {
                    startProspective(nowMs);
                } else if (nowMs >= prospective.nextResendMs) {
                    sendPreVotes(prospective);
                    prospective.nextResendMs = nowMs + config.heartbeatIntervalMs();
                }
            } else if (state instanceof CandidateState candidate) {
                if (nowMs >= candidate.electionDeadlineMs) {
                    startProspective(nowMs);
                } else if (nowMs >= candidate.nextPrepareResendMs) {
                    sendPrepares(candidate);
                    candidate.nextPrepareResendMs = nowMs + config.heartbeatIntervalMs();
                }
            } else if (state instanceof LeaderState leader) {
                // A group of one has no one to lose touch with: its leader stepping down after a
                // slow sync would only fail its writes in flight and elect itself again.
                if (!leader.votesAlone() && leader.lostQuorum(nowMs)) {
                    becomeFollower(nowMs);
                } else if (nowMs >= leader.nextHeartbeatMs()) {
                    leader.heartbeat(nowMs);
                } else {
                    leader.flush(nowMs);
                }
            }
            afterInput(nowMs);
        } finally {
            exit();
        }
    }

    /** The store completed the sync that returned {@code token} (and so every earlier one). */
    public void onSynced(long nowMs, long token) {
        enter();
        try {
            requireStarted();
            acceptor.onSynced(token, outbox);
            if (state instanceof CandidateState candidate && !candidate.selfPromiseDurable
                    && acceptor.isDurable(candidate.selfPromiseToken)) {
                candidate.selfPromiseDurable = true;
                maybeWin(nowMs, candidate);
            }
            if (state instanceof LeaderState leader) leader.onSynced(acceptor.syncedToken());
            afterInput(nowMs);
        } finally {
            exit();
        }
    }

    /**
     * Proposes the value {@code valueForSlot} makes for the slot this leader assigns it. The
     * value is sent at the next {@link #flush}, tick, or once a batch is full.
     */
    public ProposeResult propose(long nowMs, LongFunction<byte[]> valueForSlot) {
        enter();
        try {
            requireStarted();
            ProposeResult.NotLeader refused = refusal();
            if (refused != null) return refused;
            LeaderState leader = (LeaderState) state;
            long slot = leader.nextSlot();
            byte[] value = Objects.requireNonNull(valueForSlot.apply(slot), "value");
            leader.append(value, null);
            if (leader.unflushedEntries() >= config.maxBatchEntries() || leader.unflushedBytes() >= config.maxBatchBytes()) {
                leader.flush(nowMs);
            }
            return new ProposeResult.Proposed(slot);
        } finally {
            exit();
        }
    }

    /**
     * Why this member takes no proposal now, naming whom to ask instead, or null when it takes
     * them: it does not lead, it hands over to the voters of a configuration without it, or it
     * hands leadership over to one member.
     */
    private ProposeResult.NotLeader refusal() {
        if (!(state instanceof LeaderState leader)) return new ProposeResult.NotLeader(leaderHint);
        if (leader.retiring()) return new ProposeResult.NotLeader(NO_LEADER);
        if (leader.transferTarget() != NO_LEADER) return new ProposeResult.NotLeader(leader.transferTarget());
        return null;
    }

    /**
     * Proposes {@code next} as the group's configuration, in force from the slot after the one it
     * is given (sent at once). Refused while another change is not yet chosen, and when a voter it
     * adds is not a learner of the current configuration that holds every slot chosen so far: a
     * member votes only once it holds what its votes promise. Throws
     * {@link IllegalArgumentException} when {@code next} is not the next version.
     */
    public ProposeResult proposeConfiguration(long nowMs, Configuration next) {
        enter();
        try {
            requireStarted();
            ProposeResult.NotLeader refused = refusal();
            if (refused != null) return refused;
            LeaderState leader = (LeaderState) state;
            Configuration current = leader.lastConfiguration();
            if (leader.configurationPending()) {
                return new ProposeResult.Refused("configuration " + current + " is not chosen yet");
            }
            if (next.version() != current.version() + 1) {
                throw new IllegalArgumentException("configuration " + next + " does not follow " + current);
            }
            for (int voter : next.voters()) {
                if (current.isVoter(voter)) continue;
                if (!current.isLearner(voter)) {
                    return new ProposeResult.Refused("member " + voter + " must first be a learner of " + current);
                }
                if (leader.matchSlot(voter) < leader.chosenUpTo()) {
                    return new ProposeResult.Refused("learner " + voter + " holds slots through " + leader.matchSlot(voter)
                            + ", not yet every chosen one (through " + leader.chosenUpTo() + ")");
                }
            }
            long slot = leader.nextSlot();
            leader.append(Objects.requireNonNull(values.configuration(slot, leader.ballot(), next), "value"), next);
            leader.flush(nowMs);
            return new ProposeResult.Proposed(slot);
        } finally {
            exit();
        }
    }

    /**
     * Hands leadership over to {@code target}, a voter of the current configuration: this leader
     * takes no new proposal, and once every slot it proposed is chosen and {@code target} holds
     * them all, it steps down, gives up its lease (it claims none from then on, and its acceptors
     * end the one they granted it) and tells {@code target} to campaign at once, so that nothing
     * chosen is lost and no two leases overlap. Given up after an election timeout. Returns why
     * not, or null when the hand-over is under way (or done).
     */
    public String transferLeadership(long nowMs, int target) {
        enter();
        try {
            requireStarted();
            if (!(state instanceof LeaderState leader)) return "member " + selfId + " does not lead";
            if (target == selfId) return "member " + selfId + " leads already";
            if (leader.retiring()) return "member " + selfId + " is handing over to the voters of " + leader.retiringFor();
            if (leader.configurationPending()) return "configuration " + leader.lastConfiguration() + " is not chosen yet";
            if (!leader.lastConfiguration().isVoter(target)) return "member " + target + " is no voter of " + leader.lastConfiguration();
            leader.startTransfer(target, nowMs + config.electionTimeoutMs());
            leader.flush(nowMs);
            afterInput(nowMs);
            return null;
        } finally {
            exit();
        }
    }

    /** Sends what was proposed since the last flush; call after a burst of {@link #propose} calls. */
    public void flush(long nowMs) {
        enter();
        try {
            requireStarted();
            if (state instanceof LeaderState leader) leader.flush(nowMs);
        } finally {
            exit();
        }
    }

    /**
     * The WAL (Kafka) acknowledged every slot through {@code slot}. Only slots this member
     * delivered may be reported; the leader tells the followers with its next Accept.
     */
    public void onArchived(long nowMs, long slot) {
        enter();
        try {
            requireStarted();
            if (slot <= acceptor.archivedSlot()) return;
            if (slot > deliveredUpTo) {
                throw new IllegalArgumentException("member " + selfId + ": slot " + slot
                        + " reported archived, but only slots through " + deliveredUpTo + " were chosen here");
            }
            // A leader knows what was chosen in its window (its own acceptor accepted each value);
            // another member cannot tell a chosen value from a stale one it holds, so it claims no
            // more than it already knew (an origin too high could hide a chosen value, too low
            // only gives up a check).
            Ballot maxOrigin = state instanceof LeaderState ? maxOriginThrough(slot) : acceptor.archivedMaxOrigin();
            archiveThrough(slot, maxOrigin, configurations.at(slot + 1));
            if (state instanceof LeaderState leader) leader.onArchived(slot, maxOrigin);
            afterInput(nowMs);
        } finally {
            exit();
        }
    }

    /**
     * A leader that cannot make progress (its recovery did not finish in time) gives up: it
     * becomes a follower and leaves the next election to the others, campaigning itself only
     * after two election timeouts. Its grants to itself end; those it holds from the others run
     * out within a lease. Does nothing when it does not lead.
     */
    public void resign(long nowMs) {
        enter();
        try {
            requireStarted();
            if (state.role() != Role.LEADER) return;
            becomeFollower(nowMs);
            ((FollowerState) state).electionDeadlineMs = nowMs + 2 * config.electionTimeoutMs();
        } finally {
            exit();
        }
    }

    // ==== queries =============================================================================

    public int selfId() {
        return selfId;
    }

    public Role role() {
        return state.role();
    }

    /**
     * The latest configuration this member knows to be chosen (or archived); a leader may have
     * proposed a later one ({@link #leaderConfiguration()}).
     */
    public Configuration configuration() {
        return configurations.latest();
    }

    /** The configuration a leader acts on after its last proposed slot (perhaps not yet chosen); null when it does not lead. */
    public Configuration leaderConfiguration() {
        return state instanceof LeaderState leader ? leader.lastConfiguration() : null;
    }

    /**
     * At a leader, when (by this member's clock) the latest Accept that member {@code id}
     * acknowledged was sent; {@link Long#MIN_VALUE} when it acknowledged none, or this member does
     * not lead.
     */
    public long followerAckSentAtMs(int id) {
        return state instanceof LeaderState leader ? leader.ackSentAtMs(id) : Long.MIN_VALUE;
    }

    /**
     * At a leader, since when member {@code id} has acknowledged without a gap of an election
     * timeout; {@link Long#MIN_VALUE} when never, or this member does not lead.
     */
    public long followerAckStreakSinceMs(int id) {
        return state instanceof LeaderState leader ? leader.ackStreakSinceMs(id) : Long.MIN_VALUE;
    }

    /** The slot through which a leader knows member {@code id} holds everything, or -1 (not leading, or not a follower). */
    public long followerMatchSlot(int id) {
        return state instanceof LeaderState leader ? leader.matchSlot(id) : -1;
    }

    /** The highest ballot this member promised (its own while it campaigns or leads). */
    public Ballot ballot() {
        return acceptor.promised();
    }

    /** The member believed to lead (itself when leading), or {@link #NO_LEADER}. */
    public int leaderHint() {
        return state instanceof LeaderState ? selfId : leaderHint;
    }

    /** True when this member leads and holds a live lease: no other member can lead until it ends. */
    public boolean hasLease(long nowMs) {
        return state instanceof LeaderState leader && nowMs < leader.leaseExpiresAtMs();
    }

    /** When the lease ends by this member's clock, or {@link Long#MIN_VALUE} when it does not lead. */
    public long leaseExpiresAtMs() {
        return state instanceof LeaderState leader ? leader.leaseExpiresAtMs() : Long.MIN_VALUE;
    }

    /** True once this leader's recovered slots are all chosen under its ballot ({@link PaxosListener#onLeaderReady}). */
    public boolean isLeaderReady() {
        return state instanceof LeaderState leader && leader.ready();
    }

    /** Every slot through this one was delivered to {@link PaxosListener#onChosen} (or skipped as archived). */
    public long chosenUpTo() {
        return deliveredUpTo;
    }

    /** The WAL holds every slot through this one, as far as this member knows. */
    public long archivedSlot() {
        return acceptor.archivedSlot();
    }

    @Override
    public String toString() {
        return "PaxosMember[" + selfId + " " + state.role() + " ballot=" + acceptor.promised()
                + " chosenUpTo=" + deliveredUpTo + " archived=" + acceptor.archivedSlot() + "]";
    }

    // ==== acceptor ============================================================================

    private void onPrepare(long nowMs, int from, PaxosMessage.Prepare prepare) {
        Ballot b = prepare.ballot();
        observe(b);
        Ballot promised = acceptor.promised();
        if (b.compareTo(promised) < 0 || (b.isAbove(promised) && acceptor.leaseBlocks(b, nowMs))) {
            outbox.send(from, new PaxosMessage.Reject(b, promised, rejectHint(nowMs)));
            return;
        }
        if (b.isAbove(promised)) {
            acceptor.promise(b);
            leaderHint = NO_LEADER;
            if (state.role() != Role.FOLLOWER) becomeFollower(nowMs);
        }
        if (state instanceof FollowerState follower) follower.electionDeadlineMs = electionDeadline(nowMs);
        acceptor.replyWhenDurable(from, acceptor.promisePage(b, prepare.fromSlot(), config.maxBatchBytes()), outbox);
    }

    /**
     * A pre-vote changes nothing here. It is granted only when this member would promise the
     * ballot and has no reason to think a leader is alive: it heard from none for an election
     * timeout, granted no live lease, and does not lead itself.
     */
    private void onPreVote(long nowMs, int from, PaxosMessage.PreVote preVote) {
        Ballot b = preVote.ballot();
        boolean granted = b.isAbove(acceptor.promised())
                && state.role() != Role.LEADER
                && !acceptor.leaseBlocks(b, nowMs)
                && nowMs - lastLeaderContactMs >= config.electionTimeoutMs();
        outbox.send(from, new PaxosMessage.PreVoteReply(b, granted, acceptor.promised(), granted ? NO_LEADER : rejectHint(nowMs)));
    }

    private void onAccept(long nowMs, int from, PaxosMessage.Accept accept) {
        Ballot b = accept.ballot();
        observe(b);
        Ballot promised = acceptor.promised();
        if (b.compareTo(promised) < 0) {
            outbox.send(from, new PaxosMessage.Reject(b, promised, rejectHint(nowMs)));
            return;
        }
        acceptor.promise(b);
        leaderHint = b.nodeId();
        // b is at or above this member's own ballot and is not its own: whoever campaigns or leads here steps down.
        if (state.role() != Role.FOLLOWER) becomeFollower(nowMs);
        ((FollowerState) state).electionDeadlineMs = electionDeadline(nowMs);
        acceptor.grantLease(b, nowMs);
        lastLeaderContactMs = nowMs;
        // Deliver what it already holds before truncating: slots it accepted under b and that are
        // now known chosen need not be skipped just because the WAL holds them too.
        learn(b, accept.chosenUpTo());
        deliver();
        if (accept.archivedSlot() > acceptor.archivedSlot()) {
            Configuration archivedConfiguration = accept.archivedConfiguration() != null
                    ? accept.archivedConfiguration() : firstConfiguration;
            archiveThrough(accept.archivedSlot(), accept.archivedMaxOrigin(), archivedConfiguration);
            skipDeliveryThrough(accept.archivedSlot());
        }
        long[] slots = new long[accept.entries().size()];
        int n = 0;
        for (SlotValue e : accept.entries()) {
            if (acceptor.accept(e.slot(), b, e.value())) slots[n++] = e.slot();
        }
        Arrays.sort(slots, 0, n);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct == 0 || slots[i] != slots[distinct - 1]) slots[distinct++] = slots[i];
        }
        long contiguous = acceptor.contiguousSlot(b);
        deliver();
        acceptor.replyWhenDurable(from, new PaxosMessage.Accepted(b, accept.sentAtMs(),
                SlotRange.compress(slots, distinct), contiguous), outbox);
    }

    private int rejectHint(long nowMs) {
        int holder = acceptor.leaseHolder(nowMs);
        return holder != NO_LEADER ? holder : leaderHint();
    }

    // ==== candidate ===========================================================================

    private void onPromise(long nowMs, int from, PaxosMessage.Promise promise) {
        if (state instanceof CandidateState candidate && promise.ballot().equals(candidate.ballot())) {
            if (candidate.addPage(from, promise)) {
                maybeWin(nowMs, candidate);
            } else {
                long next = candidate.askFrom(from);
                if (next >= 0) outbox.send(from, new PaxosMessage.Prepare(candidate.ballot(), next));
            }
        }
    }

    // ==== prospective =========================================================================

    /**
     * Asks for pre-votes, if this member may campaign: it votes in the configuration it knows is
     * chosen, or in the next one, named by a value it accepted above its delivered slots (a
     * configuration that may be chosen without its being told: without this, a group whose only
     * voters of the new configuration hold it unconfirmed would wait forever); or it has heard
     * from no leader for {@link #NON_VOTER_PATIENCE} election timeouts, so that it can lead only
     * to tell the voters what was chosen and hand over (a voter that was never told it votes
     * would otherwise wait for a leader that no one can become). Otherwise it stays (or becomes)
     * a follower, with a new deadline.
     */
    private void startProspective(long nowMs) {
        Configuration pending = pendingConfiguration();
        boolean votes = configuration().isVoter(selfId) || (pending != null && pending.isVoter(selfId));
        long lastLeaderMs = Math.max(lastLeaderContactMs, steppedDownAtMs);
        if (!votes && nowMs - lastLeaderMs < NON_VOTER_PATIENCE * config.electionTimeoutMs()) {
            if (state.role() != Role.FOLLOWER) becomeFollower(nowMs);
            ((FollowerState) state).electionDeadlineMs = electionDeadline(nowMs);
            return;
        }
        Ballot promised = acceptor.promised();
        RoleState.checkTransition(state, Role.PROSPECTIVE, promised);
        ProspectiveState prospective = new ProspectiveState(promised, new Ballot(maxRoundSeen + 1, selfId), selfId, pending,
                electionDeadline(nowMs), nowMs + config.heartbeatIntervalMs());
        state = prospective;
        leaderHint = NO_LEADER;
        listener.onRoleChanged(Role.PROSPECTIVE, promised);
        sendPreVotes(prospective);
        maybeCampaign(nowMs, prospective);
    }

    /**
     * The configuration after the known one, named by a value this member accepted above its
     * delivered slots and not known to be chosen, or null when it holds none.
     */
    private Configuration pendingConfiguration() {
        Configuration c = configuration();
        for (AcceptedEntry e : acceptor.entriesFrom(deliveredUpTo + 1)) {
            Configuration next = Recovery.next(values, c, e.value());
            if (next != null) c = next;
        }
        return c == configuration() ? null : c;
    }

    private void sendPreVotes(ProspectiveState prospective) {
        PaxosMessage.PreVote preVote = new PaxosMessage.PreVote(prospective.proposedBallot);
        Set<Integer> voters = new TreeSet<>(configuration().voters());
        if (prospective.pending != null) voters.addAll(prospective.pending.voters());
        for (int voter : voters) {
            if (!prospective.answered.contains(voter)) outbox.send(voter, preVote);
        }
    }

    private void onPreVoteReply(long nowMs, int from, PaxosMessage.PreVoteReply reply) {
        observe(reply.promisedBallot());
        if (!(state instanceof ProspectiveState prospective) || !reply.ballot().equals(prospective.proposedBallot)) return;
        prospective.answered.add(from);
        if (reply.granted()) {
            prospective.granted.add(from);
            maybeCampaign(nowMs, prospective);
        } else if (reply.leaderHint() != NO_LEADER && reply.leaderHint() != selfId) {
            leaderHint = reply.leaderHint();
        }
    }

    private void maybeCampaign(long nowMs, ProspectiveState prospective) {
        if (state == prospective && configuration().isQuorum(prospective.granted)
                && (prospective.pending == null || prospective.pending.isQuorum(prospective.granted))) {
            startCandidacy(nowMs);
        }
    }

    private void onReject(long nowMs, PaxosMessage.Reject reject) {
        observe(reject.promisedBallot());
        boolean mine = (state.role() == Role.CANDIDATE || state.role() == Role.LEADER)
                && reject.ballot().equals(state.ballot());
        if (mine && reject.promisedBallot().isAbove(state.ballot())) {
            becomeFollower(nowMs);
        }
        if (state.role() != Role.LEADER && reject.leaderHint() != NO_LEADER && reject.leaderHint() != selfId) {
            leaderHint = reject.leaderHint();
        }
    }

    private void startCandidacy(long nowMs) {
        Ballot b = new Ballot(maxRoundSeen + 1, selfId);
        RoleState.checkTransition(state, Role.CANDIDATE, b);
        ProspectiveState prospective = (ProspectiveState) state;
        maxRoundSeen = b.round();
        acceptor.promise(b);
        long token = acceptor.durabilityToken();
        CandidateState candidate = new CandidateState(b, acceptor.archivedSlot() + 1, token, electionDeadline(nowMs),
                nowMs + config.heartbeatIntervalMs());
        candidate.asked.addAll(configuration().voters());
        if (prospective.pending != null) candidate.asked.addAll(prospective.pending.voters());
        candidate.asked.remove(selfId);
        state = candidate;
        leaderHint = NO_LEADER;
        listener.onRoleChanged(Role.CANDIDATE, b);
        sendPrepares(candidate);
        if (acceptor.isDurable(token)) {
            candidate.selfPromiseDurable = true;
            maybeWin(nowMs, candidate);
        }
    }

    private void sendPrepares(CandidateState candidate) {
        for (int id : candidate.asked) {
            long from = candidate.askFrom(id);
            if (from >= 0) outbox.send(id, new PaxosMessage.Prepare(candidate.ballot(), from));
        }
    }

    /**
     * Wins with promises from a majority of every configuration in force over the slots it
     * recovers ({@link Recovery}); asks the voters of each configuration as recovery finds it. It
     * leads even when recovery shows it is no voter after the recovered slots: proposing them
     * again gets that configuration chosen and its voters told, and then it hands over
     * ({@link #afterInput}).
     */
    private void maybeWin(long nowMs, CandidateState candidate) {
        Recovery recovery = Recovery.of(acceptor, candidate, firstConfiguration, values);
        for (Recovery.Configured c : recovery.configurations) {
            for (int voter : c.configuration().voters()) {
                if (voter == selfId || !candidate.asked.add(voter)) continue;
                long from = candidate.askFrom(voter);
                if (from >= 0) outbox.send(voter, new PaxosMessage.Prepare(candidate.ballot(), from));
            }
        }
        if (!recovery.heardFromQuorums(candidate.promised(selfId))) return;
        becomeLeader(nowMs, candidate, recovery);
    }

    /**
     * Phase 1 is won: for every slot from above the highest archived slot any promise reported to
     * the highest slot any reported, the value accepted under the highest ballot (a noop where
     * none was), all re-proposed under this ballot. This member's own votes are included: it
     * promised this ballot, so they are final for lower ballots.
     */
    private void becomeLeader(long nowMs, CandidateState candidate, Recovery recovery) {
        Ballot b = candidate.ballot();
        long archived = recovery.archivedSlot;
        long highest = archived + recovery.best.length;
        RoleState.checkTransition(state, Role.LEADER, b);
        LeaderState leader = new LeaderState(b, archived, recovery.archivedMaxOrigin, highest, recovery.configurations, selfId,
                config, acceptor, outbox, nowMs);
        state = leader;

        // Side effects of becoming leader.
        leaderHint = selfId;
        archiveThrough(archived, recovery.archivedMaxOrigin, recovery.archivedConfiguration);
        skipDeliveryThrough(archived);
        for (int i = 0; i < recovery.best.length; i++) {
            long slot = archived + 1 + i;
            AcceptedEntry best = recovery.best[i];
            leader.append(best != null ? best.value() : values.noop(slot, b), null);
        }
        learn(b, leader.chosenUpTo());
        listener.onRoleChanged(Role.LEADER, b);
        leader.heartbeat(nowMs);
    }

    // ==== transitions =========================================================================

    private void becomeFollower(long nowMs) {
        Ballot promised = acceptor.promised();
        RoleState.checkTransition(state, Role.FOLLOWER, promised);
        boolean wasLeader = state.role() == Role.LEADER;
        state = new FollowerState(promised, electionDeadline(nowMs));
        if (wasLeader) steppedDownAtMs = nowMs;
        if (wasLeader && leaderHint == selfId) leaderHint = NO_LEADER;
        listener.onRoleChanged(Role.FOLLOWER, promised);
    }

    // ==== learner =============================================================================

    /**
     * After each input: the leader counts acceptances; chosen slots are delivered. A leader that
     * learned a chosen configuration in which it does not vote hands over: it tells the followers
     * at once, and steps down once a voter of that configuration acknowledged an Accept sent
     * after it knew (so that voter knows too, and will campaign); until then it leads only to
     * finish what it recovered and to tell them: it takes no new proposal and never becomes ready.
     */
    private void afterInput(long nowMs) {
        if (state instanceof LeaderState leader) {
            leader.advanceChosen();
            learn(leader.ballot(), leader.chosenUpTo());
            deliver();
            if (!configuration().isVoter(selfId)) {
                if (!configuration().equals(leader.retiringFor())) {
                    leader.retire(nowMs, configuration());
                    leader.heartbeat(nowMs);
                } else if (leader.successorKnows()) {
                    becomeFollower(nowMs);
                    return;
                }
            } else if (leader.retiring()) {
                // It led without a vote (to hand over) and learned a chosen configuration in which it votes.
                leader.retire(nowMs, null);
            }
            if (leader.transferTarget() != NO_LEADER) {
                if (nowMs >= leader.transferDeadlineMs()) {
                    leader.cancelTransfer();
                } else if (leader.transferTargetCaughtUp()) {
                    handOver(nowMs, leader);
                    return;
                }
            }
            if (!leader.ready() && !leader.retiring() && leader.chosenUpTo() >= leader.recoveredUpToSlot()) {
                leader.markReady();
                listener.onLeaderReady(leader.ballot());
            }
        }
    }

    /** Steps down first (claiming no lease from then on), then ends its own grant and tells everyone. */
    private void handOver(long nowMs, LeaderState leader) {
        Ballot b = leader.ballot();
        int target = leader.transferTarget();
        List<Integer> followers = leader.followers();
        becomeFollower(nowMs);
        leaderHint = target;
        acceptor.endLease(b, nowMs);
        PaxosMessage.Relinquish relinquish = new PaxosMessage.Relinquish(b, target);
        for (int id : followers) outbox.send(id, relinquish);
    }

    /**
     * The leader of the Relinquish's ballot gave its lease up: this acceptor's grant to it ends.
     * Named its successor, a voter campaigns at once (no pre-vote: the leader handed over).
     */
    private void onRelinquish(long nowMs, int from, PaxosMessage.Relinquish relinquish) {
        if (from != relinquish.ballot().nodeId()) return; // only a ballot's own leader gives its lease up
        acceptor.endLease(relinquish.ballot(), nowMs);
        if (leaderHint == from) leaderHint = relinquish.successor() == selfId ? NO_LEADER : relinquish.successor();
        if (relinquish.successor() != selfId || !configuration().isVoter(selfId)) return;
        if (relinquish.ballot().compareTo(acceptor.promised()) < 0 || state.role() == Role.LEADER || state.role() == Role.CANDIDATE) {
            return;
        }
        if (state.role() == Role.FOLLOWER) startProspective(nowMs);
        if (state instanceof ProspectiveState) startCandidacy(nowMs);
    }

    private void learn(Ballot ballot, long chosenUpTo) {
        if (!ballot.equals(learnedBallot)) {
            learnedBallot = ballot;
            learnedChosenUpTo = chosenUpTo;
        } else if (chosenUpTo > learnedChosenUpTo) {
            learnedChosenUpTo = chosenUpTo;
        }
    }

    private void deliver() {
        while (deliveredUpTo < learnedChosenUpTo) {
            AcceptedEntry e = acceptor.entry(deliveredUpTo + 1);
            if (e == null || !e.acceptedBallot().equals(learnedBallot)) return;
            deliveredUpTo++;
            Configuration next = Recovery.next(values, configuration(), e.value());
            listener.onChosen(deliveredUpTo, e.value());
            if (next != null) {
                configurations.delivered(deliveredUpTo, next);
                listener.onConfigurationChosen(deliveredUpTo + 1, next);
            }
        }
    }

    /**
     * Drops the slots through {@code slot} (the WAL holds them), after which {@code configuration}
     * is in force; the configurations known for later slots stay.
     */
    private void archiveThrough(long slot, Ballot maxOrigin, Configuration configuration) {
        if (slot <= acceptor.archivedSlot()) return;
        acceptor.truncateThrough(slot, maxOrigin, configuration);
        if (configurations.archived(slot, configuration)) listener.onConfigurationChosen(slot + 1, configuration());
    }

    /** The highest origin among the values chosen through {@code slot} (this member holds those above its archived slot). */
    private Ballot maxOriginThrough(long slot) {
        Ballot max = acceptor.archivedMaxOrigin();
        for (long s = acceptor.archivedSlot() + 1; s <= slot; s++) {
            AcceptedEntry e = acceptor.entry(s);
            Ballot origin = e == null ? null : values.originOf(e.value());
            if (origin != null && origin.isAbove(max)) max = origin;
        }
        return max;
    }

    private void skipDeliveryThrough(long archivedSlot) {
        if (archivedSlot <= deliveredUpTo) return;
        deliveredUpTo = archivedSlot;
        listener.onDeliverySkipped(archivedSlot);
    }

    // ==== helpers =============================================================================

    private void observe(Ballot ballot) {
        if (ballot.round() > maxRoundSeen) maxRoundSeen = ballot.round();
    }

    private long electionDeadline(long nowMs) {
        long timeout = config.electionTimeoutMs();
        return nowMs + timeout + random.nextInt((int) timeout);
    }

    private void requireStarted() {
        if (state.role() == Role.UNSTARTED) throw new IllegalStateException("member " + selfId + " is not started");
    }

    private void enter() {
        if (busy) {
            throw new IllegalStateException("member " + selfId + " (" + state.role() + ", ballot " + acceptor.promised()
                    + ") called re-entrantly from its listener");
        }
        busy = true;
    }

    private void exit() {
        busy = false;
    }
}
