package io.dynalog.ingest;

/**
 * A write or consistent read the ingest path could not carry out, for a reason that is not the
 * client's: the caller maps it to a retryable error.
 */
public final class IngestException extends RuntimeException {
    public enum Reason {
        /** The partition's leader is recovering (for example after a failed WAL append). */
        LEADER_UNAVAILABLE,
        /** The write was sent to the WAL but the WAL did not confirm it: its outcome is unknown. */
        OUTCOME_UNKNOWN,
        /** This node has no leader for the partition. */
        NOT_LEADER,
        /** The node is shutting down. */
        CLOSED,
        /** Too many writes are waiting for this partition: the client should back off. */
        OVERLOADED
    }

    /** The node id of the member believed to lead, or -1 when unknown. */
    public static final int NO_LEADER_HINT = -1;

    private final Reason reason;
    private final int leaderHint;
    private final java.util.List<Integer> replicas;

    public IngestException(Reason reason, String message, Throwable cause) {
        this(reason, message, cause, NO_LEADER_HINT, java.util.List.of());
    }

    private IngestException(Reason reason, String message, Throwable cause, int leaderHint, java.util.List<Integer> replicas) {
        super(message, cause, false, false);
        this.reason = reason;
        this.leaderHint = leaderHint;
        this.replicas = java.util.List.copyOf(replicas);
    }

    /** This node does not lead the partition; {@code leaderHint} is the node believed to, or -1. */
    public static IngestException notLeader(String message, int leaderHint) {
        return new IngestException(Reason.NOT_LEADER, message, null, leaderHint, java.util.List.of());
    }

    /**
     * This node holds no replica of the partition: the request belongs at one of {@code replicas}
     * (the preferred leader first, the hint), any of which knows the leader.
     */
    public static IngestException noReplicaHere(String message, java.util.List<Integer> replicas) {
        return new IngestException(Reason.NOT_LEADER, message, null, replicas.get(0), replicas);
    }

    /** For a node holding no replica: the partition's replicas, any of which knows its leader; else empty. */
    public java.util.List<Integer> replicas() {
        return replicas;
    }

    /** The node id of the member believed to lead, when {@link #reason()} is NOT_LEADER; -1 when unknown. */
    public int leaderHint() {
        return leaderHint;
    }

    public IngestException(Reason reason, String message) {
        this(reason, message, null);
    }

    public Reason reason() {
        return reason;
    }
}
