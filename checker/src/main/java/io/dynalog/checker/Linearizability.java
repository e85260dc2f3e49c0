package io.dynalog.checker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Decides whether a concurrent history is linearizable with respect to a {@link Model}
 * (Herlihy and Wing 1990): whether its completed operations, plus any subset of its
 * unknown-outcome operations, can be put in one sequential order that (1) respects real time (an
 * operation that completed before another was invoked comes first) and (2) the model accepts, each
 * operation producing the output its client observed.
 *
 * <p>The search is Wing and Gong's, with Lowe's memoisation (see {@link WglSearch}).
 * Linearizability is local (Herlihy and Wing's locality theorem): a history of several independent
 * objects is linearizable iff each object's sub-history is. {@link #checkByKey} uses that
 * ("P-compositionality", Horn and Kroening 2015) to check each key on its own, which turns one
 * exponential search into many small ones.
 */
public final class Linearizability {

    private Linearizability() {}

    /**
     * How much work one search may do before it gives up with {@link Verdict#UNKNOWN}.
     *
     * @param maxSteps  search steps (one step tries one operation in one configuration)
     * @param timeLimit wall-clock time per history (per key under {@link #checkByKey})
     */
    public record Options(long maxSteps, Duration timeLimit) {
        public Options {
            if (maxSteps <= 0) throw new IllegalArgumentException("maxSteps must be positive, was " + maxSteps);
            Objects.requireNonNull(timeLimit, "timeLimit");
        }

        /** 50 million steps and one minute per history. */
        public static Options defaults() {
            return new Options(50_000_000L, Duration.ofMinutes(1));
        }
    }

    /** The results of every key of a history, and the verdict over all of them. */
    public record Report<K, I, O>(Map<K, CheckResult<I, O>> byKey) {

        /** NOT_LINEARIZABLE if any key is, else UNKNOWN if any key is, else LINEARIZABLE. */
        public Verdict verdict() {
            Verdict v = Verdict.LINEARIZABLE;
            for (CheckResult<I, O> r : byKey.values()) {
                if (r.verdict() == Verdict.NOT_LINEARIZABLE) return Verdict.NOT_LINEARIZABLE;
                if (r.verdict() == Verdict.UNKNOWN) v = Verdict.UNKNOWN;
            }
            return v;
        }

        /** The keys' results that are not LINEARIZABLE, in key order of first appearance. */
        public List<CheckResult<I, O>> failures() {
            List<CheckResult<I, O>> out = new ArrayList<>();
            for (CheckResult<I, O> r : byKey.values()) if (!r.isLinearizable()) out.add(r);
            return out;
        }
    }

    /** Checks one history as a whole. */
    public static <S, I, O> CheckResult<I, O> check(Model<S, I, O> model, List<Operation<I, O>> history, Options options) {
        return search(model, history, options, null);
    }

    /**
     * Checks each key's sub-history separately. Sound and complete when {@code keyOf} separates
     * independent objects: no operation reads or writes more than one key's state.
     */
    public static <K, S, I, O> Report<K, I, O> checkByKey(Model<S, I, O> model, List<Operation<I, O>> history,
                                                         Function<? super Operation<I, O>, ? extends K> keyOf, Options options) {
        Map<K, List<Operation<I, O>>> byKey = new LinkedHashMap<>();
        for (Operation<I, O> op : history) byKey.computeIfAbsent(keyOf.apply(op), k -> new ArrayList<>()).add(op);
        Map<K, CheckResult<I, O>> results = new LinkedHashMap<>();
        byKey.forEach((k, ops) -> results.put(k, search(model, ops, options, k)));
        return new Report<>(results);
    }

    private static <S, I, O> CheckResult<I, O> search(Model<S, I, O> model, List<Operation<I, O>> history, Options options, Object key) {
        List<Operation<I, O>> reduced = model.reduce(history);
        return new WglSearch<>(model, reduced, options, key, history.size() - reduced.size()).run();
    }
}
