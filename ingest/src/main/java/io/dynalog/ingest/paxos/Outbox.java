package io.dynalog.ingest.paxos;

/**
 * Where a member puts the messages it sends. Delivery is best effort: a message may be lost,
 * delayed, duplicated or reordered, and the protocol copes. {@code send} must not block and must
 * not call back into the member.
 */
@FunctionalInterface
public interface Outbox {
    void send(int toMemberId, PaxosMessage message);
}
