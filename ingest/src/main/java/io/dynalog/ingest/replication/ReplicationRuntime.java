package io.dynalog.ingest.replication;

import io.dynalog.ingest.acceptor.RocksAcceptorStores;
import io.dynalog.ingest.paxos.NoopFactory;
import io.dynalog.ingest.paxos.PaxosConfig;
import io.dynalog.ingest.paxos.PaxosListener;
import io.dynalog.ingest.paxos.PaxosMember;
import io.dynalog.ingest.paxos.PaxosMessage;
import io.dynalog.ingest.paxos.ProposeResult;
import io.dynalog.ingest.paxos.Role;
import io.dynalog.ingest.peer.PaxosFrameCodec;
import io.dynalog.ingest.peer.PeerTransport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the Paxos members of every replica group this node belongs to: the one thread on which
 * each {@link PaxosMember} lives (it is not thread-safe), fed from the peer transport, the
 * acceptor stores' sync completions, a timer, and the callers of its public methods.
 *
 * <p>Responsibilities: create and stop members as groups are joined and left; decode frames and
 * hand each message to its group's member; encode and send what members put in their outbox;
 * report each group's completed syncs to its member; tick every member every
 * {@code tickIntervalMs}; flush proposals once per turn of the loop (so proposals made in one turn
 * go out in one Accept, the batching the protocol relies on).
 *
 * <p>Threading: every public method may be called from any thread; it queues work for the loop
 * and answers through a future. Listener callbacks run on the loop and must not block.
 */
public final class ReplicationRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicationRuntime.class);

    private final int selfId;
    private final PeerTransport transport;
    private final RocksAcceptorStores stores;
    private final PaxosConfig config;
    private final long tickIntervalMs;
    private final LongSupplier clockMs;
    private final Random random;
    private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    private final Map<GroupId, PaxosMember> members = new HashMap<>();
    private final Thread loop;
    private volatile boolean running = true;

    /**
     * @param clockMs this node's clock in milliseconds; it must never go back (a monotonic clock)
     */
    public ReplicationRuntime(int selfId, PeerTransport transport, RocksAcceptorStores stores, PaxosConfig config,
                              long tickIntervalMs, LongSupplier clockMs, Random random) {
        this.selfId = selfId;
        this.transport = transport;
        this.stores = stores;
        this.config = config;
        this.tickIntervalMs = tickIntervalMs;
        this.clockMs = clockMs;
        this.random = random;
        this.loop = new Thread(this::run, "replication-" + selfId);
        this.loop.setDaemon(true);
        transport.onFrame(this::onFrame);
        loop.start();
    }

    /** Joins a group: starts this node's member of it (its durable state is loaded from the store). */
    public CompletableFuture<Void> join(GroupId group, List<Integer> memberIds, NoopFactory noops, PaxosListener listener) {
        return join(group, memberIds, noops, ctx -> listener);
    }

    /**
     * Joins a group whose listener needs the member itself: {@code listenerFactory} is given the
     * group's {@link GroupContext} (on the loop) and returns the listener.
     */
    public CompletableFuture<Void> join(GroupId group, List<Integer> memberIds, NoopFactory noops,
                                        java.util.function.Function<GroupContext, PaxosListener> listenerFactory) {
        return call(() -> {
            if (members.containsKey(group)) return null;
            Context context = new Context(group);
            PaxosMember member = new PaxosMember(selfId, memberIds,
                    stores.forGroup(group.tableId(), group.partition(), token -> events.add(() -> onSynced(group, token))),
                    (to, message) -> send(group, to, message), random, config, noops, listenerFactory.apply(context));
            context.member = member;
            members.put(group, member);
            member.start(clockMs.getAsLong());
            return null;
        });
    }

    /**
     * A group's member as its listener may use it. Methods marked "loop only" must be called on
     * the runtime's loop and never from inside a listener callback (use {@link #execute} to get
     * out of one).
     */
    public interface GroupContext {
        /** Runs {@code task} on the loop, after the current event. */
        void execute(Runnable task);

        /** Runs {@code task} on the loop after {@code delayMs}. */
        void schedule(Runnable task, long delayMs);

        long nowMs();

        /** Loop only. */
        ProposeResult propose(LongFunction<byte[]> valueForSlot);

        /** Loop only. */
        boolean hasLease();

        /** When the member's lease ends by the runtime's clock ({@link #nowMs}), or Long.MIN_VALUE. Loop only. */
        long leaseExpiresAtMs();

        /** Loop only. */
        int leaderHint();

        /** The WAL holds every slot through this one, as far as the member knows. Loop only. */
        long archivedSlot();

        /** The WAL holds every slot through {@code slot}; any thread. */
        void archived(long slot);
    }

    private final class Context implements GroupContext {
        final GroupId group;
        PaxosMember member;

        Context(GroupId group) {
            this.group = group;
        }

        @Override
        public void execute(Runnable task) {
            events.add(() -> {
                if (members.get(group) == member) task.run();
            });
        }

        @Override
        public void schedule(Runnable task, long delayMs) {
            long due = clockMs.getAsLong() + delayMs;
            synchronized (delayed) {
                delayed.add(new Delayed(due, () -> execute(task)));
            }
        }

        @Override
        public long nowMs() {
            return clockMs.getAsLong();
        }

        @Override
        public ProposeResult propose(LongFunction<byte[]> valueForSlot) {
            return member.propose(clockMs.getAsLong(), valueForSlot);
        }

        @Override
        public boolean hasLease() {
            return member.hasLease(clockMs.getAsLong());
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
            ReplicationRuntime.this.archived(group, slot);
        }
    }

    private record Delayed(long dueMs, Runnable task) {}

    private final java.util.PriorityQueue<Delayed> delayed =
            new java.util.PriorityQueue<>(java.util.Comparator.comparingLong(Delayed::dueMs));

    private void runDueDelayed(long now) {
        List<Runnable> due = new ArrayList<>();
        synchronized (delayed) {
            while (!delayed.isEmpty() && delayed.peek().dueMs() <= now) due.add(delayed.poll().task());
        }
        due.forEach(Runnable::run);
    }

    /** Leaves a group (the table was deleted, or the partition moved): its member stops. */
    public CompletableFuture<Void> leave(GroupId group) {
        return call(() -> {
            members.remove(group);
            return null;
        });
    }

    /**
     * Proposes a value for the next slot of a group this node leads; {@code valueForSlot} builds
     * the value once the slot is known (it runs on the loop).
     */
    public CompletableFuture<ProposeResult> propose(GroupId group, LongFunction<byte[]> valueForSlot) {
        return call(() -> {
            PaxosMember m = members.get(group);
            if (m == null) return new ProposeResult.NotLeader(PaxosMember.NO_LEADER);
            return m.propose(clockMs.getAsLong(), valueForSlot);
        });
    }

    /** The group's WAL holds every slot through {@code slot} (reported by its leader's appender). */
    public void archived(GroupId group, long slot) {
        events.add(() -> {
            PaxosMember m = members.get(group);
            if (m != null) m.onArchived(clockMs.getAsLong(), slot);
        });
    }

    /** A snapshot of a group's member as it is now, or null when this node is not in the group. */
    public CompletableFuture<MemberStatus> status(GroupId group) {
        return call(() -> {
            PaxosMember m = members.get(group);
            if (m == null) return null;
            long now = clockMs.getAsLong();
            return new MemberStatus(m.role(), m.leaderHint(), m.isLeaderReady(), m.hasLease(now), m.chosenUpTo(), m.archivedSlot());
        });
    }

    /** What a member is and knows at one moment. */
    public record MemberStatus(Role role, int leaderHint, boolean leaderReady, boolean hasLease, long chosenUpTo, long archivedSlot) {}

    /** Runs {@code work} on the loop, with the members, and completes with its result. */
    public <T> CompletableFuture<T> call(java.util.function.Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (!running) {
            result.completeExceptionally(new IllegalStateException("replication runtime of node " + selfId + " is closed"));
            return result;
        }
        events.add(() -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
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
        events.add(() -> {
            PaxosMember m = members.get(group);
            if (m != null) m.onMessage(clockMs.getAsLong(), frame.fromNode(), frame.message());
        });
    }

    private void send(GroupId group, int to, PaxosMessage message) {
        transport.send(to, PaxosFrameCodec.encode(group.tableId(), group.partition(), selfId, message));
    }

    private void onSynced(GroupId group, long token) {
        PaxosMember m = members.get(group);
        if (m != null) m.onSynced(clockMs.getAsLong(), token);
    }

    private void run() {
        long nextTickMs = clockMs.getAsLong();
        List<Runnable> batch = new ArrayList<>();
        while (running) {
            try {
                long waitMs = Math.max(0, nextTickMs - clockMs.getAsLong());
                Runnable first = events.poll(waitMs, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    events.drainTo(batch);
                    for (Runnable r : batch) runSafely(r);
                    batch.clear();
                }
                long now = clockMs.getAsLong();
                runDueDelayed(now);
                if (now >= nextTickMs) {
                    for (PaxosMember m : members.values()) runSafely(() -> m.onTick(now));
                    nextTickMs = now + tickIntervalMs;
                }
                for (PaxosMember m : members.values()) runSafely(() -> m.flush(clockMs.getAsLong()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void runSafely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.error("replication event failed", e);
        }
    }

    @Override
    public void close() {
        running = false;
        events.add(() -> { });
        try {
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        members.clear();
    }

}
