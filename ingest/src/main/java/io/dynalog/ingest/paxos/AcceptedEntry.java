package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;
import java.util.Arrays;
import java.util.Objects;

/**
 * An acceptor's vote for one slot: it accepted {@code value} for {@code slot} under
 * {@code acceptedBallot}. Reported in {@link PaxosMessage.Promise} and returned by
 * {@link AcceptorStore#load()}. The value is opaque; equality compares its bytes.
 */
public record AcceptedEntry(long slot, Ballot acceptedBallot, byte[] value) {
    public AcceptedEntry {
        Objects.requireNonNull(acceptedBallot, "acceptedBallot");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AcceptedEntry e && slot == e.slot && acceptedBallot.equals(e.acceptedBallot)
                && Arrays.equals(value, e.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(slot, acceptedBallot) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "AcceptedEntry[slot=" + slot + ", ballot=" + acceptedBallot + ", " + value.length + " bytes]";
    }
}
