package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.util.HashSet;
import java.util.Set;

/**
 * A member that heard from no leader for an election timeout and asks the others, with
 * {@link PaxosMessage.PreVote}s, whether they would promise {@link #proposedBallot}. Nothing it
 * does here is durable or visible in its promise: only with grants from a majority of the voters
 * of the configuration it knows, and of the one it holds unconfirmed if any (its own counted),
 * does it campaign. Past {@link #deadlineMs}
 * without them it asks again.
 */
final class ProspectiveState implements RoleState {
    private final Ballot promisedAtEntry;
    final Ballot proposedBallot;
    /** A configuration after the known one that this member holds unconfirmed and votes in, or null: grants must cover it too. */
    final Configuration pending;
    /** Members that granted the pre-vote of {@link #proposedBallot}. */
    final Set<Integer> granted = new HashSet<>();
    /** Members that answered, yes or no (no resend needed). */
    final Set<Integer> answered = new HashSet<>();
    final long deadlineMs;
    long nextResendMs;

    ProspectiveState(Ballot promisedAtEntry, Ballot proposedBallot, int selfId, Configuration pending, long deadlineMs,
                     long nextResendMs) {
        this.promisedAtEntry = promisedAtEntry;
        this.proposedBallot = proposedBallot;
        this.pending = pending;
        this.granted.add(selfId);
        this.answered.add(selfId);
        this.deadlineMs = deadlineMs;
        this.nextResendMs = nextResendMs;
    }

    @Override
    public Role role() {
        return Role.PROSPECTIVE;
    }

    /** The promised ballot when it became prospective: a pre-vote promises nothing. */
    @Override
    public Ballot ballot() {
        return promisedAtEntry;
    }
}
