package io.dynalog.ingest;

import io.dynalog.topology.keys.ItemCollections;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.ItemSize;
import io.dynalog.topology.wal.WalEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * A partition leader's view of its items: the overlay of chosen entries its local replica may not
 * have applied yet, over that replica; and the read barriers of consistent range reads, which
 * read the replica alone.
 *
 * <p>Invariants:
 * <ul>
 *   <li>For every item, the overlay holds the latest entry chosen in this leadership or recovered
 *       unarchived at its start, until the local replica has consumed past the WAL offset at which
 *       Kafka acknowledged that entry (then the replica applied it, or something newer, however the
 *       WAL ordered the appends), or until the replica has applied every slot through it (a new
 *       leader's read-back). So overlay over replica is the item's chosen state.</li>
 *   <li>A barrier at slot {@code s} completes only once no overlay entry at or below {@code s}
 *       remains: the replica's store then reflects every entry chosen through {@code s}.</li>
 *   <li>{@link #bytes()} is the size of the entries held, for back-pressure; on a table with local
 *       indexes, the collection sizes follow every entry that joins or leaves the overlay.</li>
 * </ul>
 *
 * <p>Threading: changed on the replication loop only; {@link #item} may be called from any thread
 * (the overlay is a concurrent map; a caller off the loop must check afterwards that the
 * leadership it read under still holds). Barriers complete on {@code completions}.
 */
final class LeaderView {
    private final LocalReplica replica;
    private final long tableId;
    private final Executor completions;
    private final Map<StoreKey, WalEntry> overlay = new ConcurrentHashMap<>();
    /** The overlay's entries by slot, with the WAL offset of their last acknowledged append (-1 until there is one). */
    private final TreeMap<Long, Held> bySlot = new TreeMap<>();
    /** The overlay's entries that carry a request token, by token. */
    private final Map<String, WalEntry> byToken = new HashMap<>();
    private final List<Barrier> barriers = new ArrayList<>();
    /** Null for a table without local indexes (no item collections to limit). */
    private final CollectionSizes collectionSizes;
    /** The local replica's next offset to consume, as last reported (kept across leaderships). */
    private long replicaNextOffset;
    private long bytes;

    private static final class Held {
        final WalEntry entry;
        final long bytes;
        long ackOffset = -1;

        Held(WalEntry entry, long bytes) {
            this.entry = entry;
            this.bytes = bytes;
        }
    }

    /** A consistent range read waiting until the replica reflects every entry chosen through {@code slot}. */
    static final class Barrier {
        final long slot;
        final CompletableFuture<Void> passed = new CompletableFuture<>();

        Barrier(long slot) {
            this.slot = slot;
        }
    }

    /**
     * @param collections how the table's item collections are sized; null when it has no local index
     * @param collectionLimitBytes the most a write may grow an item collection to
     */
    LeaderView(LocalReplica replica, long tableId, Executor completions, ItemCollections collections, long collectionLimitBytes) {
        this.replica = replica;
        this.tableId = tableId;
        this.completions = completions;
        this.collectionSizes = collections == null ? null
                : new CollectionSizes(collections, collectionLimitBytes, replica, tableId, overlay);
    }

    /** The item's chosen state (null: absent). Any thread; see the class comment. */
    Map<String, AttributeValue> item(StoreKey key) {
        WalEntry chosen = overlay.get(key);
        if (chosen != null) return chosen.newImage();
        return replica.read(tableId, key.bytes());
    }

    /**
     * The chosen entry that carries {@code token}: in the overlay (chosen, maybe not yet applied
     * here), else as the local replica recorded it (within the idempotency window); null if none.
     */
    WalEntry chosenWithToken(String token) {
        WalEntry inOverlay = byToken.get(token);
        return inOverlay != null ? inOverlay : replica.recordedWrite(tableId, token);
    }

    /** Null for a table without local indexes. */
    CollectionSizes collectionSizes() {
        return collectionSizes;
    }

    /** The size of the entries the overlay holds. */
    long bytes() {
        return bytes;
    }

    /** A chosen entry (or one recovered unarchived) joins the view. */
    void add(WalEntry entry) {
        if (!entry.changesItem()) return;
        overlay.put(new StoreKey(entry.storeKey()), entry);
        Held held = new Held(entry, approximateBytes(entry));
        Held replaced = bySlot.put(entry.slot(), held);
        if (replaced != null) bytes -= replaced.bytes;
        bytes += held.bytes;
        if (entry.requestToken() != null) byToken.put(entry.requestToken(), entry);
        if (collectionSizes != null) collectionSizes.overlaid(entry);
    }

    /** Kafka acknowledged {@code entry} at {@code offset}. */
    void acknowledged(WalEntry entry, long offset) {
        Held held = bySlot.get(entry.slot());
        if (held != null && held.entry == entry) {
            held.ackOffset = Math.max(held.ackOffset, offset);
            trim();
        }
    }

    /** The local replica consumed the partition's WAL below {@code nextOffset}. */
    void applied(long nextOffset) {
        replicaNextOffset = Math.max(replicaNextOffset, nextOffset);
        trim();
    }

    /**
     * The local replica has applied every slot through {@code slot} (a new leader's read-back):
     * the overlay's entries at or below it leave it, since its store shows them, or newer.
     */
    void dropThroughSlot(long slot) {
        while (!bySlot.isEmpty() && bySlot.firstKey() <= slot) removeFirst();
        releaseBarriers();
    }

    /** Registers a barrier at {@code slot}; it may have passed already. */
    Barrier barrier(long slot) {
        Barrier b = new Barrier(slot);
        barriers.add(b);
        releaseBarriers();
        return b;
    }

    /** Gives up on a barrier that has not passed; true when it was still waiting. */
    boolean cancel(Barrier b) {
        return barriers.remove(b);
    }

    /** The leadership ends: the view empties, and the barriers still waiting are returned (to be failed). */
    List<Barrier> clear() {
        overlay.clear();
        bySlot.clear();
        byToken.clear();
        bytes = 0;
        if (collectionSizes != null) collectionSizes.clear();
        List<Barrier> waiting = new ArrayList<>(barriers);
        barriers.clear();
        return waiting;
    }

    private void trim() {
        while (!bySlot.isEmpty()) {
            Held first = bySlot.firstEntry().getValue();
            if (first.ackOffset < 0 || first.ackOffset >= replicaNextOffset) break;
            removeFirst();
        }
        releaseBarriers();
    }

    private void removeFirst() {
        Held first = bySlot.pollFirstEntry().getValue();
        bytes -= first.bytes;
        String token = first.entry.requestToken();
        if (token != null) byToken.remove(token, first.entry);
        StoreKey key = new StoreKey(first.entry.storeKey());
        if (overlay.get(key) == first.entry) {
            overlay.remove(key);
            if (collectionSizes != null) collectionSizes.applied(first.entry);
        }
    }

    private void releaseBarriers() {
        if (barriers.isEmpty()) return;
        long firstHeld = bySlot.isEmpty() ? Long.MAX_VALUE : bySlot.firstKey();
        for (Iterator<Barrier> it = barriers.iterator(); it.hasNext(); ) {
            Barrier b = it.next();
            if (b.slot < firstHeld) {
                it.remove();
                completions.execute(() -> b.passed.complete(null));
            }
        }
    }

    static long approximateBytes(WalEntry e) {
        return 64 + (e.newImage() == null ? 0 : ItemSize.of(e.newImage())) + (e.oldImage() == null ? 0 : ItemSize.of(e.oldImage()));
    }
}
