package io.dynalog.checker;

import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * The outcome of checking one history (one key's, under {@link Linearizability#checkByKey}).
 *
 * <p>For a history that is not linearizable (or whose check ran out of budget) it carries a
 * minimal explanation: the longest linearizable prefix the search found (the most completed
 * operations it could place in an order consistent with real time and the model), the model state
 * after it, and the operations that were candidates to come next there and could not be placed:
 * either the model refuses them in that state, or nothing could follow them.
 *
 * @param key            the key of the sub-history, or {@code null} for a whole history
 * @param operations     how many operations were searched (completed and unknown)
 * @param leftOut        how many more the model's {@link Model#reduce} left out as irrelevant
 * @param longestPrefix  the longest partial linearization found, in order (unknown-outcome
 *                       operations included where they were placed); empty when linearizable
 * @param stateAfterPrefix the model state after {@code longestPrefix}
 * @param unplaced       the candidates that could not be placed after {@code longestPrefix}
 * @param steps          how many search steps the check took
 * @param originNs       time zero for printing times: the earliest invocation of the history, unless
 *                       {@link #relativeTo changed}
 */
public record CheckResult<I, O>(Object key, Verdict verdict, int operations, int leftOut, List<Operation<I, O>> longestPrefix,
                                Object stateAfterPrefix, List<Unplaced<I, O>> unplaced, long steps, long elapsedNs,
                                long originNs) {

    /**
     * An operation the search could not place after the longest prefix.
     *
     * @param refusedByModel true if the model refuses it in the state after the prefix (its output
     *        is impossible there); false if it could be applied but no linearization continued
     */
    public record Unplaced<I, O>(Operation<I, O> operation, boolean refusedByModel) {}

    /** The same result printing times relative to {@code newOriginNs} (e.g. the start of a test, to line up with its other logs). */
    public CheckResult<I, O> relativeTo(long newOriginNs) {
        return new CheckResult<>(key, verdict, operations, leftOut, longestPrefix, stateAfterPrefix, unplaced, steps, elapsedNs, newOriginNs);
    }

    public boolean isLinearizable() {
        return verdict == Verdict.LINEARIZABLE;
    }

    /**
     * A few lines saying why: the last {@code prefixShown} operations of the longest prefix, the
     * state after it, and the operations that could not be placed.
     */
    public String explain(int prefixShown, BiFunction<I, O, String> describe) {
        StringBuilder s = new StringBuilder();
        s.append(key == null ? "history" : "key " + key).append(": ").append(verdict).append(" (")
                .append(operations).append(" operations")
                .append(leftOut > 0 ? " (and " + leftOut + " unknown-outcome ones left out as unobservable)" : "").append(", ").append(steps).append(" search steps, ")
                .append(elapsedNs / 1_000_000).append(" ms)");
        if (verdict == Verdict.LINEARIZABLE) return s.toString();
        s.append("\n  longest linearizable prefix: ").append(longestPrefix.size()).append(" operations");
        int from = Math.max(0, longestPrefix.size() - prefixShown);
        if (from > 0) s.append(" (last ").append(prefixShown).append(" shown)");
        for (int i = from; i < longestPrefix.size(); i++) {
            s.append("\n    ").append(i + 1).append(". ").append(format(longestPrefix.get(i), describe));
        }
        s.append("\n  state after it: ").append(stateAfterPrefix);
        s.append("\n  could not be placed next:");
        for (Unplaced<I, O> u : unplaced) {
            s.append("\n    ").append(format(u.operation(), describe))
                    .append(u.refusedByModel() ? "   [impossible in that state]" : "   [possible, but nothing could follow]");
        }
        return s.toString();
    }

    /** One operation: client, [invoke, complete] in ms since the history's first invocation, and what it did. */
    public String format(Operation<I, O> op, BiFunction<I, O, String> describe) {
        String end = op.isCompleted() ? ms(op.completeNs()) : "never";
        return String.format(Locale.ROOT, "client %d [%s .. %s] %s", op.client(), ms(op.invokeNs()), end,
                describe.apply(op.input(), op.output()));
    }

    private String ms(long ns) {
        return String.format(Locale.ROOT, "%.3f ms", (ns - originNs) / 1e6);
    }
}
