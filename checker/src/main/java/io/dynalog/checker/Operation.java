package io.dynalog.checker;

import java.util.Objects;

/**
 * One operation of a concurrent history: its input, its output, when it was invoked and when it
 * completed, on a monotonic clock (e.g. {@link System#nanoTime()}), as seen by the client.
 *
 * <p>An operation whose outcome is unknown (a write that timed out, a connection that broke) has
 * no completion ({@link #PENDING}) and no output: it may take effect at any point after its
 * invocation, or never, and its output is unconstrained. This is how Jepsen and Porcupine model
 * an indeterminate operation (completion at +infinity); a checker only has to place the
 * operations that completed.
 *
 * <p>Operation a precedes b in real time iff {@code a.completeNs < b.invokeNs}; equal times count
 * as concurrent, so that clock ties can never make a history look worse than it is.
 *
 * @param client     who ran it (only reported; one client's operations are sequential)
 * @param invokeNs   when the client sent it
 * @param completeNs when the client had its answer, or {@link #PENDING}
 * @param output     the answer, or {@code null} exactly when the outcome is unknown
 */
public record Operation<I, O>(int client, long invokeNs, long completeNs, I input, O output) {

    /** The completion time of an operation whose outcome is unknown. */
    public static final long PENDING = Long.MAX_VALUE;

    public Operation {
        Objects.requireNonNull(input, "input");
        if (completeNs == PENDING) {
            if (output != null) throw new IllegalArgumentException("an operation with an unknown outcome has no output: " + output);
        } else {
            if (completeNs < invokeNs) {
                throw new IllegalArgumentException("completed (" + completeNs + ") before it was invoked (" + invokeNs + ")");
            }
            Objects.requireNonNull(output, "output of a completed operation");
        }
    }

    /** An operation that completed with {@code output}. */
    public static <I, O> Operation<I, O> completed(int client, long invokeNs, long completeNs, I input, O output) {
        return new Operation<>(client, invokeNs, completeNs, input, output);
    }

    /** An operation whose outcome is unknown: it may have taken effect at any time after {@code invokeNs}, or never. */
    public static <I, O> Operation<I, O> unknown(int client, long invokeNs, I input) {
        return new Operation<>(client, invokeNs, PENDING, input, null);
    }

    public boolean isCompleted() {
        return completeNs != PENDING;
    }
}
