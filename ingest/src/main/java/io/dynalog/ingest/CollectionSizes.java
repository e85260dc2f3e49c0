package io.dynalog.ingest;

import io.dynalog.topology.keys.ItemCollections;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.WalEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sizes of a partition's item collections as its leader knows them (tables with local
 * indexes only), so that a write that would grow one past the limit is refused before it is
 * chosen. Confined to the replication loop, like the {@link PartitionReplica} that owns it.
 *
 * <p>A collection's chosen size is computed once per leadership, when a write first needs it: the
 * local replica's sum, with each of its items that has a chosen entry the replica may not have
 * applied (the overlay) counted as the overlay has it instead; the sum and those items' images are
 * read from one snapshot of the replica, so this is exact however far the replica lags. From then
 * on every chosen entry of the collection moves it by what the entry did (its images are the
 * item's chosen state before and after). A collection is forgotten once the overlay holds none of
 * its items and no write to it is in flight: the replica has then applied all of it, and computing
 * it again costs one read.
 *
 * <p>Writes proposed and not yet chosen count too, since writes to other items of the collection
 * run alongside: for the limit, only what they add (a pending shrink may never be chosen, so it
 * makes no room); for the size reported, all of it.
 */
final class CollectionSizes {
    private final ItemCollections collections;
    private final long limitBytes;
    private final LocalReplica replica;
    private final long tableId;
    /** The leader's overlay: the latest chosen entry of each item the replica may not have applied. */
    private final Map<StoreKey, WalEntry> overlay;
    /** The overlay's items, by collection, and the collection of each (an entry of no item keeps its item's). */
    private final Map<StoreKey, Set<StoreKey>> overlaidByCollection = new HashMap<>();
    private final Map<StoreKey, StoreKey> collectionOfOverlaid = new HashMap<>();
    private final Map<StoreKey, Size> known = new HashMap<>();

    private static final class Size {
        long chosenBytes;
        long proposedBytes;
        long proposedGrowthBytes;
        int proposedWrites;
    }

    CollectionSizes(ItemCollections collections, long limitBytes, LocalReplica replica, long tableId, Map<StoreKey, WalEntry> overlay) {
        this.collections = collections;
        this.limitBytes = limitBytes;
        this.replica = replica;
        this.tableId = tableId;
        this.overlay = overlay;
    }

    /**
     * What {@link #admit} decided for one write: its item's collection, what the write adds to it
     * (negative: a shrink), and the collection's size after it. Kept with the write, so that its
     * proposal and its choice are counted without sizing its item again.
     */
    record Admission(StoreKey collection, long growthBytes, long bytesAfter) {}

    /**
     * Admits a write that turns the item from {@code before} into {@code after}; null when the
     * item is absent in both (nothing to size).
     *
     * @throws CollectionSizeLimitException when the write would grow the collection past the limit
     */
    Admission admit(Map<String, AttributeValue> before, Map<String, AttributeValue> after) {
        if (before == null && after == null) return null;
        StoreKey collection = new StoreKey(collections.keyOf(after != null ? after : before));
        Size size = known.computeIfAbsent(collection, this::chosenSize);
        long growth = collections.bytesOf(after) - collections.bytesOf(before);
        if (growth > 0 && size.chosenBytes + size.proposedGrowthBytes + growth > limitBytes) {
            forgetIfSettled(collection, size);
            throw new CollectionSizeLimitException("Item collection size limit exceeded: this write would make the item's collection "
                    + (size.chosenBytes + size.proposedGrowthBytes + growth) + " bytes, over the limit of " + limitBytes + " bytes");
        }
        return new Admission(collection, growth, size.chosenBytes + size.proposedBytes + growth);
    }

    /** A write admitted by {@link #admit} was proposed (null: nothing was sized). */
    void proposed(Admission admission) {
        if (admission == null) return;
        Size size = known.get(admission.collection());
        size.proposedBytes += admission.growthBytes();
        size.proposedGrowthBytes += Math.max(0, admission.growthBytes());
        size.proposedWrites++;
    }

    /** A proposed write is settled: chosen (then {@link #chosen} counts it) or not. */
    void settled(Admission admission) {
        if (admission == null) return;
        Size size = known.get(admission.collection());
        size.proposedBytes -= admission.growthBytes();
        size.proposedGrowthBytes -= Math.max(0, admission.growthBytes());
        size.proposedWrites--;
        forgetIfSettled(admission.collection(), size);
    }

    /**
     * An entry was chosen while this member leads (before {@link #settled}, if it was proposed
     * here); {@code own}: its admission when it is this leader's own proposal, null otherwise.
     */
    void chosen(WalEntry entry, Admission own) {
        if (own != null) {
            Size size = known.get(own.collection());
            if (size != null) size.chosenBytes += own.growthBytes();
            return;
        }
        if (!sized(entry)) return;
        Size size = known.get(collectionOf(entry));
        if (size != null) size.chosenBytes += delta(entry);
    }

    /** An item's entry joined the overlay. */
    void overlaid(WalEntry entry) {
        if (!sized(entry)) return;
        StoreKey item = new StoreKey(entry.storeKey());
        StoreKey collection = collectionOf(entry);
        collectionOfOverlaid.put(item, collection);
        overlaidByCollection.computeIfAbsent(collection, c -> new HashSet<>()).add(item);
    }

    /** An item left the overlay: the replica has applied its latest chosen entry. */
    void applied(WalEntry entry) {
        StoreKey item = new StoreKey(entry.storeKey());
        StoreKey collection = collectionOfOverlaid.remove(item);
        if (collection == null) return;
        Set<StoreKey> items = overlaidByCollection.get(collection);
        if (items == null) return;
        items.remove(item);
        if (items.isEmpty()) overlaidByCollection.remove(collection);
        Size size = known.get(collection);
        if (size != null) forgetIfSettled(collection, size);
    }

    /** Leadership ended: nothing known is kept. */
    void clear() {
        overlaidByCollection.clear();
        collectionOfOverlaid.clear();
        known.clear();
    }

    private void forgetIfSettled(StoreKey collection, Size size) {
        if (size.proposedWrites == 0 && !overlaidByCollection.containsKey(collection)) known.remove(collection);
    }

    private Size chosenSize(StoreKey collection) {
        List<StoreKey> overlaid = new ArrayList<>(overlaidByCollection.getOrDefault(collection, Set.of()));
        List<byte[]> keys = new ArrayList<>(overlaid.size());
        for (StoreKey k : overlaid) keys.add(k.bytes());
        LocalReplica.CollectionSize applied = replica.collection(tableId, collection.bytes(), keys);
        Size size = new Size();
        size.chosenBytes = applied.bytes();
        for (int i = 0; i < overlaid.size(); i++) {
            size.chosenBytes += collections.bytesOf(imageOf(overlay.get(overlaid.get(i)))) - collections.bytesOf(applied.images().get(i));
        }
        return size;
    }

    /**
     * Whether an entry changes an item, so belongs to a collection: not a no-op, nor a delete of an
     * item that was not there (chosen only to record a request token), which admit never sizes.
     */
    private static boolean sized(WalEntry entry) {
        return entry.changesItem() && (imageOf(entry) != null || entry.oldImage() != null);
    }

    private StoreKey collectionOf(WalEntry entry) {
        Map<String, AttributeValue> image = imageOf(entry);
        return new StoreKey(collections.keyOf(image != null ? image : entry.oldImage()));
    }

    private long delta(WalEntry entry) {
        return collections.bytesOf(imageOf(entry)) - collections.bytesOf(entry.oldImage());
    }

    /** The item after an entry, as the replica applies it: a delete leaves none. */
    private static Map<String, AttributeValue> imageOf(WalEntry entry) {
        return entry == null || entry.kind() != WalEntry.Kind.PUT ? null : entry.newImage();
    }
}
