package io.dynalog.ingest.paxos.sim;

/**
 * How hostile one simulated run is. Probabilities are per message (drop, duplicate) or per
 * scheduling decision; delays are true milliseconds, drawn uniformly.
 *
 * @param name                     for failure messages and seed tests
 * @param dropProbability          a message is lost
 * @param duplicateProbability     a message is delivered twice (with independent delays)
 * @param maxNetworkDelayMs        a message takes 1..this
 * @param slowMessageProbability   a message instead takes up to 5x the delay (reordering past heartbeats)
 * @param lateMessageProbability   a message instead arrives up to {@code maxLateMs} later (from an old ballot, after elections)
 * @param maxLateMs                see above
 * @param meanMsBetweenPartitions  a new random partition (some links cut, possibly one way) starts this often
 * @param maxPartitionMs           a partition heals after up to this long
 * @param meanMsBetweenCrashes     some member crashes this often (0: never)
 * @param maxDowntimeMs            a crashed member restarts after up to this long
 * @param meanMsBetweenPauses      some member's process stalls this often (0: never), as in a long GC pause:
 *                                 its clock runs on, it handles nothing until it resumes
 * @param maxPauseMs               a stall lasts up to this long
 * @param keepUnsyncedPrefix       a crash may leave a random prefix of the unsynced writes on disk
 * @param maxSyncDelayMs           a store sync completes after 0..this
 * @param maxWalDelayMs            a WAL append lands after 1..this and is acknowledged up to this after
 * @param clockDriftPpm            the group's drift bound; every member's rate is within half of it of 1
 * @param heartbeatIntervalMs      the group's heartbeat interval (also how often a candidate resends Prepares)
 * @param tickIntervalMs           how often each member's timers run
 * @param flapLeaderLink           the link between the leader and one follower goes down (both ways,
 *                                 past the election timeout, up to {@code maxPartitionMs}) and up again,
 *                                 over and over
 */
public record FaultProfile(String name, double dropProbability, double duplicateProbability, long maxNetworkDelayMs,
                           double slowMessageProbability, double lateMessageProbability, long maxLateMs,
                           long meanMsBetweenPartitions, long maxPartitionMs,
                           long meanMsBetweenCrashes, long maxDowntimeMs, long meanMsBetweenPauses, long maxPauseMs,
                           boolean keepUnsyncedPrefix,
                           long maxSyncDelayMs, long maxWalDelayMs, long clockDriftPpm,
                           long heartbeatIntervalMs, long tickIntervalMs, boolean flapLeaderLink) {

    /** A few lost messages, short delays, rare partitions and crashes. */
    public static final FaultProfile LIGHT = new FaultProfile("light", 0.01, 0.01, 5, 0.01, 0.0, 0,
            1_500, 300, 2_000, 300, 0, 0, false, 2, 8, 1_000, 20, 5, false);

    /**
     * Drop 20%, duplicate 10%, long and reordering delays, a few messages seconds late, frequent
     * partitions (some one way), crashes that may keep part of the unsynced writes, process stalls,
     * drift 5%.
     */
    public static final FaultProfile HEAVY = new FaultProfile("heavy", 0.20, 0.10, 30, 0.05, 0.005, 3_000,
            400, 800, 600, 600, 800, 400, true, 12, 25, 50_000, 20, 5, false);

    /**
     * Lease races: fast links (1-2 ms) and Prepares resent every 4 ms, so a new leader can win
     * right as an old lease ends; clocks 10% apart; frequent partitions (some one way), crashes
     * and process stalls; no message loss.
     */
    public static final FaultProfile SKEWED_CLOCKS = new FaultProfile("skewed-clocks", 0.0, 0.02, 2, 0.0, 0.0, 0,
            150, 400, 700, 300, 500, 300, true, 1, 3, 100_000, 4, 1, false);

    /**
     * A flapping link and nothing else: the link between the leader and one follower is down for
     * 150-600 ms (the election timeout is 150) and up for 10-200, again and again. With pre-vote
     * the follower cut off never raises its ballot, so the leader is never deposed.
     */
    public static final FaultProfile FLAPPING = new FaultProfile("flapping", 0.0, 0.0, 2, 0.0, 0.0, 0,
            0, 600, 0, 0, 0, 0, false, 1, 3, 1_000, 20, 5, true);
}
