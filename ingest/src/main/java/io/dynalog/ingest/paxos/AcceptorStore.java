package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.util.List;
import java.util.Objects;

/**
 * The durable state of one acceptor in one group: its promised ballot, the entries it accepted
 * above its archived slot, and that archived slot (in production, one RocksDB column family
 * written with sync=true, many writes sharing one fsync).
 *
 * <p>Writes are ordered and buffered: a write becomes durable only once a sync requested after it
 * completes, and a crash loses the writes no completed sync covers (possibly only a suffix of
 * them: a store may persist a prefix of its unsynced writes). {@link #requestSync()} returns a
 * token at once; the driver reports completion by calling
 * {@link PaxosMember#onSynced(long, long)} with that token on the member's thread. Tokens are
 * positive and strictly increasing over the life of one member; completing token {@code t}
 * means every write made before the {@code requestSync()} that returned {@code t} is durable
 * (so it also completes every lower token).
 */
public interface AcceptorStore {

    /**
     * What survived: the promised ballot, the archived slot, the highest origin among the values
     * chosen through it ({@link Values#originOf}; {@link Ballot#ZERO} when none or unknown), the
     * configuration in force after it (null: the group's first, none having been recorded), and
     * the accepted entries above it by slot.
     */
    record DurableState(Ballot promisedBallot, long archivedSlot, Ballot archivedMaxOrigin,
                        Configuration archivedConfiguration, List<AcceptedEntry> accepted) {
        public static final DurableState EMPTY = new DurableState(Ballot.ZERO, 0, Ballot.ZERO, null, List.of());

        public DurableState {
            Objects.requireNonNull(promisedBallot, "promisedBallot");
            Objects.requireNonNull(archivedMaxOrigin, "archivedMaxOrigin");
            accepted = List.copyOf(accepted);
        }

        public DurableState(Ballot promisedBallot, long archivedSlot, List<AcceptedEntry> accepted) {
            this(promisedBallot, archivedSlot, Ballot.ZERO, null, accepted);
        }
    }

    /** The durable state as of the last completed sync; called once, when the member starts. */
    DurableState load();

    /** Records the promise not to accept ballots below {@code ballot}. */
    void promise(Ballot ballot);

    /** Records the vote for {@code value} at {@code slot} under {@code ballot}, replacing any earlier one. */
    void accept(long slot, Ballot ballot, byte[] value);

    /**
     * The WAL holds every slot through {@code slot}: drops their entries and records the new
     * archived slot, with the highest origin among the values chosen through it and the
     * configuration in force for the slots after it (a store may write it only when it changed).
     */
    void truncateThrough(long slot, Ballot archivedMaxOrigin, Configuration archivedConfiguration);

    /** Asks for every write made so far to become durable; returns the token its completion will carry. */
    long requestSync();
}
