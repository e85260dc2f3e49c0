package io.dynalog.checker;

/**
 * A sequential specification: the object a concurrent history is checked against.
 *
 * <p>States are values: {@code equals} and {@code hashCode} must compare content, because the
 * checker memoises (linearized operations, state) pairs and two paths that reach an equal state
 * with the same operations linearized are explored once. States must be immutable: the checker
 * keeps old states to backtrack to.
 *
 * @param <S> the state
 * @param <I> an operation's input (what the client asked for)
 * @param <O> an operation's output (what the client was told)
 */
public interface Model<S, I, O> {

    /** The state before any operation. */
    S initialState();

    /**
     * Applies one operation.
     *
     * @param output what the client observed; {@code null} when the outcome is unknown (the client
     *        gave up waiting), in which case any output is allowed
     * @return the state after the operation, or {@code null} if the operation cannot have been
     *         applied to {@code state} with this output (for an unknown outcome: it cannot have
     *         taken effect in this state; it may still take effect elsewhere, or never)
     */
    S step(S state, I input, O output);

    /**
     * A history to search instead of {@code history}: linearizable iff {@code history} is, and
     * cheaper to search, e.g. without unknown-outcome writes that no output could reveal (each one
     * left in is a candidate at every later point of the search). The history as it is by default.
     */
    default java.util.List<Operation<I, O>> reduce(java.util.List<Operation<I, O>> history) {
        return history;
    }

    /** How an operation reads in an explanation; the records' {@code toString} by default. */
    default String describe(I input, O output) {
        return input + " -> " + (output == null ? "?" : output);
    }
}
