package io.dynalog.topology.wal;

/**
 * A Paxos ballot: (round, node id), totally ordered by round then node id, so two proposers
 * never hold the same ballot.
 */
public record Ballot(long round, int nodeId) implements Comparable<Ballot> {
    /** Lower than every ballot a proposer uses. */
    public static final Ballot ZERO = new Ballot(0, 0);

    @Override
    public int compareTo(Ballot o) {
        int c = Long.compare(round, o.round);
        return c != 0 ? c : Integer.compare(nodeId, o.nodeId);
    }

    public boolean isAbove(Ballot o) {
        return compareTo(o) > 0;
    }

    @Override
    public String toString() {
        return round + "." + nodeId;
    }
}
