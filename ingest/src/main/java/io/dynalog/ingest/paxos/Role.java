package io.dynalog.ingest.paxos;

/** The role a member plays in its group; see {@link RoleState} for the transitions. */
public enum Role {
    /** Constructed, {@link PaxosMember#start(long)} not called yet. */
    UNSTARTED,
    /** Accepts what the leader sends and waits for it; campaigns when it hears nothing. */
    FOLLOWER,
    /** Asks the others whether they would promise a new ballot of its own (pre-vote); changes nothing durable. */
    PROSPECTIVE,
    /** Runs phase 1 for its own ballot. */
    CANDIDATE,
    /** Won phase 1: assigns slots and runs phase 2. */
    LEADER
}
