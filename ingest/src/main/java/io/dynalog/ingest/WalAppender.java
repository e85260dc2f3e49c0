package io.dynalog.ingest;

import io.dynalog.topology.wal.WalEntry;
import java.util.concurrent.CompletableFuture;

/**
 * Appends chosen entries to a WAL topic. Appends to one partition made in some order land in
 * Kafka in that order (the leader relies on it: slot order is offset order).
 */
public interface WalAppender extends AutoCloseable {
    /**
     * Completes with the entry's offset when Kafka has acknowledged it (acks=all); fails when it
     * did not. Never throws.
     */
    CompletableFuture<Long> append(String walTopic, WalEntry entry);

    @Override
    void close();
}
