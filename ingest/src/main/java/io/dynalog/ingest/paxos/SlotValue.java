package io.dynalog.ingest.paxos;

import java.util.Arrays;
import java.util.Objects;

/** A value the leader asks acceptors to accept for a slot, carried in {@link PaxosMessage.Accept}. */
public record SlotValue(long slot, byte[] value) {
    public SlotValue {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlotValue v && slot == v.slot && Arrays.equals(value, v.value);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(slot) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "SlotValue[slot=" + slot + ", " + value.length + " bytes]";
    }
}
