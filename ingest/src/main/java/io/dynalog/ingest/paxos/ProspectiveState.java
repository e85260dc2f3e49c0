package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;

/**
 * A member that heard from no leader for an election timeout and asks the others, with
 * {@link PaxosMessage.PreVote}s, whether they would promise {@link #proposedBallot}. Nothing it
 * does here is durable or visible in its promise: only with a majority of grants (its own
 * counted) does it campaign. Past {@link #deadlineMs} without them it asks again.
 */
final class ProspectiveState implements RoleState {
    private final Ballot promisedAtEntry;
    final Ballot proposedBallot;
    /** By member index: that member granted the pre-vote of {@link #proposedBallot}. */
    final boolean[] granted;
    /** By member index: that member answered, yes or no (no resend needed). */
    final boolean[] answered;
    final long deadlineMs;
    long nextResendMs;

    ProspectiveState(Ballot promisedAtEntry, Ballot proposedBallot, int memberCount, int selfIndex, long deadlineMs,
                     long nextResendMs) {
        this.promisedAtEntry = promisedAtEntry;
        this.proposedBallot = proposedBallot;
        this.granted = new boolean[memberCount];
        this.answered = new boolean[memberCount];
        this.granted[selfIndex] = true;
        this.answered[selfIndex] = true;
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

    int grantCount() {
        int n = 0;
        for (boolean g : granted) {
            if (g) n++;
        }
        return n;
    }
}
