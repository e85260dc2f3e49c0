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

    private final Reason reason;

    public IngestException(Reason reason, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = reason;
    }

    public IngestException(Reason reason, String message) {
        this(reason, message, null);
    }

    public Reason reason() {
        return reason;
    }
}
