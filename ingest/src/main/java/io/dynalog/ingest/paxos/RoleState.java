package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;

/**
 * The role-specific state of a member: one small class per role. A member changes role only
 * through {@link #checkTransition}, which holds the whole transition table:
 *
 * <pre>
 *  from \ to   | FOLLOWER                   | PROSPECTIVE               | CANDIDATE                  | LEADER
 *  ------------+----------------------------+---------------------------+----------------------------+---------------------
 *  UNSTARTED   | start()                    | -                         | -                          | -
 *  FOLLOWER    | -                          | election timeout, no live | -                          | -
 *              |                            | lease granted, and it     |                            |
 *              |                            | votes (in the chosen or a |                            |
 *              |                            | pending configuration) or |                            |
 *              |                            | heard no leader for 3     |                            |
 *              |                            | timeouts                  |                            |
 *  PROSPECTIVE | a leader heard from (an    | its deadline passed with  | a majority granted its     | -
 *              | Accept accepted), or a     | no majority: asks again   | pre-vote (its own counted),|
 *              | higher ballot promised     |                           | or the leader handed over  |
 *              |                            |                           | to it (Relinquish); ballot |
 *              |                            |                           | above all seen             |
 *  CANDIDATE   | a higher ballot seen       | election timeout: asks    | -                          | durable promises of a
 *              | (Prepare promised, Accept  | again before bidding      |                            | majority of every
 *              | accepted, Reject naming a  | higher                    |                            | configuration it
 *              | higher one)                |                           |                            | recovers (its own
 *              |                            |                           |                            | counted once synced),
 *              |                            |                           |                            | same ballot
 *  LEADER      | a higher ballot seen; no   | -                         | -                          | -
 *              | majority acknowledged      |                           |                            |
 *              | anything for 2 election    |                           |                            |
 *              | timeouts (unless it votes  |                           |                            |
 *              | alone); resign(); or it    |                           |                            |
 *              | handed over (a chosen      |                           |                            |
 *              | configuration without it,  |                           |                            |
 *              | one of whose voters knows),|                           |                            |
 *              | or to the caught-up voter  |                           |                            |
 *              | transferLeadership() named |                           |                            |
 * </pre>
 *
 * A follower that sees a higher ballot stays a follower (its ballot is the promised one, not a
 * role change). A member raises its ballot only as a candidate, and becomes one only through a
 * majority's pre-votes, so a member cut off from the others never bids higher (and on its return
 * cannot depose a leader the others still hear). Nothing returns to UNSTARTED: a stopped member is
 * discarded and a new one started from the store.
 */
sealed interface RoleState permits RoleState.Unstarted, FollowerState, ProspectiveState, CandidateState, LeaderState {

    Role role();

    /** The ballot the role is about: the candidate's or leader's own, the promised one for others. */
    Ballot ballot();

    /** Throws {@link IllegalStateException} naming both states and ballots unless the table allows it. */
    static void checkTransition(RoleState from, Role to, Ballot toBallot) {
        boolean legal = switch (to) {
            case UNSTARTED -> false;
            case FOLLOWER -> from.role() != Role.FOLLOWER;
            case PROSPECTIVE -> from.role() == Role.FOLLOWER || from.role() == Role.PROSPECTIVE
                    || from.role() == Role.CANDIDATE;
            case CANDIDATE -> from.role() == Role.PROSPECTIVE && toBallot.isAbove(from.ballot());
            case LEADER -> from.role() == Role.CANDIDATE && toBallot.equals(from.ballot());
        };
        if (!legal) {
            throw new IllegalStateException("illegal transition " + from.role() + " (ballot " + from.ballot()
                    + ") -> " + to + " (ballot " + toBallot + ")");
        }
    }

    /** Before {@link PaxosMember#start(long)}. */
    enum Unstarted implements RoleState {
        INSTANCE;

        @Override
        public Role role() {
            return Role.UNSTARTED;
        }

        @Override
        public Ballot ballot() {
            return Ballot.ZERO;
        }
    }
}
