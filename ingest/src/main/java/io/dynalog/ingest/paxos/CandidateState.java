package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;

/**
 * A candidate running phase 1 for {@link #ballot}: it collects promises from {@link #fromSlot}
 * on. Its own promise counts only once the sync covering it completed (a promise that a crash
 * could lose is no promise).
 */
final class CandidateState implements RoleState {
    private final Ballot ballot;
    final long fromSlot;
    final long selfPromiseToken;
    boolean selfPromiseDurable;
    /** By member index; null until that member's Promise for this ballot arrived. */
    final PaxosMessage.Promise[] promises;
    final long electionDeadlineMs;
    long nextPrepareResendMs;

    CandidateState(Ballot ballot, long fromSlot, long selfPromiseToken, int memberCount, long electionDeadlineMs,
                   long nextPrepareResendMs) {
        this.ballot = ballot;
        this.fromSlot = fromSlot;
        this.selfPromiseToken = selfPromiseToken;
        this.promises = new PaxosMessage.Promise[memberCount];
        this.electionDeadlineMs = electionDeadlineMs;
        this.nextPrepareResendMs = nextPrepareResendMs;
    }

    @Override
    public Role role() {
        return Role.CANDIDATE;
    }

    @Override
    public Ballot ballot() {
        return ballot;
    }

    int promiseCount() {
        int n = selfPromiseDurable ? 1 : 0;
        for (PaxosMessage.Promise p : promises) {
            if (p != null) n++;
        }
        return n;
    }
}
