package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A candidate running phase 1 for {@link #ballot}: it collects promises from {@link #fromSlot}
 * on, each possibly in several pages. Its own promise counts only once the sync covering it
 * completed (a promise that a crash could lose is no promise); another member's counts once its
 * last page arrived. It wins with a majority of every configuration in force over the slots it
 * recovers ({@link Recovery}), so it asks the voters of each configuration it finds.
 */
final class CandidateState implements RoleState {
    /** One member's promise of this ballot, as its pages arrive. */
    static final class Report {
        long archivedSlot;
        Ballot archivedMaxOrigin = Ballot.ZERO;
        /** In force after {@link #archivedSlot}; null: the group's first. */
        Configuration archivedConfiguration;
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
    /** By member id, from the first page of its promise of this ballot on. */
    final Map<Integer, Report> reports = new HashMap<>();
    /** Members asked for a promise: the voters of every configuration its recovery has found so far. */
    final Set<Integer> asked = new HashSet<>();
    final long electionDeadlineMs;
    long nextPrepareResendMs;

    CandidateState(Ballot ballot, long fromSlot, long selfPromiseToken, long electionDeadlineMs, long nextPrepareResendMs) {
        this.ballot = ballot;
        this.fromSlot = fromSlot;
        this.selfPromiseToken = selfPromiseToken;
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

    /** Adds a page of member {@code id}'s promise; true when it completed that member's report. */
    boolean addPage(int id, PaxosMessage.Promise page) {
        Report r = reports.get(id);
        if (r == null) {
            r = new Report();
            r.nextFromSlot = fromSlot;
            reports.put(id, r);
        }
        if (r.complete) return false;
        if (page.archivedSlot() >= r.archivedSlot) {
            r.archivedSlot = page.archivedSlot();
            r.archivedConfiguration = page.archivedConfiguration();
        }
        if (page.archivedMaxOrigin().isAbove(r.archivedMaxOrigin)) r.archivedMaxOrigin = page.archivedMaxOrigin();
        for (AcceptedEntry e : page.accepted()) r.accepted.put(e.slot(), e);
        if (page.complete()) {
            r.complete = true;
            return true;
        }
        r.nextFromSlot = Math.max(r.nextFromSlot, page.continueFromSlot());
        return false;
    }

    /** The slot to ask member {@code id} from, or -1 when its report is complete. */
    long askFrom(int id) {
        Report r = reports.get(id);
        if (r == null) return fromSlot;
        return r.complete ? -1 : r.nextFromSlot;
    }

    /** The members whose promise counts: those whose report is complete, and itself once its promise is durable. */
    Set<Integer> promised(int selfId) {
        Set<Integer> ids = new HashSet<>();
        if (selfPromiseDurable) ids.add(selfId);
        for (Map.Entry<Integer, Report> e : reports.entrySet()) {
            if (e.getValue().complete) ids.add(e.getKey());
        }
        return ids;
    }
}
