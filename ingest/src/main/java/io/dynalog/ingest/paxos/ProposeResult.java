package io.dynalog.ingest.paxos;

/** What {@link PaxosMember#propose} did: an error is a value, the caller decides where to retry. */
public sealed interface ProposeResult {

    /** The value was given {@code slot}; it is chosen once the listener's onChosen reports that slot with it. */
    record Proposed(long slot) implements ProposeResult {}

    /** This member does not lead; {@code leaderHint} is the member it believes does, or {@link PaxosMember#NO_LEADER}. */
    record NotLeader(int leaderHint) implements ProposeResult {}

    /** The leader refused the proposal for {@code reason} (a configuration change it cannot make now). */
    record Refused(String reason) implements ProposeResult {}
}
