package io.dynalog.ingest.sim;

import static io.dynalog.ingest.sim.SimProfile.HEAVY;
import static io.dynalog.ingest.sim.SimProfile.PAUSES;

import org.junit.jupiter.api.Test;

/**
 * Seeds of {@link WritePathSimulation} that found a bug, one line each, kept as regression tests.
 * Each passes against the finished code and failed with the named bug in place (put back on
 * purpose, to check that the simulation catches it); the comment says how. A seed's run depends on
 * the simulation's code: a change to the harness that changes its random draws calls for finding
 * them again (put the bug back, run {@link WritePathSimulationTest} with the seeds around).
 */
class WritePathSimulationSeedTest {

    /**
     * A deposed leader, paused past its lease, answered a conditional write from its stale view on
     * resuming (a failed condition that held): not linearizable. Fixed by resolving a write only
     * under a live lease ({@code PartitionReplica#resolve}); the bug the issue reported, a
     * DeleteItem of an item the new leader had written answered "done".
     */
    @Test
    void pauses153AWriteMustBeResolvedOnlyUnderALiveLease() {
        WritePathSimulation.run(153, PAUSES);
    }

    /**
     * A replica applied the WAL in offset order (an entry whenever its item had nothing newer): after
     * a failed append was made again, a consistent Query at the leader saw a later write but not an
     * earlier one. Fixed by applying in slot order ({@code ReplicaProcessor}; the simulation's
     * replica does the same).
     */
    @Test
    void heavy68AReplicaMustApplyItsEntriesInSlotOrder() {
        WritePathSimulation.run(68, HEAVY);
    }

    /**
     * A node whose acceptor store was lost (a replaced disk) voted again with amnesia: a value
     * chosen without it was lost, and a Query saw it undone. Fixed by the {@code AmnesiaGuard}: the
     * node refuses the groups created before its new store.
     */
    @Test
    void heavy128ANodeThatLostItsVotesMustNotVote() {
        WritePathSimulation.run(128, HEAVY);
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
    void heavy2626ARecoveredValueThatCannotHaveBeenChosenIsNotProposedAgain() {
        WritePathSimulation.run(2626, HEAVY);
    }
}
