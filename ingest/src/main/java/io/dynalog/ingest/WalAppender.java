package io.dynalog.ingest;

import io.dynalog.topology.wal.WalEntry;
import java.util.concurrent.CompletableFuture;

/**
 * Appends chosen entries to a WAL topic. Appends to one partition made in some order land in
 * Kafka in that order (the leader relies on it: slot order is offset order), and once an append
 * to a partition has failed, no later one lands until the leader starts a new sequence of
 * appends ({@code restartsSequence}): from its first unacknowledged slot, or as a new leader.
 */
public interface WalAppender extends AutoCloseable {
    /**
     * Completes when Kafka has acknowledged the entry (acks=all); fails when it did not. Never throws.
     *
     * @param restartsSequence true for the first append of a leadership, and for the first one
     *     after a failure (which must be the first slot the leader has no acknowledgement for)
     */
    CompletableFuture<Void> append(String walTopic, WalEntry entry, boolean restartsSequence);

    /**
     * This node no longer leads the partition: appends not yet made fail, and whatever the
     * appender holds for it (a producer) is let go, so the next leader can take over.
     */
    void release(String walTopic, int partition);

    @Override
    void close();
}
