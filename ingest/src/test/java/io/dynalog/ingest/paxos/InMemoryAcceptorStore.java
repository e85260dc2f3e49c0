package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An {@link AcceptorStore} in memory with syncs that complete only when the test (or the
 * simulation) says so, and crashes that lose the writes no completed sync covers (optionally
 * keeping a prefix of them, as a store whose OS flushed some pages would).
 *
 * <p>Writes are numbered in the order they are made; a sync token records how many writes were
 * made when it was requested, and completing it makes every write up to there durable.
 */
public final class InMemoryAcceptorStore implements AcceptorStore {

    /** Told of an accept (when it becomes durable: the simulation counts votes with it; or when written). */
    public interface DurableAcceptListener {
        void onDurableAccept(long slot, Ballot ballot, byte[] value);
    }

    private sealed interface Write {}

    private record PromiseWrite(Ballot ballot) implements Write {}

    private record AcceptWrite(long slot, Ballot ballot, byte[] value) implements Write {}

    private record TruncateWrite(long slot, Ballot maxOrigin, Configuration configuration) implements Write {}

    private final DurableAcceptListener durableAcceptListener;

    private Ballot durablePromised = Ballot.ZERO;
    private long durableArchived;
    private Ballot durableArchivedMaxOrigin = Ballot.ZERO;
    private Configuration durableArchivedConfiguration;
    private final TreeMap<Long, AcceptedEntry> durableAccepted = new TreeMap<>();

    private final ArrayDeque<Write> unsynced = new ArrayDeque<>();
    /** Writes made durable so far (the index of unsynced.get(0) in the write order). */
    private long durableWrites;
    /** Token -> number of writes made when it was requested. */
    private final TreeMap<Long, Long> pendingSyncs = new TreeMap<>();
    private long lastToken;

    public InMemoryAcceptorStore() {
        this((slot, ballot, value) -> {});
    }

    public InMemoryAcceptorStore(DurableAcceptListener durableAcceptListener) {
        this.durableAcceptListener = durableAcceptListener;
    }

    /** A store whose durable state is {@code state}, as if synced before the test began. */
    public static InMemoryAcceptorStore withState(AcceptorStore.DurableState state) {
        InMemoryAcceptorStore store = new InMemoryAcceptorStore();
        store.durablePromised = state.promisedBallot();
        store.durableArchived = state.archivedSlot();
        store.durableArchivedMaxOrigin = state.archivedMaxOrigin();
        store.durableArchivedConfiguration = state.archivedConfiguration();
        for (AcceptedEntry e : state.accepted()) store.durableAccepted.put(e.slot(), e);
        return store;
    }

    @Override
    public DurableState load() {
        return durableState();
    }

    public DurableState durableState() {
        return new DurableState(durablePromised, durableArchived, durableArchivedMaxOrigin, durableArchivedConfiguration,
                new ArrayList<>(durableAccepted.values()));
    }

    @Override
    public void promise(Ballot ballot) {
        unsynced.add(new PromiseWrite(ballot));
    }

    @Override
    public void accept(long slot, Ballot ballot, byte[] value) {
        unsynced.add(new AcceptWrite(slot, ballot, value.clone()));
    }

    @Override
    public void truncateThrough(long slot, Ballot maxOrigin, Configuration configuration) {
        unsynced.add(new TruncateWrite(slot, maxOrigin, configuration));
    }

    @Override
    public long requestSync() {
        long token = ++lastToken;
        pendingSyncs.put(token, durableWrites + unsynced.size());
        return token;
    }

    /**
     * A member's handle on this store: writes go to it, and each sync requested is handed to
     * {@code completeLater} with the token and what completes it (this store's sync, then the
     * member told through {@code onSynced}), for the caller to run when the disk is done.
     */
    public AcceptorStore handle(java.util.function.LongConsumer onSynced, java.util.function.BiConsumer<Long, Runnable> completeLater) {
        return handle(onSynced, completeLater, (slot, ballot, value) -> {});
    }

    /** As {@link #handle(java.util.function.LongConsumer, java.util.function.BiConsumer)}, telling {@code onAcceptWritten} of each accept as it is written. */
    public AcceptorStore handle(java.util.function.LongConsumer onSynced, java.util.function.BiConsumer<Long, Runnable> completeLater,
                                DurableAcceptListener onAcceptWritten) {
        InMemoryAcceptorStore disk = this;
        return new AcceptorStore() {
            @Override
            public DurableState load() {
                return disk.load();
            }

            @Override
            public void promise(Ballot ballot) {
                disk.promise(ballot);
            }

            @Override
            public void accept(long slot, Ballot ballot, byte[] value) {
                onAcceptWritten.onDurableAccept(slot, ballot, value);
                disk.accept(slot, ballot, value);
            }

            @Override
            public void truncateThrough(long slot, Ballot maxOrigin, Configuration configuration) {
                disk.truncateThrough(slot, maxOrigin, configuration);
            }

            @Override
            public long requestSync() {
                long token = disk.requestSync();
                completeLater.accept(token, () -> {
                    disk.completeSync(token);
                    onSynced.accept(token);
                });
                return token;
            }
        };
    }

    public int unsyncedWrites() {
        return unsynced.size();
    }

    /** Tokens requested and not completed, lowest first. */
    public List<Long> pendingSyncTokens() {
        return new ArrayList<>(pendingSyncs.keySet());
    }

    /** Makes durable every write made before {@code token} was requested; also completes lower tokens. */
    public void completeSync(long token) {
        Long covered = pendingSyncs.get(token);
        if (covered == null) return;
        pendingSyncs.headMap(token, true).clear();
        applyThrough(covered);
    }

    /** Completes every pending sync; returns the highest token completed, or 0 if none was pending. */
    public long completeAllSyncs() {
        if (pendingSyncs.isEmpty()) return 0;
        long token = pendingSyncs.lastKey();
        completeSync(token);
        return token;
    }

    /**
     * The process dies: pending syncs never complete; the first {@code keptUnsyncedWrites}
     * unsynced writes happened to reach the disk, the rest are lost.
     */
    public void crash(int keptUnsyncedWrites) {
        pendingSyncs.clear();
        applyThrough(durableWrites + Math.min(keptUnsyncedWrites, unsynced.size()));
        unsynced.clear();
    }

    public Ballot durablePromised() {
        return durablePromised;
    }

    public long durableArchived() {
        return durableArchived;
    }

    public Map<Long, AcceptedEntry> durableAccepted() {
        return durableAccepted;
    }

    private void applyThrough(long writes) {
        while (durableWrites < writes && !unsynced.isEmpty()) {
            Write w = unsynced.pollFirst();
            durableWrites++;
            if (w instanceof PromiseWrite p) {
                durablePromised = p.ballot();
            } else if (w instanceof AcceptWrite a) {
                durableAccepted.put(a.slot(), new AcceptedEntry(a.slot(), a.ballot(), a.value()));
                durableAcceptListener.onDurableAccept(a.slot(), a.ballot(), a.value());
            } else if (w instanceof TruncateWrite t) {
                if (t.slot() > durableArchived) {
                    durableArchived = t.slot();
                    durableArchivedConfiguration = t.configuration();
                }
                if (t.maxOrigin().isAbove(durableArchivedMaxOrigin)) durableArchivedMaxOrigin = t.maxOrigin();
                durableAccepted.headMap(t.slot(), true).clear();
            }
        }
    }
}
