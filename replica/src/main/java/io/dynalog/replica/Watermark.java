package io.dynalog.replica;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A position that only moves forward (an applied slot, a consumed offset), and the futures
 * waiting for it to reach a value. Thread-safe; waiters are completed outside the lock.
 */
final class Watermark {
    private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();
    private long position;
    private Throwable failure;

    Watermark(long initial) {
        this.position = initial;
    }

    /** True while a future waits for the position. */
    synchronized boolean awaited() {
        return !waiters.isEmpty();
    }

    synchronized long position() {
        return position;
    }

    /** Completes once the position is at least {@code target}; fails if the watermark has failed. */
    synchronized CompletableFuture<Void> whenReached(long target) {
        if (failure != null) return CompletableFuture.failedFuture(failure);
        if (position >= target) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiters.computeIfAbsent(target, k -> new ArrayList<>()).add(f);
        return f;
    }

    void advanceTo(long newPosition) {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        synchronized (this) {
            position = Math.max(position, newPosition);
            Map<Long, List<CompletableFuture<Void>>> head = waiters.headMap(position, true);
            head.values().forEach(ready::addAll);
            head.clear();
        }
        ready.forEach(f -> f.complete(null));
    }

    /** Fails every waiter, present and future. */
    void fail(Throwable cause) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        synchronized (this) {
            failure = cause;
            waiters.values().forEach(all::addAll);
            waiters.clear();
        }
        all.forEach(f -> f.completeExceptionally(cause));
    }
}
