package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;

/**
 * What a member knows of the values it orders, which are opaque to it otherwise: how to make a
 * no-op for a slot it must fill, which leader first proposed a value, and which values change the
 * group's configuration.
 */
public interface Values {
    /** A no-op for {@code slot}, proposed by the leader of {@code ballot} to fill a gap. */
    byte[] noop(long slot, Ballot ballot);

    /**
     * The ballot of the leader that first proposed {@code value} as a new value (not one it
     * recovered), or null for a no-op (a filler) or when unknown. The application's values carry
     * it (a WAL entry is resolved by its leader, under its ballot); a new leader uses it to tell a
     * recovered value that cannot have been chosen ({@link PaxosMember}, recovery). Returning null
     * is always safe: it only gives up that check.
     */
    default Ballot originOf(byte[] value) {
        return null;
    }

    /**
     * The configuration {@code value} names, or null when it names none ({@link Configuration}:
     * a configuration value chosen at slot {@code s} is in force from slot {@code s + 1}).
     */
    default Configuration configurationOf(byte[] value) {
        return null;
    }

    /**
     * A value naming {@code next}, proposed as new at {@code slot} by the leader of {@code ballot}
     * (so {@link #originOf} of it is {@code ballot}). A value space that cannot name
     * configurations throws {@link UnsupportedOperationException}: its groups keep their first.
     */
    default byte[] configuration(long slot, Ballot ballot, Configuration next) {
        throw new UnsupportedOperationException("these values cannot name a configuration");
    }
}
