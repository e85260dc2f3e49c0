package io.dynalog.ingest.sim;

import static io.dynalog.ingest.sim.SimProfile.CHAINED;
import static io.dynalog.ingest.sim.SimProfile.HEAVY;
import static io.dynalog.ingest.sim.SimProfile.PAUSES;
import static io.dynalog.ingest.sim.SimProfile.ZOMBIES;

import org.junit.jupiter.api.Test;

/**
 * Seeds of {@link WritePathSimulation} that found a bug, one line each, kept as regression tests.
 * Each passes against the finished code and failed with the named bug in place (put back on
 * purpose, to check that the simulation catches it); the comment says how. A seed's run depends on
 * the simulation's code and on the code it drives: a change to either that changes the order of
 * events calls for finding them again (put the bug back, run {@link WritePathSimulationTest} with
 * the seeds around). Found again for the code of 2026-12-07, after a new leader whose replica
 * holds every archived slot began to serve at once (which changed the order of events of most
 * seeds, and made some bugs easier to find).
 */
class WritePathSimulationSeedTest {

    /**
     * A deposed leader, paused past its lease, answered a conditional write from its stale view on
     * resuming (a failed condition that held): not linearizable. Fixed by resolving a write only
     * under a live lease ({@code PartitionReplica#resolve}); the bug the issue reported, a
     * DeleteItem of an item the new leader had written answered "done".
     */
    @Test
    void pauses111AWriteMustBeResolvedOnlyUnderALiveLease() {
        WritePathSimulation.run(111, PAUSES);
    }

    /**
     * A replica applied the WAL in offset order (an entry whenever its item had nothing newer): after
     * a failed append was made again, a consistent Query at the leader saw a later write but not an
     * earlier one. Fixed by applying in slot order ({@code ReplicaProcessor}; the simulation's
     * replica does the same).
     */
    @Test
    void heavy10AReplicaMustApplyItsEntriesInSlotOrder() {
        WritePathSimulation.run(10, HEAVY);
    }

    /**
     * A node whose acceptor store was lost (a replaced disk) voted again with amnesia: a slot
     * chosen without it was chosen again with another value (the WAL held both; before, a Query
     * saw a chosen value undone). Fixed by the {@code AmnesiaGuard}: the
     * node refuses the groups created before its new store.
     */
    @Test
    void heavy20ANodeThatLostItsVotesMustNotVote() {
        WritePathSimulation.run(20, HEAVY);
    }

    /**
     * After a chain of failovers, a new leader proposed again an old leader's write it recovered at
     * slot s, above a later leader's write to the same item at a lower slot: the old write (its
     * condition resolved against a state without that later write) took effect where its condition
     * no longer held. Fixed in recovery: a recovered value below which a leader of a higher ballot
     * proposed a new one cannot have been chosen, and a no-op takes its slot ({@code PaxosMember},
     * origins of values).
     */
    @Test
    void heavy5022ARecoveredValueThatCannotHaveBeenChosenIsNotProposedAgain() {
        WritePathSimulation.run(5022, HEAVY);
    }

    /**
     * The WAL limit of issue 3: a leader that recovered items at risk of a stale append reported
     * their slots archived before its window ended; deposed, it left its successor nothing at risk,
     * and a deposed leader's append that landed late was the item's last record, what compaction
     * keeps (the replica rebuilt from the compacted WAL held an older value). Fixed in
     * {@code WalArchiver}: nothing past the leadership's start is reported archived while an item
     * is at risk, and the latest entry of each is appended again once the window has ended.
     */
    @Test
    void chained55NothingAtRiskIsReportedArchived() {
        WritePathSimulation.run(55, CHAINED);
    }

    /**
     * A new leader put its recovered items at risk before it set its own stale-append window, so
     * against the previous leadership's, long ended: it appended their latest entries again at once,
     * while the deposed leader's appends could still land after them, and compaction kept a stale
     * one. Fixed in {@code WalArchiver#startLeading} (the window first).
     */
    @Test
    void heavy454TheStaleWindowStartsBeforeItemsArePutAtRisk() {
        WritePathSimulation.run(454, HEAVY);
    }

    /**
     * Divergent archive knowledge: a new leader appended again entries the WAL already held (an
     * acceptor outside its quorum knew them archived), and an old entry appended again landed after
     * a newer record of its item, the one compaction kept. Fixed by the read-back: a new leader's
     * local replica reads the WAL to its end first, and nothing it found there is appended
     * ({@code LocalReplica#whenRead}, {@code WalArchiver}). Since a new leader whose replica holds
     * every archived slot serves at once, no seed of 6,000 CHAINED and 3,000 HEAVY fails without
     * the read-back; this one is kept as a regression seed, and the read-back is shown by
     * {@code PartitionReplicaTest} and {@code ReplicaProcessorTest}.
     */
    @Test
    void chained1604ANewLeaderDoesNotAppendWhatTheWalHolds() {
        WritePathSimulation.run(1604, CHAINED);
    }

    /**
     * A leader paused past its lease sent its unarchived entries to Kafka on resuming, before it
     * learned it was deposed: past its successor's stale-append window, nothing covered them, and
     * compaction kept a stale one. Fixed by checking the
     * lease when each append is issued ({@code WalArchiver#pump}): a leader without it sends nothing.
     */
    @Test
    void pauses2098ALeaderWithoutItsLeaseAppendsNothing() {
        WritePathSimulation.run(2098, PAUSES);
    }

    /**
     * Item 2's limit: an append by a deposed leader that a broker takes after the producer gave up
     * (paused with the request in its socket) lands later than any window can bound, after a
     * successor's writes of the item, and compaction kept it (a replica rebuilt from the compacted
     * WAL held a deleted item, or an older value). Fixed by the stale-record repair: replicas find
     * an item whose last record is older than its version ({@code ReplicaProcessor#trackTail}), and
     * the leader writes it again ({@code PartitionReplica#coverStaleTails}). With the repair off,
     * 241 of the first 300 ZOMBIES seeds failed.
     */
    @Test
    void zombies0AStaleRecordLandingLastIsCoveredByARewrite() {
        WritePathSimulation.run(0, ZOMBIES);
    }
}
