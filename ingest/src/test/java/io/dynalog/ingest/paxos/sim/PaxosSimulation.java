package io.dynalog.ingest.paxos.sim;

import io.dynalog.ingest.paxos.AcceptorStore;
import io.dynalog.ingest.paxos.InMemoryAcceptorStore;
import io.dynalog.ingest.paxos.PaxosConfig;
import io.dynalog.ingest.paxos.PaxosListener;
import io.dynalog.ingest.paxos.PaxosMember;
import io.dynalog.ingest.paxos.PaxosMessage;
import io.dynalog.ingest.paxos.ProposeResult;
import io.dynalog.ingest.paxos.Role;
import io.dynalog.ingest.paxos.Values;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;

/**
 * One seeded, deterministic run of a replica group of {@code groupSize} {@link PaxosMember}s:
 * a discrete-event loop over true time (ms) with a clock per member drifting within the
 * profile's bound (half of them at an edge of it), a network that drops, delays (some messages
 * seconds late), duplicates, reorders and partitions (some links one way), stores whose syncs
 * complete late and whose unsynced writes a crash loses (all, or all but a prefix), crashes and
 * restarts (a restart is a new member on the store's durable state), process stalls, a shared
 * WAL that the leader appends its chosen slots to in order (landing and acknowledged late, a
 * crash losing what has not landed, {@code onArchived} on acknowledgement; a new leader
 * re-appends what it delivered above its archived slot), and clients proposing unique values,
 * in bursts, through whoever leads. With membership changes on, the group has spare machines
 * (members of no configuration at first) and an operator that keeps asking the leader to change
 * the configuration (add a learner, make a learner a voter, remove a voter or a learner, the
 * leader included), interleaved with every fault above.
 *
 * <p>Checked after every event (a failure throws {@link AssertionError} naming the seed, profile,
 * group size and event number, with the last events):
 * <ol>
 *   <li>at most one value is ever chosen per slot: chosen = a majority of the voters of the
 *       slot's configuration durably accepted (slot, ballot) with one value (and one ballot never
 *       has two values for a slot), where the ballot's leader counts the slot with that same
 *       configuration. The slot's configuration is the one the chosen values below it name; the
 *       leader's is the one in force after the chosen slots below its first proposal, changed by
 *       the configuration values it proposed below the slot. A ballot whose configuration differs
 *       proposed a configuration value below the slot that was never chosen, so its leader never
 *       counted the slot (it counts in slot order): its votes there are stale, and may be a
 *       majority of some configuration only by chance. Where a leader's own count goes wrong, its
 *       configuration still agrees up to the first slot it counts wrongly, and is caught there.</li>
 *   <li>leases never overlap: for every ballot whose leader believed it held a lease, the true-time
 *       interval from the first such observation to the lease's end (its clock inverted; or the
 *       moment it handed over, when it did: it claims none after its Relinquish) overlaps no other
 *       ballot's; so at most one member believes it leads with a lease at any instant;</li>
 *   <li>every member delivers slots in order without gaps, every delivered value is chosen, and
 *       all members deliver the same value for a slot (their sequences are prefixes of one another);</li>
 *   <li>the WAL never holds two values for one slot nor a gap, and holds only chosen values;</li>
 *   <li>every configuration a member reports in force from a slot is the one chosen for it;</li>
 * </ol>
 * and after the fault phase (faults stop, the network heals, crashed members restart, the run
 * continues to quiescence): (5) within 60 s a final proposal is chosen, appended and learned by
 * every member of the last configuration, and every value a client saw acknowledged, under
 * whichever configuration, (the leader's onChosen delivered its
 * slot with its value) is in the WAL at its slot. Also: at most one member ever leads a ballot, a
 * member skips delivery only of slots the WAL holds, and a run is a function of its seed.
 */
public final class PaxosSimulation {

    /** Events in the fault phase of a normal run. */
    public static final int DEFAULT_FAULT_EVENTS = 4_000;
    /** True time the group gets after the faults stop to choose and archive a final value. */
    private static final long STABILIZE_LIMIT_MS = 60_000;
    private static final int RECENT_EVENTS_KEPT = 40;

    /**
     * @param leadersWhileFlapping ballots led since a leader's link first flapped (the
     *     {@link FaultProfile#flapLeaderLink} profile; 0 otherwise)
     * @param configurationVersion the version of the configuration chosen last (0: never changed)
     */
    public record Result(long events, long simulatedMs, long stabilizeMs, int ballotsLed, int acknowledged, long walHighSlot,
                         int leadersWhileFlapping, long configurationVersion) {}

    private record Event(long atMs, long seq, String label, Runnable action) {}

    private record SlotBallot(long slot, Ballot ballot) {}

    private static final class Votes {
        final Ballot ballot;
        final byte[] value;
        /** Node ids that durably accepted the value under the ballot. */
        final List<Integer> voters = new ArrayList<>();

        Votes(Ballot ballot, byte[] value) {
            this.ballot = ballot;
            this.value = value;
        }
    }

    /** Machines beyond the group's first members when membership changes: they join and leave as the operator decides. */
    private static final int SPARE_MACHINES = 2;
    /** How often the operator asks the leader for a configuration change, when membership changes. */
    private static final long MEAN_MS_BETWEEN_MEMBERSHIP_CHANGES = 80;

    private final long seed;
    private final int groupSize;
    private final boolean changesMembership;
    private final FaultProfile profile;
    private final int faultEvents;
    private final Random random;
    private final PaxosConfig config;
    private final Configuration firstConfiguration;
    private final SimNode[] nodes;
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) ->
            a.atMs != b.atMs ? Long.compare(a.atMs, b.atMs) : Long.compare(a.seq, b.seq));
    private long nowMs;
    private long seq;
    private long eventNumber;
    private final ArrayDeque<String> recentEvents = new ArrayDeque<>();
    private boolean faultsOn = true;
    private long stabilizeStartMs;
    /** cut[from][to]: messages from -> to are lost. */
    private final boolean[][] cut;
    private int clientSeq;
    private int configurationsProposed;

    // ---- what the checks remember ----
    private final Map<SlotBallot, Votes> votes = new HashMap<>();
    private final Map<Long, List<Votes>> votesBySlot = new HashMap<>();
    private final Map<Long, byte[]> chosen = new HashMap<>();
    /** Every slot through this one is chosen; chosen values above it are unknown until it moves. */
    private long chosenThrough;
    /** The configurations the chosen values put in force, by the first slot each governs. */
    private final TreeMap<Long, Configuration> chosenConfigurations = new TreeMap<>();
    /** By ballot: the first slot its leader proposed, and the configuration values it proposed by slot. */
    private final Map<Ballot, BallotProposals> proposalsByBallot = new HashMap<>();

    private static final class BallotProposals {
        final long firstSlot;
        final TreeMap<Long, Configuration> configurations = new TreeMap<>();

        BallotProposals(long firstSlot) {
            this.firstSlot = firstSlot;
        }
    }
    private final Map<Long, byte[]> deliveredBySlot = new HashMap<>();
    private final Map<Long, byte[]> walBySlot = new HashMap<>();
    private long walHighSlot;
    private long walRecords;
    private final Map<Ballot, long[]> leaseIntervals = new HashMap<>();
    /** When the leader of a ballot handed over (it claims no lease from then on), true ms. */
    private final Map<Ballot, Long> relinquishedAt = new HashMap<>();
    private final Map<Ballot, String> leaderOfBallot = new HashMap<>();
    /** How many ballots had been led when a leader's link first flapped; -1 before. */
    private int ballotsLedBeforeFlapping = -1;
    private final TreeMap<Long, byte[]> acknowledged = new TreeMap<>();
    private byte[] finalValue;
    private long finalSlot = -1;
    private boolean finalAcknowledged;

    private PaxosSimulation(long seed, int groupSize, FaultProfile profile, int faultEvents, boolean changesMembership) {
        this.seed = seed;
        this.groupSize = groupSize;
        this.changesMembership = changesMembership;
        this.profile = profile;
        this.faultEvents = faultEvents;
        this.random = new Random(seed);
        this.config = new PaxosConfig(150, profile.heartbeatIntervalMs(), 100, profile.clockDriftPpm(), 8);
        int machines = changesMembership ? groupSize + SPARE_MACHINES : groupSize;
        this.nodes = new SimNode[machines];
        this.cut = new boolean[machines][machines];
        List<Integer> firstVoters = new ArrayList<>();
        for (int i = 0; i < groupSize; i++) firstVoters.add(i + 1);
        this.firstConfiguration = Configuration.initial(firstVoters);
        chosenConfigurations.put(1L, firstConfiguration);
        for (int i = 0; i < machines; i++) {
            // Half the clocks sit at an edge of the allowed drift, where lease arithmetic is tightest.
            double drift = profile.clockDriftPpm() / 1e6;
            double position = random.nextBoolean() ? (random.nextBoolean() ? 0.5 : -0.5) : random.nextDouble() - 0.5;
            double rate = 1 + position * drift;
            nodes[i] = new SimNode(i, new SimClock(random.nextInt(1_000_000), rate));
        }
    }

    /** Runs one seed with the default number of fault events; throws {@link AssertionError} on a violation. */
    public static Result run(long seed, int groupSize, FaultProfile profile) {
        return run(seed, groupSize, profile, DEFAULT_FAULT_EVENTS);
    }

    public static Result run(long seed, int groupSize, FaultProfile profile, int faultEvents) {
        return new PaxosSimulation(seed, groupSize, profile, faultEvents, false).execute();
    }

    /** A run whose group also changes its membership throughout the fault phase. */
    public static Result runChangingMembership(long seed, int groupSize, FaultProfile profile) {
        return new PaxosSimulation(seed, groupSize, profile, DEFAULT_FAULT_EVENTS, true).execute();
    }

    // ==== the loop ============================================================================

    private Result execute() {
        for (SimNode n : nodes) {
            n.restart();
            schedule(random.nextInt((int) profile.tickIntervalMs()), "tick " + n.id(), () -> tick(n));
        }
        schedule(random.nextInt(20), "client", this::client);
        if (profile.meanMsBetweenPartitions() > 0) schedule(exp(profile.meanMsBetweenPartitions()), "partition", this::partition);
        if (profile.meanMsBetweenCrashes() > 0) schedule(exp(profile.meanMsBetweenCrashes()), "crash", this::crashSomeone);
        if (profile.meanMsBetweenPauses() > 0) schedule(exp(profile.meanMsBetweenPauses()), "pause", this::pauseSomeone);
        if (profile.flapLeaderLink()) schedule(1, "flap", this::flapLeaderLink);
        if (changesMembership) schedule(exp(MEAN_MS_BETWEEN_MEMBERSHIP_CHANGES), "membership", this::changeMembership);
        while (true) {
            Event e = queue.poll();
            if (e == null) throw violation("the event queue ran dry");
            nowMs = e.atMs();
            eventNumber++;
            recentEvents.addLast("#" + eventNumber + " t=" + nowMs + " " + e.label());
            if (recentEvents.size() > RECENT_EVENTS_KEPT) recentEvents.pollFirst();
            try {
                e.action().run();
                checkLeases();
            } catch (SimulationViolation v) {
                throw v;
            } catch (RuntimeException | AssertionError ex) {
                throw violation("event threw " + ex, ex);
            }
            if (faultsOn && eventNumber >= faultEvents) stabilize();
            if (!faultsOn) {
                if (finalAcknowledged && walHighSlot >= finalSlot && allMembersLearned(finalSlot)) break;
                if (nowMs - stabilizeStartMs > STABILIZE_LIMIT_MS) {
                    throw violation("no progress " + STABILIZE_LIMIT_MS + " ms after the faults stopped: final value "
                            + (finalAcknowledged ? "chosen at slot " + finalSlot : "not chosen") + ", WAL high slot "
                            + walHighSlot);
                }
            }
        }
        checkAcknowledgedInWal();
        int leadersWhileFlapping = ballotsLedBeforeFlapping < 0 ? 0 : leaderOfBallot.size() - ballotsLedBeforeFlapping;
        return new Result(eventNumber, nowMs, nowMs - stabilizeStartMs, leaderOfBallot.size(), acknowledged.size(), walHighSlot,
                leadersWhileFlapping, chosenConfigurations.lastEntry().getValue().version());
    }

    /** Every member of the configuration chosen last learned {@code slot}. */
    private boolean allMembersLearned(long slot) {
        for (int id : chosenConfigurations.lastEntry().getValue().members()) {
            SimNode n = nodes[id - 1];
            if (n.member == null || n.member.chosenUpTo() < slot) return false;
        }
        return true;
    }

    private void schedule(long delayMs, String label, Runnable action) {
        queue.add(new Event(nowMs + delayMs, seq++, label, action));
    }

    /** Schedules work for member {@code n}'s process: while it is stalled, the work waits until it resumes. */
    private void scheduleOn(SimNode n, long delayMs, String label, Runnable action) {
        schedule(delayMs, label, new Runnable() {
            @Override
            public void run() {
                if (nowMs < n.pausedUntilMs) {
                    queue.add(new Event(n.pausedUntilMs, seq++, label + " (after stall)", this));
                } else {
                    action.run();
                }
            }
        });
    }

    private long exp(long meanMs) {
        return 1 + (long) (-Math.log(1 - random.nextDouble()) * meanMs);
    }

    private long uniform(long minInclusive, long maxInclusive) {
        return minInclusive + (long) (random.nextDouble() * (maxInclusive - minInclusive + 1));
    }

    /** Faults stop: links heal, crashed members restart, only the final proposal follows. */
    private void stabilize() {
        faultsOn = false;
        stabilizeStartMs = nowMs;
        for (boolean[] row : cut) Arrays.fill(row, false);
        for (SimNode n : nodes) {
            n.pausedUntilMs = Math.min(n.pausedUntilMs, nowMs);
            if (n.member == null) schedule(uniform(1, 50), "restart " + n.id(), n::restart);
        }
        schedule(1, "final proposal", this::finalProposal);
    }

    // ==== faults ==============================================================================

    private void partition() {
        if (!faultsOn) return;
        boolean oneWay = profile != FaultProfile.LIGHT && random.nextInt(3) == 0;
        int machines = nodes.length;
        int isolated = random.nextInt(machines);
        List<int[]> links = new ArrayList<>();
        if (random.nextBoolean() || machines < 3) {
            // isolate one member
            for (int j = 0; j < machines; j++) {
                if (j == isolated) continue;
                links.add(new int[] {isolated, j});
                if (!oneWay) links.add(new int[] {j, isolated});
            }
        } else {
            // split in two random sides
            boolean[] side = new boolean[machines];
            for (int j = 0; j < machines; j++) side[j] = random.nextBoolean();
            for (int a = 0; a < machines; a++) {
                for (int b = 0; b < machines; b++) {
                    if (side[a] && !side[b]) {
                        links.add(new int[] {a, b});
                        if (!oneWay) links.add(new int[] {b, a});
                    }
                }
            }
        }
        for (int[] l : links) cut[l[0]][l[1]] = true;
        schedule(uniform(10, profile.maxPartitionMs()), "heal", () -> {
            for (int[] l : links) cut[l[0]][l[1]] = false;
        });
        schedule(exp(profile.meanMsBetweenPartitions()), "partition", this::partition);
    }

    /** The link between the leader and one follower goes down (both ways) and comes up again, over and over. */
    private void flapLeaderLink() {
        if (!faultsOn) return;
        SimNode leader = null;
        for (SimNode n : nodes) {
            if (n.member != null && n.member.role() == Role.LEADER) leader = n;
        }
        if (leader == null) {
            schedule(10, "flap (no leader yet)", this::flapLeaderLink);
            return;
        }
        if (ballotsLedBeforeFlapping < 0) ballotsLedBeforeFlapping = leaderOfBallot.size();
        int l = leader.index;
        int f = (l + 1 + random.nextInt(nodes.length - 1)) % nodes.length;
        cut[l][f] = true;
        cut[f][l] = true;
        long downMs = uniform(config.electionTimeoutMs(), profile.maxPartitionMs());
        schedule(downMs, "flap: link up", () -> {
            cut[l][f] = false;
            cut[f][l] = false;
        });
        schedule(downMs + uniform(10, 200), "flap", this::flapLeaderLink);
    }

    private void pauseSomeone() {
        if (!faultsOn) return;
        SimNode n = nodes[random.nextInt(nodes.length)];
        n.pausedUntilMs = Math.max(n.pausedUntilMs, nowMs + uniform(10, profile.maxPauseMs()));
        schedule(exp(profile.meanMsBetweenPauses()), "pause", this::pauseSomeone);
    }

    private void crashSomeone() {
        if (!faultsOn) return;
        SimNode n = nodes[random.nextInt(nodes.length)];
        if (n.member != null) {
            n.crash();
            schedule(uniform(1, profile.maxDowntimeMs()), "restart " + n.id(), n::restart);
        }
        schedule(exp(profile.meanMsBetweenCrashes()), "crash", this::crashSomeone);
    }

    // ==== membership ==========================================================================

    /**
     * The operator: asks a leader for one change of its configuration, at random among those that
     * keep the voters within one of the group's size: add a machine as a learner, make a learner
     * a voter (refused until it caught up), remove a learner or a voter (the leader too), or both
     * at once (a voter out and a learner in: the two configurations' majorities need not meet);
     * or asks it to hand leadership over to a voter.
     */
    private void changeMembership() {
        if (!faultsOn) return;
        schedule(exp(MEAN_MS_BETWEEN_MEMBERSHIP_CHANGES), "membership", this::changeMembership);
        SimNode leader = someLeader();
        if (leader == null) return;
        Configuration current = leader.member.leaderConfiguration();
        if (random.nextInt(4) == 0) {
            int target = current.voters().get(random.nextInt(current.voters().size()));
            String refused = leader.member.transferLeadership(leader.localNow(), target);
            recentEvents.addLast("  member " + leader.id() + " asked to hand over to " + target + ": "
                    + (refused == null ? "under way" : refused));
            return;
        }
        int minVoters = Math.max(1, groupSize - 1);
        int maxVoters = groupSize + 1;
        List<Configuration> options = new ArrayList<>();
        for (SimNode n : nodes) {
            int id = n.id();
            if (!current.isMember(id)) options.add(current.withLearner(id));
            if (current.isLearner(id)) {
                options.add(current.without(id));
                if (current.voters().size() < maxVoters) {
                    options.add(current.promote(id));
                    options.add(current.promote(id));
                }
            }
            if (current.isVoter(id) && current.voters().size() > minVoters) options.add(current.without(id));
            if (current.isVoter(id)) {
                // Two changes at once: a voter out, a learner in, so that majorities of the two need not meet.
                for (int learner : current.learners()) options.add(swap(current, id, learner));
            }
        }
        if (options.isEmpty()) return;
        Configuration next = options.get(random.nextInt(options.size()));
        ProposeResult r = leader.member.proposeConfiguration(leader.localNow(), next);
        if (r instanceof ProposeResult.Proposed) configurationsProposed++;
        recentEvents.addLast("  member " + leader.id() + " asked for " + next + ": " + r);
    }

    private static Configuration swap(Configuration c, int leavingVoter, int joiningLearner) {
        List<Integer> voters = new ArrayList<>(c.voters());
        voters.remove((Integer) leavingVoter);
        voters.add(joiningLearner);
        List<Integer> learners = new ArrayList<>(c.learners());
        learners.remove((Integer) joiningLearner);
        return new Configuration(c.version() + 1, voters, learners);
    }

    // ==== network =============================================================================

    private void send(SimNode from, int toId, PaxosMessage message) {
        if (message instanceof PaxosMessage.Relinquish r) relinquishedAt.putIfAbsent(r.ballot(), nowMs);
        int to = toId - 1;
        if (faultsOn && random.nextDouble() < profile.dropProbability()) return;
        int copies = faultsOn && random.nextDouble() < profile.duplicateProbability() ? 2 : 1;
        for (int c = 0; c < copies; c++) {
            long delay = uniform(1, profile.maxNetworkDelayMs());
            double r = random.nextDouble();
            if (r < profile.slowMessageProbability()) {
                delay *= uniform(2, 5);
            } else if (faultsOn && r < profile.slowMessageProbability() + profile.lateMessageProbability()) {
                delay = uniform(profile.maxNetworkDelayMs(), profile.maxLateMs());
            }
            SimNode dest = nodes[to];
            if (cut[from.index][to]) continue;
            scheduleOn(dest, delay, "deliver " + (from.index + 1) + "->" + toId + " " + message.type(), () -> {
                if (cut[from.index][to]) return;
                if (dest.member != null) dest.member.onMessage(dest.localNow(), from.index + 1, message);
            });
        }
    }

    // ==== clients =============================================================================

    private void tick(SimNode n) {
        if (n.member != null && nowMs >= n.pausedUntilMs) n.member.onTick(n.localNow());
        schedule(profile.tickIntervalMs() + random.nextInt(3), "tick " + n.id(), () -> tick(n));
    }

    private SimNode someLeader() {
        List<SimNode> leaders = new ArrayList<>();
        for (SimNode n : nodes) {
            if (n.member != null && nowMs >= n.pausedUntilMs && n.member.role() == Role.LEADER) leaders.add(n);
        }
        return leaders.isEmpty() ? null : leaders.get(random.nextInt(leaders.size()));
    }

    private void client() {
        if (!faultsOn) return;
        SimNode leader = someLeader();
        if (leader != null) {
            int burst = random.nextInt(20) == 0 ? 10 + random.nextInt(30) : 1 + random.nextInt(3);
            for (int i = 0; i < burst; i++) propose(leader, "c" + (++clientSeq));
            if (random.nextBoolean()) leader.member.flush(leader.localNow());
        }
        schedule(uniform(1, 15), "client", this::client);
    }

    private byte[] propose(SimNode leader, String name) {
        byte[][] made = new byte[1][];
        ProposeResult r = leader.member.propose(leader.localNow(), slot -> {
            // The value names the ballot it was first proposed under (its origin, as a WAL entry does).
            made[0] = (name + "@" + slot + "/" + leader.member.ballot()).getBytes(StandardCharsets.UTF_8);
            return made[0];
        });
        if (r instanceof ProposeResult.Proposed p) {
            leader.proposals.put(p.slot(), made[0]);
            return made[0];
        }
        return null;
    }

    private void finalProposal() {
        if (finalAcknowledged) return;
        SimNode leader = someLeader();
        if (leader != null) {
            byte[] v = propose(leader, "final" + (++clientSeq));
            if (v != null) {
                leader.member.flush(leader.localNow());
                finalValue = v;
            }
        }
        schedule(300, "final proposal", this::finalProposal);
    }

    private void onAcknowledged(long slot, byte[] value) {
        byte[] previous = acknowledged.put(slot, value);
        if (previous != null && !Arrays.equals(previous, value)) {
            throw violation("slot " + slot + " acknowledged with " + str(previous) + " and " + str(value));
        }
        if (!faultsOn && str(value).startsWith("final")) {
            finalAcknowledged = true;
            finalSlot = slot;
        }
    }

    // ==== WAL =================================================================================

    private void walLand(long slot, byte[] value) {
        if (slot > walHighSlot + 1) {
            throw violation("WAL gap: slot " + slot + " appended while the WAL holds only up to " + walHighSlot);
        }
        byte[] existing = walBySlot.get(slot);
        if (existing != null && !Arrays.equals(existing, value)) {
            throw violation("WAL holds two values for slot " + slot + ": " + str(existing) + " and " + str(value));
        }
        byte[] c = chosen.get(slot);
        if (c == null || !Arrays.equals(c, value)) {
            throw violation("WAL slot " + slot + " holds " + str(value) + " but chosen is " + (c == null ? "nothing" : str(c)));
        }
        walBySlot.put(slot, value);
        walHighSlot = Math.max(walHighSlot, slot);
        walRecords++;
    }

    private void checkAcknowledgedInWal() {
        for (Map.Entry<Long, byte[]> e : acknowledged.entrySet()) {
            byte[] inWal = walBySlot.get(e.getKey());
            if (inWal == null || !Arrays.equals(inWal, e.getValue())) {
                throw violation("acknowledged " + str(e.getValue()) + " at slot " + e.getKey() + " is not in the WAL (WAL has "
                        + (inWal == null ? "nothing" : str(inWal)) + ", high slot " + walHighSlot + ")");
            }
        }
    }

    // ==== checks ==============================================================================

    /**
     * Counts a durable vote. A slot's configuration is known once every slot below it is chosen,
     * so values are found chosen in slot order ({@link #chosenThrough}); a vote at a slot already
     * passed is checked against the value chosen there at once.
     */
    private void onDurableAccept(SimNode node, long slot, Ballot ballot, byte[] value) {
        SlotBallot key = new SlotBallot(slot, ballot);
        Votes v = votes.get(key);
        if (v == null) {
            v = new Votes(ballot, value);
            votes.put(key, v);
            votesBySlot.computeIfAbsent(slot, s -> new ArrayList<>()).add(v);
        }
        if (!Arrays.equals(v.value, value)) {
            throw violation("ballot " + ballot + " has two values at slot " + slot + ": " + str(v.value) + " and " + str(value));
        }
        if (!v.voters.contains(node.id())) v.voters.add(node.id());
        if (slot <= chosenThrough) {
            checkChosen(slot, v);
        } else {
            advanceChosen();
        }
    }

    /** A value is written to a store (the leader's own first, before it sends it): learns what its ballot proposes. */
    private void onAcceptWritten(long slot, Ballot ballot, byte[] value) {
        BallotProposals p = proposalsByBallot.computeIfAbsent(ballot, b -> new BallotProposals(slot));
        if (slot < p.firstSlot) throw violation("ballot " + ballot + " proposed slot " + slot + " below its first, " + p.firstSlot);
        Configuration named = VALUES.configurationOf(value);
        if (named != null) p.configurations.put(slot, named);
    }

    /** Check 1's rule; every slot below {@code slot} must be chosen. */
    private boolean countsAsChosen(long slot, Votes v) {
        Configuration governing = chosenConfigurations.floorEntry(slot).getValue();
        return governing.isQuorum(v.voters) && configurationOfBallot(v.ballot, slot).equals(governing);
    }

    /** The configuration the leader of {@code ballot} counts {@code slot} with; every slot below it must be chosen. */
    private Configuration configurationOfBallot(Ballot ballot, long slot) {
        BallotProposals p = proposalsByBallot.get(ballot);
        if (p == null || slot <= p.firstSlot) return chosenConfigurations.floorEntry(slot).getValue();
        Configuration c = chosenConfigurations.floorEntry(p.firstSlot).getValue();
        for (Configuration named : p.configurations.headMap(slot, false).values()) {
            if (named.version() == c.version() + 1) c = named;
        }
        return c;
    }

    private void checkChosen(long slot, Votes v) {
        if (!countsAsChosen(slot, v)) return;
        byte[] previous = chosen.get(slot);
        if (previous != null && !Arrays.equals(previous, v.value)) {
            StringBuilder why = new StringBuilder();
            for (Votes other : votesBySlot.get(slot)) {
                why.append("\n  ballot ").append(other.ballot).append(": ").append(str(other.value)).append(" accepted by ")
                        .append(other.voters).append(", counted with ").append(configurationOfBallot(other.ballot, slot));
            }
            throw violation("two values chosen for slot " + slot + ": " + str(previous) + " and " + str(v.value)
                    + " (the latter at ballot " + v.ballot + ")" + why);
        }
    }

    private void advanceChosen() {
        while (true) {
            long slot = chosenThrough + 1;
            Configuration governing = chosenConfigurations.floorEntry(slot).getValue();
            Votes found = null;
            for (Votes v : votesBySlot.getOrDefault(slot, List.of())) {
                if (countsAsChosen(slot, v)) found = v;
            }
            if (found == null) return;
            chosen.put(slot, found.value);
            chosenThrough = slot;
            for (Votes v : votesBySlot.get(slot)) checkChosen(slot, v);
            Configuration named = VALUES.configurationOf(found.value);
            if (named != null && named.version() == governing.version() + 1) chosenConfigurations.put(slot + 1, named);
        }
    }

    /** Check 6: a member's configuration from a slot is the one chosen for it. */
    private void checkConfiguration(SimNode node, long fromSlot, Configuration configuration) {
        if (fromSlot - 1 > chosenThrough) {
            throw violation("member " + node.id() + " holds " + configuration + " in force from slot " + fromSlot
                    + ", but only slots through " + chosenThrough + " are chosen");
        }
        Configuration c = chosenConfigurations.floorEntry(fromSlot).getValue();
        if (!c.equals(configuration)) {
            throw violation("member " + node.id() + " holds " + configuration + " in force from slot " + fromSlot
                    + ", but " + c + " is");
        }
    }

    private void onDelivered(SimNode node, long slot, byte[] value) {
        if (slot != node.lastDelivered + 1) {
            throw violation("member " + node.id() + " delivered slot " + slot + " after " + node.lastDelivered);
        }
        node.lastDelivered = slot;
        byte[] c = chosen.get(slot);
        if (c == null || !Arrays.equals(c, value)) {
            throw violation("member " + node.id() + " delivered " + str(value) + " at slot " + slot + " but chosen is "
                    + (c == null ? "nothing" : str(c)));
        }
        byte[] other = deliveredBySlot.putIfAbsent(slot, value);
        if (other != null && !Arrays.equals(other, value)) {
            throw violation("members disagree on slot " + slot + ": " + str(other) + " and " + str(value));
        }
    }

    /** Check 2: no two ballots' lease intervals (in true time) overlap. */
    private void checkLeases() {
        int holders = 0;
        for (SimNode n : nodes) {
            if (n.member == null) continue;
            long local = n.localNow();
            if (!n.member.hasLease(local)) continue;
            holders++;
            Ballot b = n.member.ballot();
            long endTrue = n.clock.trueMsWhenLocalReaches(n.member.leaseExpiresAtMs());
            long[] interval = leaseIntervals.get(b);
            if (interval == null) {
                interval = new long[] {nowMs, endTrue};
                leaseIntervals.put(b, interval);
            } else if (endTrue <= interval[1]) {
                continue;
            } else {
                interval[1] = endTrue;
            }
            for (Map.Entry<Ballot, long[]> other : leaseIntervals.entrySet()) {
                if (other.getKey().equals(b)) continue;
                long[] o = other.getValue();
                if (Math.max(interval[0], o[0]) < Math.min(leaseEnd(b, interval), leaseEnd(other.getKey(), o))) {
                    throw violation("leases overlap: ballot " + b + " holds [" + interval[0] + ", " + interval[1]
                            + ") and ballot " + other.getKey() + " held [" + o[0] + ", " + o[1] + ") (true ms)");
                }
            }
        }
        if (holders > 1) throw violation(holders + " members believe they lead with a lease at t=" + nowMs);
    }

    /** A lease ends when it runs out, or when its leader handed over, whichever is first. */
    private long leaseEnd(Ballot ballot, long[] interval) {
        Long relinquished = relinquishedAt.get(ballot);
        return relinquished == null ? interval[1] : Math.min(interval[1], relinquished);
    }

    private SimulationViolation violation(String message) {
        return violation(message, null);
    }

    private SimulationViolation violation(String message, Throwable cause) {
        return new SimulationViolation("seed=" + seed + " profile=" + profile.name() + " members=" + groupSize
                + (changesMembership ? " changing membership" : "")
                + " event=#" + eventNumber + " t=" + nowMs + "ms: " + message + "\nlast events:\n  "
                + String.join("\n  ", recentEvents) + "\nmembers: " + describeNodes(), cause);
    }

    private String describeNodes() {
        StringBuilder sb = new StringBuilder();
        for (SimNode n : nodes) {
            sb.append("\n  ").append(n.member == null ? "member " + n.id() + " down"
                    : n.member + " knows " + n.member.configuration());
        }
        sb.append("\nchosen through slot ").append(chosenThrough).append(", configurations by first slot: ").append(chosenConfigurations);
        return sb.toString();
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static final class SimulationViolation extends AssertionError {
        SimulationViolation(String message, Throwable cause) {
            super(message, cause);
        }
    }

    // ==== a member's machine ==================================================================

    /** One member's machine: its clock and disk survive crashes; the process (member, appender) does not. */
    private final class SimNode {
        final int index;
        final SimClock clock;
        final InMemoryAcceptorStore disk;
        PaxosMember member;
        int incarnation;
        long lastDelivered;
        /** Values this incarnation delivered above its archived slot (a new leader re-appends them). */
        final TreeMap<Long, byte[]> deliveredValues = new TreeMap<>();
        /** Client values this incarnation proposed, by slot. */
        final Map<Long, byte[]> proposals = new HashMap<>();
        /** The process is stalled until then (true ms): it handles nothing, its clock runs on. */
        long pausedUntilMs;
        boolean appending;
        long nextAppendSlot;
        long lastLandMs;
        long lastAckMs;

        SimNode(int index, SimClock clock) {
            this.index = index;
            this.clock = clock;
            this.disk = new InMemoryAcceptorStore((slot, ballot, value) -> onDurableAccept(this, slot, ballot, value));
        }

        int id() {
            return index + 1;
        }

        long localNow() {
            return clock.localMs(nowMs);
        }

        void crash() {
            int kept = profile.keepUnsyncedPrefix() ? random.nextInt(disk.unsyncedWrites() + 1) : 0;
            disk.crash(kept);
            member = null;
            incarnation++;
            appending = false;
            deliveredValues.clear();
            proposals.clear();
        }

        void restart() {
            if (member != null) return;
            incarnation++;
            int inc = incarnation;
            AcceptorStore store = disk.handle(token -> member.onSynced(localNow(), token), (token, done) ->
                    scheduleOn(SimNode.this, uniform(0, profile.maxSyncDelayMs()), "sync " + id() + " #" + token, () -> {
                        if (incarnation != inc || member == null) return;
                        if (!disk.pendingSyncTokens().contains(token)) return;
                        done.run();
                    }), PaxosSimulation.this::onAcceptWritten);
            PaxosMember m = new PaxosMember(id(), firstConfiguration, store, (to, msg) -> {
                if (incarnation == inc) send(this, to, msg);
            }, new Random(random.nextLong()), config, VALUES, new Listener(inc));
            member = m;
            lastDelivered = disk.durableArchived();
            appending = false;
            m.start(localNow());
        }

        /** Appends every delivered slot from nextAppendSlot on, in order, with FIFO land and ack times. */
        void appendDelivered() {
            while (appending && deliveredValues.containsKey(nextAppendSlot)) {
                long slot = nextAppendSlot++;
                byte[] value = deliveredValues.get(slot);
                int inc = incarnation;
                long land = Math.max(lastLandMs, nowMs + uniform(1, profile.maxWalDelayMs()));
                long ack = Math.max(lastAckMs, land + uniform(0, profile.maxWalDelayMs()));
                lastLandMs = land;
                lastAckMs = ack;
                schedule(land - nowMs, "wal land " + slot + " from " + id(), () -> {
                    if (incarnation == inc) walLand(slot, value);
                });
                scheduleOn(this, ack - nowMs, "wal ack " + slot + " to " + id(), () -> {
                    if (incarnation == inc && member != null) {
                        member.onArchived(localNow(), slot);
                        deliveredValues.headMap(slot, true).clear();
                    }
                });
            }
        }

        private final class Listener implements PaxosListener {
            private final int inc;

            Listener(int inc) {
                this.inc = inc;
            }

            @Override
            public void onChosen(long slot, byte[] value) {
                if (incarnation != inc) return;
                onDelivered(SimNode.this, slot, value);
                deliveredValues.put(slot, value);
                byte[] proposed = proposals.remove(slot);
                if (proposed != null && Arrays.equals(proposed, value)) onAcknowledged(slot, value);
                appendDelivered();
            }

            @Override
            public void onDeliverySkipped(long throughSlot) {
                if (incarnation != inc) return;
                if (throughSlot <= lastDelivered) {
                    throw violation("member " + id() + " skipped through " + throughSlot + " after delivering " + lastDelivered);
                }
                if (throughSlot > walHighSlot) {
                    throw violation("member " + id() + " skipped through " + throughSlot + " but the WAL holds only " + walHighSlot);
                }
                lastDelivered = throughSlot;
                deliveredValues.headMap(throughSlot, true).clear();
                if (appending && nextAppendSlot <= throughSlot) nextAppendSlot = throughSlot + 1;
            }

            @Override
            public void onRoleChanged(Role role, Ballot ballot) {
                if (incarnation != inc) return;
                if (role == Role.LEADER) {
                    String who = "member " + id() + " incarnation " + inc;
                    String previous = leaderOfBallot.putIfAbsent(ballot, who);
                    if (previous != null) throw violation("ballot " + ballot + " led by " + previous + " and " + who);
                    appending = true;
                    nextAppendSlot = member.archivedSlot() + 1;
                    appendDelivered();
                } else {
                    appending = false;
                    proposals.clear();
                }
            }

            @Override
            public void onLeaderReady(Ballot ballot) {}

            @Override
            public void onConfigurationChosen(long fromSlot, Configuration configuration) {
                if (incarnation != inc) return;
                checkConfiguration(SimNode.this, fromSlot, configuration);
            }
        }
    }

    /**
     * Values name their origin ({@code name@slot/round.node}); no-ops are fillers (no origin); a
     * configuration value is {@code config:version:voters:learners@slot/round.node}.
     */
    static final Values VALUES = new Values() {
        @Override
        public byte[] noop(long slot, Ballot ballot) {
            return PaxosSimulation.noop(slot, ballot);
        }

        @Override
        public byte[] configuration(long slot, Ballot ballot, Configuration next) {
            return ("config:" + next.version() + ":" + ids(next.voters()) + ":" + ids(next.learners()) + "@" + slot + "/" + ballot)
                    .getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Configuration configurationOf(byte[] value) {
            String v = new String(value, StandardCharsets.UTF_8);
            if (!v.startsWith("config:")) return null;
            String[] parts = v.substring(0, v.indexOf('@')).split(":", -1);
            return new Configuration(Long.parseLong(parts[1]), parseIds(parts[2]), parseIds(parts[3]));
        }

        private String ids(List<Integer> ids) {
            StringBuilder sb = new StringBuilder();
            for (int id : ids) sb.append(sb.length() == 0 ? "" : ",").append(id);
            return sb.toString();
        }

        private List<Integer> parseIds(String s) {
            List<Integer> ids = new ArrayList<>();
            if (!s.isEmpty()) {
                for (String id : s.split(",")) ids.add(Integer.parseInt(id));
            }
            return ids;
        }

        @Override
        public Ballot originOf(byte[] value) {
            String v = new String(value, StandardCharsets.UTF_8);
            if (v.startsWith("noop@")) return null;
            String[] ballot = v.substring(v.lastIndexOf('/') + 1).split("\\.");
            return new Ballot(Long.parseLong(ballot[0]), Integer.parseInt(ballot[1]));
        }
    };

    static byte[] noop(long slot, Ballot ballot) {
        return ("noop@" + slot + "/" + ballot).getBytes(StandardCharsets.UTF_8);
    }
}
