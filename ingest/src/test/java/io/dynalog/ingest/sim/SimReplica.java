package io.dynalog.ingest.sim;

import io.dynalog.ingest.LocalReplica;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.WalEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * One node's replica of one table, as {@code ReplicaProcessor} keeps it: it consumes each WAL
 * partition in offset order and applies entries in slot order, so that its store is always the
 * state after a prefix of the chosen slots: an entry ahead of the next slot is held until the gap
 * before it fills, one at or below the applied slot is a duplicate and skipped, and a gap is
 * skipped only when the entry after it is older than the WAL's compaction lag (compaction may
 * have removed the slots). It reports as consumed only what precedes its first held record. It
 * keeps, as the real one does, the items whose last record is stale (an older slot landed after a
 * newer one of the item, applied or held) until a record of the covering slot or later comes. Its
 * state is durable (RocksDB writes entries and progress in one batch): it survives a crash of its
 * node. The simulation decides when it consumes.
 */
final class SimReplica implements LocalReplica {
    private final long tableId;
    private final long compactionLagMs;
    /**
     * Whether the leader is told of stale records. Off, the stale-append window is all that keeps
     * compaction from keeping one, and is checked on its own.
     */
    private final boolean reportsStaleTails;

    /** What the replica holds of one WAL partition. */
    static final class PartitionState {
        /** By store key (hex), the item's image. */
        final TreeMap<String, Map<String, AttributeValue>> items = new TreeMap<>();
        /** By store key (hex), the slot of the entry last applied to the item. */
        final Map<String, Long> versions = new HashMap<>();
        /** By store key (hex), items whose last record is stale, with the slot that covers each. */
        final TreeMap<String, Long> staleTails = new TreeMap<>();
        final Map<String, WalEntry> tokens = new HashMap<>();
        /** The next record to read. */
        long position;
        /** Every slot through this one is applied. */
        long appliedSlot;
        /** Entries read ahead of the next slot, by slot, with their records. */
        final TreeMap<Long, SimKafka.Record> held = new TreeMap<>();
        final List<Map.Entry<Long, CompletableFuture<Void>>> slotWaiters = new ArrayList<>();
        final List<Map.Entry<Long, CompletableFuture<Void>>> offsetWaiters = new ArrayList<>();
        /** By the position to read to, what waits for the applied slot once the replica has read that far. */
        final List<Map.Entry<Long, CompletableFuture<Long>>> readWaiters = new ArrayList<>();

        /** Every record before this offset is applied, or was a duplicate (what the replica reports). */
        long nextOffset() {
            long first = position;
            for (SimKafka.Record r : held.values()) first = Math.min(first, r.offset());
            return first;
        }
    }

    private final Map<Integer, PartitionState> partitions = new HashMap<>();

    SimReplica(long tableId, long compactionLagMs, boolean reportsStaleTails) {
        this.tableId = tableId;
        this.compactionLagMs = compactionLagMs;
        this.reportsStaleTails = reportsStaleTails;
    }

    PartitionState partition(int partition) {
        return partitions.computeIfAbsent(partition, p -> new PartitionState());
    }

    /**
     * Reads up to {@code max} records of the partition's log from where it stopped, at true time
     * {@code nowMs}; returns whether its reported offset moved. Completes the waits it satisfied.
     */
    boolean consume(SimKafka.Log log, int partition, int max, long nowMs) {
        PartitionState s = partition(partition);
        long before = s.nextOffset();
        int read = 0;
        while (s.position < log.endOffset() && read < max) {
            SimKafka.Record r = log.at(s.position);
            s.position++;
            read++;
            if (r == null) continue;
            long slot = r.entry().slot();
            if (r.entry().kind() != WalEntry.Kind.NOOP) trackTail(s, r.key(), slot);
            if (slot <= s.appliedSlot) {
                if (r.entry().requestToken() != null) s.tokens.putIfAbsent(r.entry().requestToken(), r.entry());
            } else if (slot == s.appliedSlot + 1) {
                apply(s, r.entry());
                applyHeld(s);
            } else {
                s.held.putIfAbsent(slot, r);
            }
        }
        // A gap compaction may explain (the entry after it is older than the compaction lag) is skipped.
        while (!s.held.isEmpty() && nowMs - s.held.firstEntry().getValue().landedAtMs() > compactionLagMs) {
            s.appliedSlot = s.held.firstKey() - 1;
            applyHeld(s);
        }
        s.slotWaiters.removeIf(w -> {
            if (w.getKey() > s.appliedSlot) return false;
            w.getValue().complete(null);
            return true;
        });
        s.readWaiters.removeIf(w -> {
            if (w.getKey() > s.position) return false;
            w.getValue().complete(s.appliedSlot);
            return true;
        });
        long next = s.nextOffset();
        s.offsetWaiters.removeIf(w -> {
            if (w.getKey() > next || !s.held.isEmpty()) return false;
            w.getValue().complete(null);
            return true;
        });
        return next > before;
    }

    /** As ReplicaProcessor#trackTail. */
    private static void trackTail(PartitionState s, String key, long slot) {
        long newest = slot <= s.appliedSlot ? s.versions.getOrDefault(key, -1L) : -1;
        for (SimKafka.Record held : s.held.values()) {
            if (held.key().equals(key)) newest = Math.max(newest, held.entry().slot());
        }
        long needed = s.staleTails.getOrDefault(key, -1L);
        if (newest > slot) {
            if (newest > needed) s.staleTails.put(key, newest);
        } else if (needed >= 0 && slot >= needed) {
            s.staleTails.remove(key);
        }
    }

    private static void applyHeld(PartitionState s) {
        while (!s.held.isEmpty() && s.held.firstKey() <= s.appliedSlot + 1) {
            SimKafka.Record r = s.held.pollFirstEntry().getValue();
            if (r.entry().slot() == s.appliedSlot + 1) apply(s, r.entry());
        }
    }

    private static void apply(PartitionState s, WalEntry e) {
        s.appliedSlot = e.slot();
        if (e.requestToken() != null) s.tokens.put(e.requestToken(), e);
        if (e.kind() == WalEntry.Kind.NOOP) return;
        String key = HexFormat.of().formatHex(e.storeKey());
        s.versions.put(key, e.slot());
        if (e.kind() == WalEntry.Kind.PUT) s.items.put(key, e.newImage()); else s.items.remove(key);
    }

    /** The items of one partition (by store key), as applied. */
    Map<String, Map<String, AttributeValue>> items(int partition) {
        return partition(partition).items;
    }

    @Override
    public Map<String, AttributeValue> read(long table, byte[] storeKey) {
        String key = HexFormat.of().formatHex(storeKey);
        for (PartitionState s : partitions.values()) {
            Map<String, AttributeValue> item = s.items.get(key);
            if (item != null) return item;
        }
        return null;
    }

    @Override
    public CollectionSize collection(long table, byte[] collectionKey, List<byte[]> storeKeys) {
        throw new UnsupportedOperationException("the simulated table has no local index");
    }

    @Override
    public WalEntry recordedWrite(long table, String requestToken) {
        for (PartitionState s : partitions.values()) {
            WalEntry e = s.tokens.get(requestToken);
            if (e != null) return e;
        }
        return null;
    }

    @Override
    public List<StaleTail> staleTails(long table, int partition) {
        List<StaleTail> tails = new ArrayList<>();
        if (!reportsStaleTails) return tails;
        partition(partition).staleTails.forEach((key, coveredBy) -> tails.add(new StaleTail(HexFormat.of().parseHex(key), coveredBy)));
        return tails;
    }

    @Override
    public long appliedSlot(long table, int partition) {
        return partition(partition).appliedSlot;
    }

    @Override
    public CompletableFuture<Void> whenApplied(long table, int partition, long slot) {
        PartitionState s = partition(partition);
        if (slot <= s.appliedSlot) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> f = new CompletableFuture<>();
        s.slotWaiters.add(Map.entry(slot, f));
        return f;
    }

    /** Completes once the replica consumed what the log held when this was called, with nothing held. */
    CompletableFuture<Void> whenConsumed(int partition, long endOffset) {
        PartitionState s = partition(partition);
        if (endOffset <= s.nextOffset() && s.held.isEmpty()) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> f = new CompletableFuture<>();
        s.offsetWaiters.add(Map.entry(endOffset, f));
        return f;
    }

    /** Set by the simulation: the end offset of a partition's log now. */
    java.util.function.IntToLongFunction logEnd = p -> 0;

    @Override
    public CompletableFuture<Void> whenCaughtUp(long table, int partition) {
        return whenConsumed(partition, logEnd.applyAsLong(partition));
    }

    @Override
    public CompletableFuture<Long> whenRead(long table, int partition) {
        PartitionState s = partition(partition);
        long end = logEnd.applyAsLong(partition);
        if (end <= s.position) return CompletableFuture.completedFuture(s.appliedSlot);
        CompletableFuture<Long> f = new CompletableFuture<>();
        s.readWaiters.add(Map.entry(end, f));
        return f;
    }

    /** A crash: the waits of the dead process go; the durable state stays. */
    void crash() {
        for (PartitionState s : partitions.values()) {
            s.slotWaiters.clear();
            s.offsetWaiters.clear();
            s.readWaiters.clear();
        }
    }

    long tableId() {
        return tableId;
    }
}
