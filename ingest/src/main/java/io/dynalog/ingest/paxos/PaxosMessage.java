package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.util.List;
import java.util.Objects;

/**
 * The messages members of one replica group exchange. Each is a small immutable record that
 * carries the ballot it belongs to, so a receiver can tell a stale message from a current one.
 * The wire encoding (Avro, done by the integration layer) keys each record by its stable
 * {@link Type#id()}; an id is never reused and fields are only ever added with defaults. A
 * message says nothing about which group it belongs to: the transport wraps it with the group id.
 */
public sealed interface PaxosMessage {

    /** The message kinds and their stable wire ids. */
    enum Type {
        PREPARE(1), PROMISE(2), REJECT(3), ACCEPT(4), ACCEPTED(5), PRE_VOTE(6), PRE_VOTE_REPLY(7), RELINQUISH(8);

        private final int id;

        Type(int id) {
            this.id = id;
        }

        public int id() {
            return id;
        }

        public static Type fromId(int id) {
            for (Type t : values()) {
                if (t.id == id) return t;
            }
            throw new IllegalArgumentException("unknown Paxos message type id " + id);
        }
    }

    Type type();

    /**
     * {@code configuration} as a message carries it: null for a group's first (version 0), which
     * every member knows, so the common case costs nothing on the wire.
     */
    static Configuration sent(Configuration configuration) {
        return configuration.version() == 0 ? null : configuration;
    }

    /** The ballot this message is about (the sender's, or for a reply the one it answers). */
    Ballot ballot();

    /** Phase 1a: a candidate asks for promises not to accept lower ballots, from {@code fromSlot} on. */
    record Prepare(Ballot ballot, long fromSlot) implements PaxosMessage {
        public Prepare {
            Objects.requireNonNull(ballot, "ballot");
        }

        @Override
        public Type type() {
            return Type.PREPARE;
        }
    }

    /**
     * Phase 1b, one page of it: the acceptor durably promised {@code ballot}. It reports the slot
     * through which the WAL holds everything it knows of ({@code archivedSlot}), the highest origin
     * of the values chosen through it ({@code archivedMaxOrigin}, see {@link Values#originOf}) and the entries
     * it accepted above it, at or after the Prepare's {@code fromSlot}, in slot order. A page holds
     * at most {@link PaxosConfig#maxBatchBytes()} of values (and at least one entry); when more
     * remain, {@code continueFromSlot} is the first slot not reported (the candidate asks again
     * from there), else 0: the report is complete. {@code archivedConfiguration} is the
     * configuration in force after the archived slot (null: the group's first).
     */
    record Promise(Ballot ballot, long archivedSlot, List<AcceptedEntry> accepted, long continueFromSlot,
                   Ballot archivedMaxOrigin, Configuration archivedConfiguration) implements PaxosMessage {
        public Promise {
            Objects.requireNonNull(ballot, "ballot");
            Objects.requireNonNull(archivedMaxOrigin, "archivedMaxOrigin");
            accepted = List.copyOf(accepted);
            if (continueFromSlot < 0) throw new IllegalArgumentException("continueFromSlot " + continueFromSlot);
        }

        /** A complete report in one page, from an acceptor that knows no origin of its archived values. */
        public Promise(Ballot ballot, long archivedSlot, List<AcceptedEntry> accepted) {
            this(ballot, archivedSlot, accepted, 0, Ballot.ZERO, null);
        }

        public Promise(Ballot ballot, long archivedSlot, List<AcceptedEntry> accepted, long continueFromSlot) {
            this(ballot, archivedSlot, accepted, continueFromSlot, Ballot.ZERO, null);
        }

        public Promise(Ballot ballot, long archivedSlot, List<AcceptedEntry> accepted, long continueFromSlot,
                       Ballot archivedMaxOrigin) {
            this(ballot, archivedSlot, accepted, continueFromSlot, archivedMaxOrigin, null);
        }

        public boolean complete() {
            return continueFromSlot == 0;
        }

        @Override
        public Type type() {
            return Type.PROMISE;
        }
    }

    /**
     * The acceptor refused a Prepare or Accept of {@code ballot}: it promised
     * {@code promisedBallot} (higher), or, for a Prepare, it granted a live lease to another
     * ballot. {@code leaderHint} is the member it believes leads, or {@link PaxosMember#NO_LEADER}.
     */
    record Reject(Ballot ballot, Ballot promisedBallot, int leaderHint) implements PaxosMessage {
        public Reject {
            Objects.requireNonNull(ballot, "ballot");
            Objects.requireNonNull(promisedBallot, "promisedBallot");
        }

        @Override
        public Type type() {
            return Type.REJECT;
        }
    }

    /**
     * Phase 2a, also the heartbeat and lease renewal when {@code entries} is empty. The leader of
     * {@code ballot} asks the acceptor to accept the entries; every slot at or below
     * {@code chosenUpTo} is chosen with the value the leader proposed for it under this ballot;
     * the WAL holds everything through {@code archivedSlot}, whose values' highest origin is
     * {@code archivedMaxOrigin}, and after which {@code archivedConfiguration} is in force (null:
     * the group's first). {@code sentAtMs} is the leader's
     * clock when it sent the message, echoed in the reply so the leader can date its lease.
     */
    record Accept(Ballot ballot, long sentAtMs, List<SlotValue> entries, long chosenUpTo, long archivedSlot,
                  Ballot archivedMaxOrigin, Configuration archivedConfiguration) implements PaxosMessage {
        public Accept {
            Objects.requireNonNull(ballot, "ballot");
            Objects.requireNonNull(archivedMaxOrigin, "archivedMaxOrigin");
            entries = List.copyOf(entries);
        }

        public Accept(Ballot ballot, long sentAtMs, List<SlotValue> entries, long chosenUpTo, long archivedSlot) {
            this(ballot, sentAtMs, entries, chosenUpTo, archivedSlot, Ballot.ZERO, null);
        }

        public Accept(Ballot ballot, long sentAtMs, List<SlotValue> entries, long chosenUpTo, long archivedSlot,
                      Ballot archivedMaxOrigin) {
            this(ballot, sentAtMs, entries, chosenUpTo, archivedSlot, archivedMaxOrigin, null);
        }

        @Override
        public Type type() {
            return Type.ACCEPT;
        }
    }

    /**
     * Phase 2b: the acceptor durably accepted, under {@code ballot}, the slots in
     * {@code acceptedSlots} (those of the Accept it answers that were above its archived slot), and
     * holds durably, under this ballot, every slot from its archived slot through
     * {@code contiguousSlot}. {@code acceptSentAtMs} echoes the Accept's {@code sentAtMs}: the
     * acceptor granted the leader a lease when it received that Accept.
     */
    record Accepted(Ballot ballot, long acceptSentAtMs, List<SlotRange> acceptedSlots, long contiguousSlot)
            implements PaxosMessage {
        public Accepted {
            Objects.requireNonNull(ballot, "ballot");
            acceptedSlots = List.copyOf(acceptedSlots);
        }

        @Override
        public Type type() {
            return Type.ACCEPTED;
        }
    }

    /**
     * Pre-vote: would the receiver promise {@code ballot}, a ballot the sender means to campaign
     * with? Nothing changes at the receiver, durably or not. A member campaigns only once a
     * majority said yes, so a member cut off from its group never raises its ballot, and on its
     * return cannot depose a healthy leader (Raft's PreVote, Kafka's KIP-996).
     */
    record PreVote(Ballot ballot) implements PaxosMessage {
        public PreVote {
            Objects.requireNonNull(ballot, "ballot");
        }

        @Override
        public Type type() {
            return Type.PRE_VOTE;
        }
    }

    /**
     * The answer to a {@link PreVote} of {@code ballot}: {@code granted} when the receiver heard
     * from no leader for an election timeout, granted no live lease and promised nothing as high.
     * {@code promisedBallot} is the receiver's promise (a candidate bids above it);
     * {@code leaderHint} the member it believes leads, or {@link PaxosMember#NO_LEADER}.
     */
    record PreVoteReply(Ballot ballot, boolean granted, Ballot promisedBallot, int leaderHint) implements PaxosMessage {
        public PreVoteReply {
            Objects.requireNonNull(ballot, "ballot");
            Objects.requireNonNull(promisedBallot, "promisedBallot");
        }

        @Override
        public Type type() {
            return Type.PRE_VOTE_REPLY;
        }
    }

    /**
     * The leader of {@code ballot} stopped leading, and gives up the lease: the receiver ends the
     * lease it granted to {@code ballot} (only to it), and {@code successor}, a caught-up voter the
     * leader hands over to, campaigns at once.
     */
    record Relinquish(Ballot ballot, int successor) implements PaxosMessage {
        public Relinquish {
            Objects.requireNonNull(ballot, "ballot");
        }

        @Override
        public Type type() {
            return Type.RELINQUISH;
        }
    }
}
