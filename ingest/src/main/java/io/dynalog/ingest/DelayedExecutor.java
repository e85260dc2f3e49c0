package io.dynalog.ingest;

/**
 * Runs a task after a delay: the one way protocol code here waits, so that a test or a
 * simulation can drive time itself.
 */
@FunctionalInterface
public interface DelayedExecutor {
    void schedule(Runnable task, long delayMs);
}
