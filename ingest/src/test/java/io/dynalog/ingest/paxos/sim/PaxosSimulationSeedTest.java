package io.dynalog.ingest.paxos.sim;

import static io.dynalog.ingest.paxos.sim.FaultProfile.HEAVY;
import static io.dynalog.ingest.paxos.sim.FaultProfile.LIGHT;
import static io.dynalog.ingest.paxos.sim.FaultProfile.SKEWED_CLOCKS;

import org.junit.jupiter.api.Test;

/**
 * Seeds that failed during development, one line each, kept as regression tests. No seed failed
 * against the finished core; each of these failed while a named bug was deliberately put back
 * into it (to prove the checks catch that bug), and is the seed that catches it soonest or in the
 * gentlest profile. A seed's run depends on the simulation's code: a change to the harness that
 * changes the random sequence calls for finding them again (the same injected bugs, the loop in
 * {@link PaxosSimulationTest} with the bug in place).
 */
class PaxosSimulationSeedTest {

    /** Recovery took the lowest-ballot value of a slot: two values chosen for slot 81. */
    @Test
    void light3Seed156RecoveryMustTakeTheHighestBallotValue() {
        PaxosSimulation.run(156, 3, LIGHT);
    }

    /** Same bug, under heavy faults: two values chosen for slot 411. */
    @Test
    void heavy3Seed3RecoveryMustTakeTheHighestBallotValue() {
        PaxosSimulation.run(3, 3, HEAVY);
    }

    /** Acceptors promised while a lease they granted was live: leases of ballots 2.2 and 1.1 overlapped. */
    @Test
    void light3Seed0AnAcceptorMustNotPromiseUnderALiveLease() {
        PaxosSimulation.run(0, 3, LIGHT);
    }

    /** The leader's lease ignored clock drift and the margin (lease = leaseDurationMs): leases overlapped. */
    @Test
    void skewed3Seed102TheLeaderLeaseMustAllowForDrift() {
        PaxosSimulation.run(102, 3, SKEWED_CLOCKS);
    }

    @Test
    void skewed5Seed358TheLeaderLeaseMustAllowForDrift() {
        PaxosSimulation.run(358, 5, SKEWED_CLOCKS);
    }

    /** A restarted acceptor forgot it had granted a lease and promised at once: leases overlapped. */
    @Test
    void skewed3Seed117ARestartedAcceptorMustAssumeALiveLease() {
        PaxosSimulation.run(117, 3, SKEWED_CLOCKS);
    }

    @Test
    void skewed5Seed267ARestartedAcceptorMustAssumeALiveLease() {
        PaxosSimulation.run(267, 5, SKEWED_CLOCKS);
    }

    /** Followers delivered slots accepted under an older ballot: a member delivered a value that was not chosen. */
    @Test
    void light3Seed17AFollowerMustDeliverOnlyValuesOfTheLeadersBallot() {
        PaxosSimulation.run(17, 3, LIGHT);
    }

    /** A candidate counted its own promise before it was synced: after a crash it led the same ballot twice. */
    @Test
    void heavy1Seed36AnOwnPromiseCountsOnlyOnceDurable() {
        PaxosSimulation.run(36, 1, HEAVY);
    }

    /** A new leader ignored the archived slots promises reported: it filled archived, chosen slots with noops. */
    @Test
    void heavy5Seed1ANewLeaderMustStartAboveTheHighestArchivedSlot() {
        PaxosSimulation.run(1, 5, HEAVY);
    }

    /** The leader never resent Accepts a follower lost: no progress after the faults stopped. */
    @Test
    void light3Seed1TheLeaderMustResendWhatAFollowerLost() {
        PaxosSimulation.run(1, 3, LIGHT);
    }

    /**
     * Membership changes: a leader counted every slot with its last configuration, not the one
     * governing the slot: a member delivered a configuration value that was never chosen.
     */
    @Test
    void light3Seed3MembershipALeaderCountsEachSlotWithItsOwnConfiguration() {
        PaxosSimulation.runChangingMembership(3, 3, LIGHT);
    }
}
