package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;

/**
 * What a member tells the integration. Called synchronously from within the member's input
 * methods on the caller's thread; an implementation must not call the member's input methods
 * from here (queue the work instead): the member throws {@link IllegalStateException} if it does.
 */
public interface PaxosListener {

    /**
     * {@code slot} is chosen with {@code value}. Called in strictly increasing slot order without
     * gaps (after {@link #onDeliverySkipped}, from the slot after the skipped ones), starting after
     * the archived slot the member started with.
     */
    void onChosen(long slot, byte[] value);

    /**
     * The WAL holds every slot through {@code throughSlot}, some of which this member never
     * learned; it will not deliver them (read them from the WAL) and continues at
     * {@code throughSlot + 1}.
     */
    default void onDeliverySkipped(long throughSlot) {}

    /**
     * From {@code fromSlot} on, {@code configuration} governs the group: a configuration value was
     * delivered at the slot before it (after its {@link #onChosen}), or an archived prefix this
     * member skipped ended with it.
     */
    default void onConfigurationChosen(long fromSlot, Configuration configuration) {}

    /** The member now plays {@code role} in {@code ballot} (its own ballot when it campaigns or leads). */
    void onRoleChanged(Role role, Ballot ballot);

    /**
     * The leader of {@code ballot} has had every slot it recovered in phase 1 chosen under its
     * ballot: everything chosen before it has been delivered to {@link #onChosen} or is archived.
     */
    void onLeaderReady(Ballot ballot);

    /**
     * The member stopped: it failed (its code, or this listener's, threw on the loop:
     * {@code cause}) and was fenced, and a new member will start from the durable state with a new
     * listener; or its group was left ({@code cause} null). No callback follows. The listener
     * fails whatever waits on it and lets go of its state. Called on the loop, outside any member
     * call.
     */
    default void onStopped(Throwable cause) {}
}
