package io.dynalog.ingest.paxos;

/**
 * Timing of one group.
 *
 * @param electionTimeoutMs   a follower that heard nothing from a leader for a random time in
 *                            {@code [electionTimeoutMs, 2 * electionTimeoutMs)} campaigns
 * @param heartbeatIntervalMs the leader sends an Accept (possibly empty) to every follower this often
 * @param leaseDurationMs     an acceptor that accepts from a ballot refuses other ballots' Prepares for
 *                            this long by its own clock; below {@code electionTimeoutMs}
 * @param maxClockDriftPpm    bound on how much faster, in parts per million, any member's clock may run
 *                            than any other's over one lease
 * @param maxBatchEntries     most entries in one Accept
 * @param maxBatchBytes       most value bytes in one Accept or one page of a Promise (a single entry
 *                            larger than this still travels, alone): with the largest entry, this
 *                            bounds every frame the group sends
 */
public record PaxosConfig(long electionTimeoutMs, long heartbeatIntervalMs, long leaseDurationMs,
                          long maxClockDriftPpm, int maxBatchEntries, int maxBatchBytes) {

    /** {@link #maxBatchBytes} unless told otherwise: a megabyte, two 400 KB items' entries. */
    public static final int DEFAULT_MAX_BATCH_BYTES = 1024 * 1024;

    public PaxosConfig(long electionTimeoutMs, long heartbeatIntervalMs, long leaseDurationMs, long maxClockDriftPpm,
                       int maxBatchEntries) {
        this(electionTimeoutMs, heartbeatIntervalMs, leaseDurationMs, maxClockDriftPpm, maxBatchEntries, DEFAULT_MAX_BATCH_BYTES);
    }

    /**
     * Subtracted from the leader's lease: the leader's and an acceptor's clocks are each read at
     * millisecond granularity, so each reading may be up to 1 ms behind.
     */
    public static final long LEASE_MARGIN_MS = 2;

    public PaxosConfig {
        if (electionTimeoutMs <= 0 || electionTimeoutMs > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("electionTimeoutMs must be in 1.." + Integer.MAX_VALUE + ": " + electionTimeoutMs);
        }
        if (leaseDurationMs <= 0 || leaseDurationMs >= electionTimeoutMs) {
            throw new IllegalArgumentException("leaseDurationMs must be positive and below electionTimeoutMs ("
                    + electionTimeoutMs + "): " + leaseDurationMs);
        }
        if (heartbeatIntervalMs <= 0 || heartbeatIntervalMs >= leaseDurationMs) {
            throw new IllegalArgumentException("heartbeatIntervalMs must be positive and below leaseDurationMs ("
                    + leaseDurationMs + "): " + heartbeatIntervalMs);
        }
        if (maxClockDriftPpm < 0 || maxClockDriftPpm >= 1_000_000) {
            throw new IllegalArgumentException("maxClockDriftPpm must be in 0..999999: " + maxClockDriftPpm);
        }
        if (maxBatchEntries < 1) {
            throw new IllegalArgumentException("maxBatchEntries must be at least 1: " + maxBatchEntries);
        }
        if (maxBatchBytes < 1) {
            throw new IllegalArgumentException("maxBatchBytes must be at least 1: " + maxBatchBytes);
        }
        if (leaderLeaseMs(leaseDurationMs, maxClockDriftPpm) <= 0) {
            throw new IllegalArgumentException("leaseDurationMs " + leaseDurationMs + " leaves no lease after drift and margin");
        }
    }

    /**
     * How long after sending an Accept round that a majority acknowledged the leader may rely on
     * the lease, by its own clock: the acceptors refuse other ballots for {@code leaseDurationMs}
     * by theirs, which may run up to {@code maxClockDriftPpm} faster.
     */
    public long leaderLeaseMs() {
        return leaderLeaseMs(leaseDurationMs, maxClockDriftPpm);
    }

    private static long leaderLeaseMs(long leaseDurationMs, long maxClockDriftPpm) {
        return Math.multiplyExact(leaseDurationMs, 1_000_000 - maxClockDriftPpm) / 1_000_000 - LEASE_MARGIN_MS;
    }
}
