package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A candidate running phase 1 for {@link #ballot}: it collects promises from {@link #fromSlot}
 * on, each possibly in several pages. Its own promise counts only once the sync covering it
 * completed (a promise that a crash could lose is no promise); another member's counts once its
 * last page arrived.
 */
final class CandidateState implements RoleState {
    /** One member's promise of this ballot, as its pages arrive. */
    static final class Report {
        long archivedSlot;
        Ballot archivedMaxOrigin = Ballot.ZERO;
        /** Every entry reported, by slot (a page sent twice is merged, not doubled). */
        final TreeMap<Long, AcceptedEntry> accepted = new TreeMap<>();
        /** The slot to ask from for the next page. */
        long nextFromSlot;
        boolean complete;

        List<AcceptedEntry> entries() {
            return new ArrayList<>(accepted.values());
        }
    }

    private final Ballot ballot;
    final long fromSlot;
    final long selfPromiseToken;
    boolean selfPromiseDurable;
    /** By member index; null until that member's first page for this ballot arrived. */
    final Report[] reports;
    final long electionDeadlineMs;
    long nextPrepareResendMs;

    CandidateState(Ballot ballot, long fromSlot, long selfPromiseToken, int memberCount, long electionDeadlineMs,
                   long nextPrepareResendMs) {
        this.ballot = ballot;
        this.fromSlot = fromSlot;
        this.selfPromiseToken = selfPromiseToken;
        this.reports = new Report[memberCount];
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

    /** Adds a page of member {@code index}'s promise; true when it completed that member's report. */
    boolean addPage(int index, PaxosMessage.Promise page) {
        Report r = reports[index];
        if (r == null) {
            r = new Report();
            r.nextFromSlot = fromSlot;
            reports[index] = r;
        }
        if (r.complete) return false;
        r.archivedSlot = Math.max(r.archivedSlot, page.archivedSlot());
        if (page.archivedMaxOrigin().isAbove(r.archivedMaxOrigin)) r.archivedMaxOrigin = page.archivedMaxOrigin();
        for (AcceptedEntry e : page.accepted()) r.accepted.put(e.slot(), e);
        if (page.complete()) {
            r.complete = true;
            return true;
        }
        r.nextFromSlot = Math.max(r.nextFromSlot, page.continueFromSlot());
        return false;
    }

    /** The slot to ask member {@code index} from, or -1 when its report is complete. */
    long askFrom(int index) {
        Report r = reports[index];
        if (r == null) return fromSlot;
        return r.complete ? -1 : r.nextFromSlot;
    }

    int promiseCount() {
        int n = selfPromiseDurable ? 1 : 0;
        for (Report r : reports) {
            if (r != null && r.complete) n++;
        }
        return n;
    }
}
