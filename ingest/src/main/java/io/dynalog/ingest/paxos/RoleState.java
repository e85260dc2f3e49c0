package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;

/**
 * The role-specific state of a member: one small class per role. A member changes role only
 * through {@link #checkTransition}, which holds the whole transition table:
 *
 * <pre>
 *  from \ to  | FOLLOWER                       | CANDIDATE                        | LEADER
 *  -----------+--------------------------------+----------------------------------+-------------------------------
 *  UNSTARTED  | start()                        | -                                | -
 *  FOLLOWER   | -                              | election timeout and no live     | -
 *             |                                | lease granted; ballot above all  |
 *             |                                | seen                             |
 *  CANDIDATE  | a higher ballot seen (Prepare  | election timeout: a new, higher  | durable promises of a majority
 *             | promised, Accept accepted,     | ballot                           | (its own counted once synced),
 *             | Reject naming a higher one)    |                                  | same ballot
 *  LEADER     | a higher ballot seen; or no    | -                                | -
 *             | majority acknowledged anything |                                  |
 *             | for 2 election timeouts (groups |                                  |
 *             | of more than one)              |                                  |
 * </pre>
 *
 * A follower that sees a higher ballot stays a follower (its ballot is the promised one, not a
 * role change). Nothing returns to UNSTARTED: a stopped member is discarded and a new one started
 * from the store.
 */
sealed interface RoleState permits RoleState.Unstarted, FollowerState, CandidateState, LeaderState {

    Role role();

    /** The ballot the role is about: the candidate's or leader's own, the promised one for others. */
    Ballot ballot();

    /** Throws {@link IllegalStateException} naming both states and ballots unless the table allows it. */
    static void checkTransition(RoleState from, Role to, Ballot toBallot) {
        boolean legal = switch (to) {
            case UNSTARTED -> false;
            case FOLLOWER -> from.role() != Role.FOLLOWER;
            case CANDIDATE -> (from.role() == Role.FOLLOWER || from.role() == Role.CANDIDATE)
                    && toBallot.isAbove(from.ballot());
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
