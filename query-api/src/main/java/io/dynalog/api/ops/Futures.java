package io.dynalog.api.ops;

import io.dynalog.api.ApiException;
import io.dynalog.topology.time.Time;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waiting for a step that normally takes milliseconds: deadlines, and retries of what a moment
 * can cure. Deadlines are read on the injected {@link Time}'s monotonic clock.
 */
final class Futures {
    /** How long a read waits for its partition before the client is told to retry. */
    static final long READ_WAIT_MS = 5_000;
    /** How long a write may take before the client is told its outcome is unknown. */
    static final long WRITE_WAIT_MS = 10_000;

    private final Time time;

    Futures(Time time) {
        this.time = time;
    }

    /**
     * The write, failing with InternalServerError (outcome unknown) when it is not chosen in time:
     * it may still be, so the client must not be told that it was not applied.
     */
    <T> CompletableFuture<T> writeDeadline(CompletableFuture<T> write) {
        return write.orTimeout(WRITE_WAIT_MS, TimeUnit.MILLISECONDS).exceptionallyCompose(e ->
                CompletableFuture.failedFuture(Failures.unwrap(e) instanceof TimeoutException
                        ? ApiException.internalServerError("The write did not complete in time; it may or may not have been applied")
                        : e));
    }

    /** The read, failing with ServiceUnavailable when it does not complete in time. */
    <T> CompletableFuture<T> readDeadline(CompletableFuture<T> read) {
        return read.orTimeout(READ_WAIT_MS, TimeUnit.MILLISECONDS).exceptionallyCompose(e ->
                CompletableFuture.failedFuture(Failures.unwrap(e) instanceof TimeoutException
                        ? ApiException.serviceUnavailable("The partition did not answer in time; retry the request")
                        : e));
    }

    /**
     * Runs {@code attempt} again, after a short growing pause, while it fails for a reason a
     * moment can cure (the partition's leader is changing or renewing its lease; for an idempotent
     * write, also an unknown outcome), until {@code deadlineMs} from now: a client does not see a
     * leader change, only a slower answer.
     */
    <T> CompletableFuture<T> retrying(java.util.function.Supplier<CompletableFuture<T>> attempt,
                                             boolean idempotent, long deadlineMs) {
        return retrying(attempt, idempotent, deadlineMs, e -> false);
    }

    /** As {@link #retrying(java.util.function.Supplier, boolean, long)}, but gives up at once on a failure {@code handOff} claims. */
    <T> CompletableFuture<T> retrying(java.util.function.Supplier<CompletableFuture<T>> attempt,
                                             boolean idempotent, long deadlineMs,
                                             java.util.function.Predicate<Throwable> handOff) {
        long deadline = time.monotonicNs() + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        return attempt(attempt, idempotent, deadline, FIRST_RETRY_DELAY_MS, handOff);
    }

    private <T> CompletableFuture<T> attempt(java.util.function.Supplier<CompletableFuture<T>> attempt,
                                                    boolean idempotent, long deadlineNs, long delayMs,
                                                    java.util.function.Predicate<Throwable> handOff) {
        return attempt.get().exceptionallyCompose(e -> {
            Throwable cause = Failures.unwrap(e);
            boolean retryable = !handOff.test(cause) && cause instanceof io.dynalog.ingest.IngestException ie && switch (ie.reason()) {
                case NOT_LEADER, LEADER_UNAVAILABLE -> true;
                case OUTCOME_UNKNOWN -> idempotent;
                case CLOSED, OVERLOADED -> false;
            };
            if (!retryable || time.monotonicNs() + TimeUnit.MILLISECONDS.toNanos(delayMs) > deadlineNs) {
                return CompletableFuture.failedFuture(cause);
            }
            java.util.concurrent.Executor later = CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS);
            return CompletableFuture.supplyAsync(() -> null, later)
                    .thenCompose(v -> attempt(attempt, idempotent, deadlineNs, Math.min(delayMs * 2, MAX_RETRY_DELAY_MS), handOff));
        });
    }

    /**
     * Runs {@code attempt} on this (API worker) thread, and again after a short growing pause
     * while it fails because a partition's leader lost its lease while the answer was formed (an
     * answer that must not be given), until {@code deadlineMs} from now.
     */
    <T> T retryingNow(java.util.function.Supplier<T> attempt, long deadlineMs) {
        long deadline = time.monotonicNs() + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        long delayMs = FIRST_RETRY_DELAY_MS;
        while (true) {
            try {
                return attempt.get();
            } catch (io.dynalog.ingest.IngestException e) {
                if (e.reason() != io.dynalog.ingest.IngestException.Reason.LEADER_UNAVAILABLE
                        || time.monotonicNs() + TimeUnit.MILLISECONDS.toNanos(delayMs) > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.serviceUnavailable("The request was interrupted");
            }
            delayMs = Math.min(delayMs * 2, MAX_RETRY_DELAY_MS);
        }
    }

    private static final long FIRST_RETRY_DELAY_MS = 5;
    private static final long MAX_RETRY_DELAY_MS = 200;

    <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(READ_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw ApiException.serviceUnavailable("The partition did not answer in time; retry the request");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.serviceUnavailable("The request was interrupted");
        } catch (ExecutionException e) {
            Throwable t = Failures.toApi(e.getCause());
            if (t instanceof RuntimeException r) throw r;
            throw new IllegalStateException(t);
        }
    }
}
