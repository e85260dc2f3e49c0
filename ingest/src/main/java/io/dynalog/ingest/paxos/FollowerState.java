package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;

/**
 * A follower: it accepts what the leader of its promised ballot sends and campaigns when it has
 * heard nothing from a leader until {@link #electionDeadlineMs} (reset by every Accept it accepts
 * and every promise it gives).
 */
final class FollowerState implements RoleState {
    private final Ballot ballotAtEntry;
    long electionDeadlineMs;

    FollowerState(Ballot ballotAtEntry, long electionDeadlineMs) {
        this.ballotAtEntry = ballotAtEntry;
        this.electionDeadlineMs = electionDeadlineMs;
    }

    @Override
    public Role role() {
        return Role.FOLLOWER;
    }

    /** The promised ballot when the member became follower (the member's {@code ballot()} follows the promise). */
    @Override
    public Ballot ballot() {
        return ballotAtEntry;
    }
}
