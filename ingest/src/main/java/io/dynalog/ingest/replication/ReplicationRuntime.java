package io.dynalog.ingest.replication;

import io.dynalog.ingest.FatalErrors;
import io.dynalog.ingest.acceptor.AcceptorStores;
import io.dynalog.ingest.paxos.Values;
import io.dynalog.ingest.paxos.PaxosConfig;
import io.dynalog.ingest.paxos.PaxosListener;
import io.dynalog.ingest.paxos.PaxosMember;
import io.dynalog.ingest.paxos.PaxosMessage;
import io.dynalog.ingest.paxos.ProposeResult;
import io.dynalog.ingest.paxos.Role;
import io.dynalog.ingest.peer.PaxosFrameCodec;
import io.dynalog.ingest.peer.PeerTransport;
import io.dynalog.topology.time.Time;
import io.dynalog.topology.wal.Configuration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the Paxos members of every replica group this node belongs to: the one loop on which
 * each {@link PaxosMember} lives (it is not thread-safe), fed from the peer transport, the
 * acceptor stores' sync completions, timers, and the callers of its public methods.
 *
 * <p>Responsibilities: create and stop members as groups are joined and left; decode frames and
 * hand each message to its group's member; encode and send what members put in their outbox;
 * report each group's completed syncs to its member; tick every member every
 * {@code tickIntervalMs}; flush proposals once per turn of the loop (so proposals made in one turn
 * go out in one Accept, the batching the protocol relies on); the failure policy below.
 *
 * <p>The loop is {@link #runOnce}: a node's thread ({@link #start}) calls it whenever there is
 * work or a timer is due; a simulation calls it itself, at simulated times, and so drives the
 * same code deterministically (time, randomness, network and disks are all injected).
 *
 * <p>Failure policy, in one place ({@link #guarded}): an unexpected exception thrown by a group's
 * code on the loop (its member, its listener inside a member call, a task it queued) fences that
 * group. Its member is dropped and every later event of that incarnation ignored, its listener
 * is told ({@link PaxosListener#onStopped}) so that it fails whatever waits on it, and after
 * {@link #RESTART_DELAY_MS} a new member starts from the durable state, with a listener its
 * factory makes anew. Nothing is logged and carried on with. A node whose groups fail more than
 * {@link #MAX_FAILURES} times within {@link #FAILURE_WINDOW_MS} stops, through
 * {@link FatalErrors}: code that keeps failing is a bug to fix, not a state to serve in.
 *
 * <p>Threading: every public method may be called from any thread; it queues work for the loop
 * and answers through a future. Listener callbacks run on the loop and must not block.
 */
public final class ReplicationRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicationRuntime.class);

    /** How long a fenced group waits before its new member starts. */
    static final long RESTART_DELAY_MS = 1_000;
    /** More fenced groups than this within {@link #FAILURE_WINDOW_MS} stop the node. */
    static final int MAX_FAILURES = 5;
    static final long FAILURE_WINDOW_MS = 60_000;

    private final int selfId;
    private final PeerTransport transport;
    private final AcceptorStores stores;
    private final PaxosConfig config;
    private final long tickIntervalMs;
    private final Time time;
    private final Random random;
    private final FatalErrors fatal;
    private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    /** Loop only. Insertion order, so that ticks and flushes visit groups in a deterministic order. */
    private final Map<GroupId, Group> groups = new LinkedHashMap<>();
    /** Guarded by itself: tasks may be scheduled from any thread. */
    private final PriorityQueue<Delayed> delayed =
            new PriorityQueue<>(Comparator.comparingLong(Delayed::dueMs).thenComparingLong(Delayed::seq));
    private long delayedSeq;
    /** Loop only. */
    private final ArrayDeque<Long> recentFailuresMs = new ArrayDeque<>();
    private long nextTickMs = Long.MIN_VALUE;
    private final java.util.concurrent.atomic.AtomicLong fenced = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean running = true;
    private volatile Thread loop;

    /**
     * @param time     this node's clocks; the runtime reads only {@link Time#monotonicMs()}
     * @param fatal    where the node goes when its groups keep failing
     */
    public ReplicationRuntime(int selfId, PeerTransport transport, AcceptorStores stores, PaxosConfig config,
                              long tickIntervalMs, Time time, Random random, FatalErrors fatal) {
        this.selfId = selfId;
        this.transport = transport;
        this.stores = stores;
        this.config = config;
        this.tickIntervalMs = tickIntervalMs;
        this.time = time;
        this.random = random;
        this.fatal = fatal;
        transport.onFrame(this::onFrame);
    }

    /** Starts the loop on a thread of its own ({@code replication-<id>}). Called once; a simulation calls {@link #runOnce} instead. */
    public synchronized ReplicationRuntime start() {
        if (loop != null) throw new IllegalStateException("replication runtime of node " + selfId + " already started");
        Thread t = new Thread(this::run, "replication-" + selfId);
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((thread, e) -> fatal.stop("the replication loop of node " + selfId + " died", e));
        loop = t;
        t.start();
        return this;
    }

    // ==== groups =================================================================================

    /** Joins a group: starts this node's member of it (its durable state is loaded from the store). */
    public CompletableFuture<Void> join(GroupId group, List<Integer> memberIds, Values values, PaxosListener listener) {
        return join(group, memberIds, values, ctx -> listener);
    }

    /**
     * Joins a group whose listener needs the member itself: {@code listenerFactory} is given the
     * group's {@link GroupContext} (on the loop) and returns the listener. It is called again, with
     * a new context, each time the group restarts after it was fenced.
     */
    public CompletableFuture<Void> join(GroupId group, List<Integer> memberIds, Values values,
                                        Function<GroupContext, PaxosListener> listenerFactory) {
        return join(group, Configuration.initial(memberIds), values, listenerFactory);
    }

    /**
     * Joins a group whose first configuration (version 0, the same at every member) is
     * {@code firstConfiguration}; this node may be in none of its configurations yet (it answers
     * as an acceptor, and learns what it is sent once a configuration makes it a learner).
     */
    public CompletableFuture<Void> join(GroupId group, Configuration firstConfiguration, Values values,
                                        Function<GroupContext, PaxosListener> listenerFactory) {
        return call(() -> {
            if (groups.containsKey(group)) return null;
            Group g = new Group(group, firstConfiguration, values, listenerFactory);
            groups.put(group, g);
            startIncarnation(g);
            return null;
        });
    }

    /** Leaves a group (the table was deleted, or the partition moved): its member stops. */
    public CompletableFuture<Void> leave(GroupId group) {
        return call(() -> {
            Group g = groups.remove(group);
            Incarnation inc = g == null ? null : g.current;
            if (inc != null) {
                inc.live = false;
                if (inc.listener != null) inc.listener.onStopped(null);
            }
            return null;
        });
    }

    /** A group this node is in, and how its current member came to be. */
    private static final class Group {
        final GroupId id;
        final Configuration firstConfiguration;
        final Values values;
        final Function<GroupContext, PaxosListener> listenerFactory;
        /** The live incarnation; null while the group waits to restart after it was fenced. */
        Incarnation current;
        int incarnations;

        Group(GroupId id, Configuration firstConfiguration, Values values, Function<GroupContext, PaxosListener> listenerFactory) {
            this.id = id;
            this.firstConfiguration = firstConfiguration;
            this.values = values;
            this.listenerFactory = listenerFactory;
        }
    }

    private void startIncarnation(Group g) {
        Incarnation inc = new Incarnation(g, ++g.incarnations);
        g.current = inc;
        guarded(inc, () -> {
            inc.member = new PaxosMember(selfId, g.firstConfiguration,
                    stores.forGroup(g.id.tableId(), g.id.partition(), token -> post(() -> guarded(inc, () -> inc.member.onSynced(now(), token)))),
                    (to, message) -> send(g.id, to, message), random, config, g.values, inc);
            inc.listener = g.listenerFactory.apply(inc);
            inc.member.start(now());
        });
    }

    /**
     * A group's member as its listener may use it: one incarnation of it (a fenced group's
     * listener holds a dead one, whose tasks never run). Methods marked "loop only" must be called
     * on the runtime's loop and never from inside a listener callback (use {@link #execute} to get
     * out of one).
     */
    public interface GroupContext {
        /** Runs {@code task} on the loop, after the current event (not at all once this incarnation is fenced or left). */
        void execute(Runnable task);

        /** Runs {@code task} on the loop after {@code delayMs} (not at all once this incarnation is fenced or left). */
        void schedule(Runnable task, long delayMs);

        /** The runtime's monotonic clock, in milliseconds; any thread. */
        long monotonicMs();

        /** Loop only. */
        ProposeResult propose(LongFunction<byte[]> valueForSlot);

        /** Loop only. */
        boolean hasLease();

        /** When the member's lease ends by {@link #monotonicMs}, or Long.MIN_VALUE. Loop only. */
        long leaseExpiresAtMs();

        /** Loop only. */
        int leaderHint();

        /** The WAL holds every slot through this one, as far as the member knows. Loop only. */
        long archivedSlot();

        /** The WAL holds every slot through {@code slot}; any thread. */
        void archived(long slot);

        /** The leader gives up its leadership ({@link PaxosMember#resign}). Loop only. */
        void resign();
    }

    /**
     * One incarnation of a group's member: it dies when the group is fenced or left, and with it
     * every task, sync completion and timer it queued. Also the member's listener wrapper: each
     * callback goes to the listener the factory made for this incarnation.
     */
    private final class Incarnation implements GroupContext, PaxosListener {
        final Group group;
        final int number;
        PaxosMember member;
        PaxosListener listener;
        boolean live = true;

        Incarnation(Group group, int number) {
            this.group = group;
            this.number = number;
        }

        @Override
        public void execute(Runnable task) {
            post(() -> guarded(this, task));
        }

        @Override
        public void schedule(Runnable task, long delayMs) {
            addDelayed(now() + delayMs, () -> guarded(this, task));
        }

        @Override
        public long monotonicMs() {
            return now();
        }

        /**
         * A fenced incarnation's member proposes nothing: its acceptor store's handle may hold
         * writes, and writing them after the new incarnation's would put an older vote back.
         */
        @Override
        public ProposeResult propose(LongFunction<byte[]> valueForSlot) {
            if (!live) return new ProposeResult.NotLeader(PaxosMember.NO_LEADER);
            return member.propose(now(), valueForSlot);
        }

        @Override
        public boolean hasLease() {
            return member.hasLease(now());
        }

        @Override
        public long leaseExpiresAtMs() {
            return member.leaseExpiresAtMs();
        }

        @Override
        public int leaderHint() {
            return member.leaderHint();
        }

        @Override
        public long archivedSlot() {
            return member.archivedSlot();
        }

        @Override
        public void archived(long slot) {
            post(() -> guarded(this, () -> member.onArchived(now(), slot)));
        }

        @Override
        public void resign() {
            if (live) member.resign(now());
        }

        // The member's callbacks, passed on to this incarnation's listener.

        @Override
        public void onChosen(long slot, byte[] value) {
            listener.onChosen(slot, value);
        }

        @Override
        public void onDeliverySkipped(long throughSlot) {
            listener.onDeliverySkipped(throughSlot);
        }

        @Override
        public void onRoleChanged(Role role, io.dynalog.topology.wal.Ballot ballot) {
            if (listener != null) listener.onRoleChanged(role, ballot);
        }

        @Override
        public void onLeaderReady(io.dynalog.topology.wal.Ballot ballot) {
            listener.onLeaderReady(ballot);
        }

        @Override
        public String toString() {
            return "group " + group.id + " incarnation " + number;
        }
    }

    // ==== the failure policy =====================================================================

    /** Runs a group's code; an exception fences the group (see the class comment). */
    private void guarded(Incarnation inc, Runnable action) {
        if (!inc.live) return;
        try {
            action.run();
        } catch (RuntimeException e) {
            fence(inc, e);
        }
    }

    private void fence(Incarnation inc, RuntimeException cause) {
        inc.live = false;
        fenced.incrementAndGet();
        Group g = inc.group;
        if (g.current == inc) g.current = null;
        log.error("node {}: {} failed and is fenced; a new member starts from its durable state in {} ms",
                selfId, inc, RESTART_DELAY_MS, cause);
        if (inc.listener != null) {
            try {
                inc.listener.onStopped(cause);
            } catch (RuntimeException e) {
                log.error("node {}: {}'s listener failed while being fenced", selfId, inc, e);
            }
        }
        long now = now();
        recentFailuresMs.addLast(now);
        while (!recentFailuresMs.isEmpty() && recentFailuresMs.peekFirst() <= now - FAILURE_WINDOW_MS) recentFailuresMs.pollFirst();
        if (recentFailuresMs.size() > MAX_FAILURES) {
            fatal.stop("node " + selfId + ": " + recentFailuresMs.size() + " replica groups failed within "
                    + FAILURE_WINDOW_MS + " ms, the last " + inc, cause);
            return;
        }
        addDelayed(now + RESTART_DELAY_MS, () -> {
            if (groups.get(g.id) == g && g.current == null) startIncarnation(g);
        });
    }

    // ==== the loop ===============================================================================

    /**
     * One turn of the loop: every queued event, the delayed tasks that are due, every member's
     * timers when a tick is due, and a flush of every member's proposals. Returns when it next has
     * something to do by the clock (monotonic ms), if nothing is queued before. On the loop's
     * thread, or the simulation's, only.
     */
    public long runOnce() {
        List<Runnable> batch = new ArrayList<>();
        events.drainTo(batch);
        for (Runnable r : batch) r.run();
        long now = now();
        runDueDelayed(now);
        if (now >= nextTickMs) {
            for (Group g : List.copyOf(groups.values())) {
                Incarnation inc = g.current;
                if (inc != null) guarded(inc, () -> inc.member.onTick(now));
            }
            nextTickMs = now + tickIntervalMs;
        }
        for (Group g : List.copyOf(groups.values())) {
            Incarnation inc = g.current;
            if (inc != null) guarded(inc, () -> inc.member.flush(now()));
        }
        synchronized (delayed) {
            return delayed.isEmpty() ? nextTickMs : Math.min(nextTickMs, delayed.peek().dueMs());
        }
    }

    /** How many times a group of this node was fenced since it started (any thread). */
    public long fencedGroups() {
        return fenced.get();
    }

    /** True when events wait for {@link #runOnce} (for a simulation deciding what to run). */
    public boolean hasQueuedEvents() {
        return !events.isEmpty();
    }

    private void run() {
        while (running) {
            long dueMs = runOnce();
            long waitMs = dueMs - now();
            if (waitMs > 0 && events.isEmpty() && running) LockSupport.parkNanos(this, waitMs * 1_000_000);
        }
    }

    private void post(Runnable event) {
        events.add(event);
        wakeLoop();
    }

    private record Delayed(long dueMs, long seq, Runnable task) {}

    private void addDelayed(long dueMs, Runnable task) {
        synchronized (delayed) {
            delayed.add(new Delayed(dueMs, delayedSeq++, task));
        }
        wakeLoop();
    }

    /**
     * Wakes the loop from another thread. The loop itself needs no waking: it looks at its events
     * and delayed tasks again before it parks (an unpark from it would leave a permit, and an empty
     * turn, behind).
     */
    private void wakeLoop() {
        Thread t = loop;
        if (t != null && t != Thread.currentThread()) LockSupport.unpark(t);
    }

    private void runDueDelayed(long now) {
        List<Runnable> due = new ArrayList<>();
        synchronized (delayed) {
            while (!delayed.isEmpty() && delayed.peek().dueMs() <= now) due.add(delayed.poll().task());
        }
        due.forEach(Runnable::run);
    }

    private long now() {
        return time.monotonicMs();
    }

    // ==== calls from other threads ===============================================================

    /**
     * Proposes a value for the next slot of a group this node leads; {@code valueForSlot} builds
     * the value once the slot is known (it runs on the loop).
     */
    public CompletableFuture<ProposeResult> propose(GroupId group, LongFunction<byte[]> valueForSlot) {
        return call(() -> {
            Incarnation inc = current(group);
            if (inc == null) return new ProposeResult.NotLeader(PaxosMember.NO_LEADER);
            return inc.member.propose(now(), valueForSlot);
        });
    }

    /**
     * Proposes {@code next} as the configuration of a group this node leads (see
     * {@link PaxosMember#proposeConfiguration}); it is chosen once the group's listener hears of it.
     */
    public CompletableFuture<ProposeResult> proposeConfiguration(GroupId group, Configuration next) {
        return call(() -> {
            Incarnation inc = current(group);
            if (inc == null) return new ProposeResult.NotLeader(PaxosMember.NO_LEADER);
            return inc.member.proposeConfiguration(now(), next);
        });
    }

    /**
     * Hands the leadership of a group this node leads over to voter {@code target} (see
     * {@link PaxosMember#transferLeadership}); completes with why not, or null once it is under way.
     */
    public CompletableFuture<String> transferLeadership(GroupId group, int target) {
        return call(() -> {
            Incarnation inc = current(group);
            if (inc == null) return "node " + selfId + " is not in group " + group;
            return inc.member.transferLeadership(now(), target);
        });
    }

    /**
     * Starts the hand-overs {@link LeaderBalance} asks of this node now (see there for the
     * arguments); completes with those it started.
     */
    public CompletableFuture<List<LeaderBalance.HandOver>> balanceLeaders(long ackAgeLimitMs, long minAckStreakMs, int maxHandOvers,
                                                                          Map<GroupId, Integer> preferredLeaders,
                                                                          java.util.Set<Integer> draining) {
        return call(() -> {
            List<LeaderBalance.HandOver> started = new ArrayList<>();
            for (LeaderBalance.HandOver h : LeaderBalance.handOvers(selfId, statusesNow(), ackAgeLimitMs, minAckStreakMs,
                    maxHandOvers, preferredLeaders, draining)) {
                Incarnation inc = current(h.group());
                if (inc != null && inc.member.transferLeadership(now(), h.target()) == null) started.add(h);
            }
            return started;
        });
    }

    /** A snapshot of a group's member as it is now, or null when this node is not in the group (or it is restarting). */
    public CompletableFuture<MemberStatus> status(GroupId group) {
        return call(() -> {
            Incarnation inc = current(group);
            return inc == null ? null : statusOf(inc.member);
        });
    }

    /** Snapshots of every group's member, taken at one moment (groups restarting after a fence are left out). */
    public CompletableFuture<Map<GroupId, MemberStatus>> statuses() {
        return call(this::statusesNow);
    }

    private Map<GroupId, MemberStatus> statusesNow() {
        Map<GroupId, MemberStatus> all = new LinkedHashMap<>();
        for (GroupId group : groups.keySet()) {
            Incarnation inc = current(group);
            if (inc != null) all.put(group, statusOf(inc.member));
        }
        return all;
    }

    private MemberStatus statusOf(PaxosMember m) {
        long now = now();
        Map<Integer, Long> followerMatchSlots = new TreeMap<>();
        Map<Integer, Long> followerAckAgesMs = new TreeMap<>();
        Map<Integer, Long> followerAckStreaksMs = new TreeMap<>();
        Configuration leading = m.leaderConfiguration();
        if (leading != null) {
            for (int id : leading.members()) {
                if (id == selfId) continue;
                followerMatchSlots.put(id, m.followerMatchSlot(id));
                long ackSentAtMs = m.followerAckSentAtMs(id);
                followerAckAgesMs.put(id, ackSentAtMs == Long.MIN_VALUE ? Long.MAX_VALUE : Math.max(0, now - ackSentAtMs));
                long streakSinceMs = m.followerAckStreakSinceMs(id);
                followerAckStreaksMs.put(id, streakSinceMs == Long.MIN_VALUE ? 0 : Math.max(0, now - streakSinceMs));
            }
        }
        return new MemberStatus(m.role(), m.leaderHint(), m.isLeaderReady(), m.hasLease(now), m.chosenUpTo(), m.archivedSlot(),
                m.configuration(), followerMatchSlots, followerAckAgesMs, followerAckStreaksMs);
    }

    /**
     * What a member is and knows at one moment: its role, the leader it believes in, the slots it
     * learned and archived, the latest configuration it knows chosen, and (at a leader) the slot
     * through which each other member of its configuration is known to hold everything, how long
     * ago the latest Accept it acknowledged was sent ({@link Long#MAX_VALUE}: none), and for how long
     * it has acknowledged without a gap of an election timeout (0: never).
     */
    public record MemberStatus(Role role, int leaderHint, boolean leaderReady, boolean hasLease, long chosenUpTo, long archivedSlot,
                               Configuration configuration, Map<Integer, Long> followerMatchSlots,
                               Map<Integer, Long> followerAckAgesMs, Map<Integer, Long> followerAckStreaksMs) {}

    /** Runs {@code work} on the loop, with the members, and completes with its result (or its exception). */
    public <T> CompletableFuture<T> call(Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (!running) {
            result.completeExceptionally(new IllegalStateException("replication runtime of node " + selfId + " is closed"));
            return result;
        }
        post(() -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private Incarnation current(GroupId group) {
        Group g = groups.get(group);
        return g == null ? null : g.current;
    }

    private void onFrame(int from, byte[] bytes) {
        PaxosFrameCodec.Frame frame;
        try {
            frame = PaxosFrameCodec.decode(bytes);
        } catch (IllegalArgumentException e) {
            log.warn("dropped an unreadable frame from node {}: {}", from, e.getMessage());
            return;
        }
        GroupId group = new GroupId(frame.tableId(), frame.partition());
        post(() -> {
            Incarnation inc = current(group);
            if (inc != null) guarded(inc, () -> inc.member.onMessage(now(), frame.fromNode(), frame.message()));
        });
    }

    private void send(GroupId group, int to, PaxosMessage message) {
        transport.send(to, PaxosFrameCodec.encode(group.tableId(), group.partition(), selfId, message));
    }

    @Override
    public void close() {
        running = false;
        Thread t = loop;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        post(() -> {
            for (Group g : groups.values()) {
                if (g.current != null) g.current.live = false;
            }
            groups.clear();
        });
        if (t == null || !t.isAlive()) runQueuedAfterClose();
    }

    /** The loop has stopped: the last events (a close's clean-up, calls waiting for an answer) run here. */
    private void runQueuedAfterClose() {
        List<Runnable> batch = new ArrayList<>();
        events.drainTo(batch);
        for (Runnable r : batch) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.debug("an event queued before the close failed", e);
            }
        }
    }
}
