package io.dynalog.ingest.paxos;

import java.util.Arrays;

/**
 * A window of slots starting after a moving base (the archived slot), each holding an item or
 * nothing: a growable ring buffer indexed by slot, so lookups and appends are O(1) and dropping
 * archived slots is O(dropped). Not thread-safe.
 */
final class SlotLog<T> {
    private Object[] items = new Object[16];
    /** Index in {@link #items} of {@link #firstSlot}. */
    private int head;
    private long firstSlot;
    /** Positions in use from {@link #firstSlot}; some may be empty. */
    private int length;

    SlotLog(long firstSlot) {
        this.firstSlot = firstSlot;
    }

    long firstSlot() {
        return firstSlot;
    }

    /** One past the highest slot that may hold an item. */
    long endSlot() {
        return firstSlot + length;
    }

    @SuppressWarnings("unchecked")
    T get(long slot) {
        if (slot < firstSlot || slot >= firstSlot + length) return null;
        return (T) items[(int) ((head + (slot - firstSlot)) & (items.length - 1))];
    }

    void put(long slot, T item) {
        if (slot < firstSlot) {
            throw new IllegalArgumentException("slot " + slot + " is below the window, which starts at " + firstSlot);
        }
        long offset = slot - firstSlot;
        if (offset >= Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("slot " + slot + " is too far above the window start " + firstSlot);
        }
        if (offset >= items.length) grow((int) offset + 1);
        items[(int) ((head + offset) & (items.length - 1))] = item;
        if (offset >= length) length = (int) offset + 1;
    }

    /** Drops every slot at or below {@code slot}; the window then starts at {@code slot + 1} (or stays). */
    void truncateThrough(long slot) {
        if (slot < firstSlot) return;
        long drop = slot - firstSlot + 1;
        if (drop >= length) {
            Arrays.fill(items, null);
            head = 0;
            length = 0;
        } else {
            for (int i = 0; i < drop; i++) {
                items[(head + i) & (items.length - 1)] = null;
            }
            head = (int) ((head + drop) & (items.length - 1));
            length -= (int) drop;
        }
        firstSlot = slot + 1;
    }

    private void grow(int minCapacity) {
        int capacity = items.length;
        while (capacity < minCapacity) capacity <<= 1;
        Object[] grown = new Object[capacity];
        for (int i = 0; i < length; i++) {
            grown[i] = items[(head + i) & (items.length - 1)];
        }
        items = grown;
        head = 0;
    }
}
