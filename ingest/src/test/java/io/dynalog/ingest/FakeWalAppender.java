package io.dynalog.ingest;

import io.dynalog.topology.wal.WalEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Records appended entries in order and leaves each append pending until the test completes or
 * fails it. Appends are acknowledged in the order they were made, as Kafka does within one
 * partition; {@link #landed} is what the WAL partition then holds.
 */
final class FakeWalAppender implements WalAppender {
    record Append(String topic, WalEntry entry, CompletableFuture<Void> future) {}

    private final List<Append> appends = new ArrayList<>();
    private final ArrayDeque<Append> pending = new ArrayDeque<>();
    private final List<WalEntry> landed = new ArrayList<>();
    private boolean closed;
    private Throwable brokenBy;

    @Override
    public CompletableFuture<Void> append(String walTopic, WalEntry entry) {
        Append a = new Append(walTopic, entry, new CompletableFuture<>());
        appends.add(a);
        pending.add(a);
        return a.future;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Acknowledges the oldest pending append; returns its entry. */
    WalEntry completeNext() {
        Append a = nextPending();
        landed.add(a.entry);
        a.future.complete(null);
        return a.entry;
    }

    /** Fails the oldest pending append; returns its entry. */
    WalEntry failNext(Throwable error) {
        Append a = nextPending();
        a.future.completeExceptionally(error);
        return a.entry;
    }

    /** Fails every pending append (a failed suffix). */
    void failAllPending(Throwable error) {
        while (!pending.isEmpty()) failNext(error);
    }

    /**
     * Fails every pending append, and every append made from now until {@link #heal}, when the
     * test acknowledges it: the model in which a failed append fails the whole suffix after it.
     */
    void failSuffix(Throwable error) {
        brokenBy = error;
        failAllPending(error);
    }

    void heal() {
        brokenBy = null;
    }

    /** Acknowledges the oldest pending append, or fails it after {@link #failSuffix}. */
    WalEntry settleNext() {
        return brokenBy == null ? completeNext() : failNext(brokenBy);
    }

    /** Every entry handed to the appender, in the order it was handed over. */
    List<WalEntry> appended() {
        return appends.stream().map(Append::entry).toList();
    }

    List<Append> appends() {
        return appends;
    }

    WalEntry lastAppended() {
        if (appends.isEmpty()) throw new AssertionError("nothing appended");
        return appends.get(appends.size() - 1).entry;
    }

    /** The acknowledged entries, in WAL order. */
    List<WalEntry> landed() {
        return landed;
    }

    int inFlight() {
        return pending.size();
    }

    boolean closed() {
        return closed;
    }

    private Append nextPending() {
        if (pending.isEmpty()) throw new AssertionError("no append is pending (" + appends.size() + " made)");
        return pending.poll();
    }
}
