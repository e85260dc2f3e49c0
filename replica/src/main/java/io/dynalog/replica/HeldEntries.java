package io.dynalog.replica;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The entries of one table partition's WAL read ahead of the next slot to apply: held, by slot,
 * until the slots before them arrive (or a gap before them is skipped as compacted), so that the
 * partition's entries are applied in slot order.
 *
 * <p>Besides the entries by slot it keeps them by WAL offset, because the partition's progress is
 * the offset of the first record held: every record before it is applied (or was a duplicate), and
 * a restart reads the held ones again from there. It counts what it holds in bytes, so the replica
 * can stop a partition whose missing slot never comes instead of growing without bound.
 *
 * <p>Not thread-safe: only the apply loop touches it.
 */
final class HeldEntries {
    /** What a held entry costs beyond its encoding (the objects and map nodes around it), roughly. */
    static final long ENTRY_OVERHEAD_BYTES = 200;

    /**
     * An entry held: its slot, the offset of its record, its encoding as the WAL holds it, the
     * checksum of that encoding, the leader's time of the write ({@code WalEntry#timestampMs}), and
     * its item's store key (null for a NOOP).
     */
    record Held(long slot, long offset, byte[] encoded, long checksum, long timestampMs, ByteBuffer item) {
        long bytes() {
            return encoded.length + ENTRY_OVERHEAD_BYTES;
        }
    }

    private final TreeMap<Long, Held> bySlot = new TreeMap<>();
    /** Offset to slot of every held entry; the first key is the partition's next offset to report. */
    private final TreeMap<Long, Long> slotByOffset = new TreeMap<>();
    /** The held slots of each item: a record read now is not its item's newest if a later slot of it is held. */
    private final Map<ByteBuffer, TreeSet<Long>> slotsByItem = new HashMap<>();
    private long bytes;

    boolean isEmpty() {
        return bySlot.isEmpty();
    }

    int size() {
        return bySlot.size();
    }

    /** The bytes held, counting {@link #ENTRY_OVERHEAD_BYTES} per entry. */
    long bytes() {
        return bytes;
    }

    /** The entry held for {@code slot}, or null. */
    Held get(long slot) {
        return bySlot.get(slot);
    }

    /** Holds an entry; its slot must not be held already. */
    void hold(Held held) {
        if (bySlot.putIfAbsent(held.slot(), held) != null) {
            throw new IllegalStateException("slot " + held.slot() + " is held already");
        }
        slotByOffset.put(held.offset(), held.slot());
        if (held.item() != null) slotsByItem.computeIfAbsent(held.item(), k -> new TreeSet<>()).add(held.slot());
        bytes += held.bytes();
    }

    /** The highest slot held for an item, or -1 when none is. */
    long highestSlotOf(ByteBuffer item) {
        if (slotsByItem.isEmpty()) return -1;
        TreeSet<Long> slots = slotsByItem.get(item);
        return slots == null ? -1 : slots.last();
    }

    /** The entry with the lowest slot, or null when none is held. */
    Held first() {
        Map.Entry<Long, Held> e = bySlot.firstEntry();
        return e == null ? null : e.getValue();
    }

    /** Releases the entry of {@code slot}; returns it, or null when that slot is not held. */
    Held release(long slot) {
        Held held = bySlot.remove(slot);
        if (held != null) {
            slotByOffset.remove(held.offset());
            if (held.item() != null) {
                TreeSet<Long> slots = slotsByItem.get(held.item());
                slots.remove(slot);
                if (slots.isEmpty()) slotsByItem.remove(held.item());
            }
            bytes -= held.bytes();
        }
        return held;
    }

    /** The lowest offset of a held entry's record; only when something is held. */
    long firstOffset() {
        return slotByOffset.firstKey();
    }

    /** Forgets every entry (they will be read again from the partition's persisted progress). */
    void clear() {
        bySlot.clear();
        slotByOffset.clear();
        slotsByItem.clear();
        bytes = 0;
    }
}
