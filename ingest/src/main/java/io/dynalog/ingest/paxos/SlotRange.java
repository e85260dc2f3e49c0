package io.dynalog.ingest.paxos;

import java.util.ArrayList;
import java.util.List;

/** The slots {@code firstSlot..lastSlot}, both inclusive; never empty. */
public record SlotRange(long firstSlot, long lastSlot) {
    public SlotRange {
        if (lastSlot < firstSlot) {
            throw new IllegalArgumentException("empty slot range " + firstSlot + ".." + lastSlot);
        }
    }

    public boolean contains(long slot) {
        return slot >= firstSlot && slot <= lastSlot;
    }

    /** Ascending slots compressed into ranges; {@code slots[0..count)} must be strictly increasing. */
    static List<SlotRange> compress(long[] slots, int count) {
        List<SlotRange> ranges = new ArrayList<>(2);
        int i = 0;
        while (i < count) {
            int j = i;
            while (j + 1 < count && slots[j + 1] == slots[j] + 1) j++;
            ranges.add(new SlotRange(slots[i], slots[j]));
            i = j + 1;
        }
        return ranges;
    }
}
