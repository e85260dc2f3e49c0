package io.dynalog.ingest.sim;

/**
 * How hostile one run of {@link WritePathSimulation} is. Probabilities are per message, append
 * or decision; delays are true milliseconds, drawn uniformly.
 *
 * @param name                    for failure messages and seed tests
 * @param dropProbability         a peer message is lost
 * @param duplicateProbability    a peer message arrives twice
 * @param maxNetworkDelayMs       a message takes 1..this
 * @param meanMsBetweenPartitions a network partition between nodes starts this often (some one way; 0: never)
 * @param maxPartitionMs          and heals after up to this long
 * @param meanMsBetweenCrashes    a node's process is killed this often (0: never); it restarts on its disks
 * @param maxDowntimeMs           after up to this long
 * @param meanMsBetweenPauses     a node's process is stopped this often (0: never), as SIGSTOP or a long GC:
 *                                its clock runs on, it does nothing until it resumes
 * @param maxPauseMs              for up to this long (longer than a lease)
 * @param maxSyncDelayMs          an acceptor store's fsync completes after 0..this
 * @param maxWalDelayMs           an append lands after 1..this, and is acknowledged up to this after
 * @param walFailProbability      an append fails and never lands
 * @param walGhostProbability     an append is reported failed but lands anyway, within the delivery timeout
 * @param meanMsBetweenBrokerPauses the Kafka broker stops this often (0: never): appends land only when it resumes
 * @param maxBrokerPauseMs        for up to this long (within the delivery timeout, which bounds a stale append)
 * @param meanMsBetweenCompactions a WAL partition is compacted this often
 * @param clockDriftPpm           the group's drift bound; every node's clock rate is within half of it of 1
 * @param maxPageReadDelayMs      a consistent Query reads its page up to this long after its barrier passed
 * @param meanMsBetweenDiskLosses a node loses its acceptor store (a replaced disk) this often (0: never; at
 *                                most once a run, so that its groups keep a majority of stores that remember)
 * @param walSlowProbability      an append (and what its producer appends after it) lands late, up to the
 *                                delivery timeout: a deposed leader's append can land after its successor's
 * @param clients                 clients sending operations at once
 * @param crashLeaders            crashes mostly kill a partition's leader (chained failovers)
 * @param walZombieProbability    an append is reported failed at the delivery timeout, yet lands up to
 *                                {@link WritePathSimulation#MAX_ZOMBIE_DELAY_MS} after that (a broker
 *                                paused with the request in its socket takes it when it resumes): no
 *                                client-side timeout bounds when a deposed leader's append lands
 */
record SimProfile(String name, double dropProbability, double duplicateProbability, long maxNetworkDelayMs,
                  long meanMsBetweenPartitions, long maxPartitionMs, long meanMsBetweenCrashes, long maxDowntimeMs,
                  long meanMsBetweenPauses, long maxPauseMs, long maxSyncDelayMs, long maxWalDelayMs,
                  double walFailProbability, double walGhostProbability, long meanMsBetweenBrokerPauses,
                  long maxBrokerPauseMs, long meanMsBetweenCompactions, long clockDriftPpm, long maxPageReadDelayMs,
                  long meanMsBetweenDiskLosses, double walSlowProbability, int clients, boolean crashLeaders,
                  double walZombieProbability) {

    /** Short delays, a few lost messages, rare partitions, crashes and pauses. */
    static final SimProfile LIGHT = new SimProfile("light", 0.01, 0.01, 3, 3_000, 400, 4_000, 400,
            3_000, 300, 2, 5, 0.01, 0.005, 0, 0, 500, 1_000, 5, 0, 0.0, 10, false, 0.0);

    /**
     * Lost and doubled messages, frequent partitions (some one way), crashes, pauses past the
     * lease, a Kafka that fails appends, lands some reported failed, stops now and then, and
     * compacts often; clocks 5% apart; a node may lose its acceptor store.
     */
    static final SimProfile HEAVY = new SimProfile("heavy", 0.10, 0.05, 10, 700, 800, 1_500, 600,
            900, 400, 8, 15, 0.05, 0.03, 2_500, 400, 200, 50_000, 30, 3_000, 0.02, 10, false, 0.0);

    /**
     * Paused leaders: stops of 50 ms to 2.5 s (the lease is 100 ms, the stale-append window 1.1 s)
     * while many clients read and write through every node.
     */
    static final SimProfile PAUSES = new SimProfile("pauses", 0.0, 0.0, 2, 0, 0, 0, 0,
            400, 2_500, 1, 4, 0.0, 0.0, 0, 0, 300, 1_000, 40, 0, 0.0, 16, false, 0.0);

    /**
     * Chained failovers inside the stale-append window: leaders killed every few hundred ms,
     * appends often slow (landing up to the delivery timeout later), a broker that stops: a
     * deposed leader's appends land after its successors' writes.
     */
    static final SimProfile CHAINED = new SimProfile("chained", 0.02, 0.0, 3, 0, 0, 400, 300,
            0, 0, 2, 8, 0.02, 0.02, 1_500, 300, 300, 1_000, 10, 0, 0.25, 10, true, 0.0);

    /**
     * Appends that land long after their producer gave up on them (a paused broker that takes the
     * request when it resumes), up to seconds after a successor's writes of the same items, with
     * leaders killed and paused and a broker that stops: only the stale-record repair keeps
     * compaction from keeping them.
     */
    static final SimProfile ZOMBIES = new SimProfile("zombies", 0.02, 0.0, 3, 1_500, 500, 1_200, 400,
            1_000, 600, 2, 8, 0.02, 0.02, 1_500, 300, 300, 1_000, 10, 0, 0.1, 10, true, 0.05);
}
