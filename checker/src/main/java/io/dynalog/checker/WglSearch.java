package io.dynalog.checker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One linearizability search: Wing and Gong's backtracking algorithm (1993) with Lowe's
 * memoisation ("Testing for linearizability", 2017), the algorithm Porcupine and Knossos' "wgl"
 * checker implement, extended for operations with unknown outcomes.
 *
 * <p><b>The list.</b> Every operation has a call entry at its invocation time and, if it
 * completed, a return entry at its completion time, in one doubly linked list sorted by time
 * (calls before returns at equal times: a tie counts as concurrent). The operations that may be
 * linearized next are exactly those whose call entry comes before the list's first return entry:
 * every operation that completed before they were invoked is already linearized. Linearizing an
 * operation <i>lifts</i> its call and return entries out of the list; backtracking <i>unlifts</i>
 * them, back into the same place (the removed entries keep their neighbours' links, Knuth's
 * dancing links).
 *
 * <p><b>The search.</b> From the list's head, try each candidate in turn: if the model accepts it
 * in the current state (with its observed output) and the resulting configuration is new, push
 * (entry, previous state), lift it and start again from the head; when the first return entry is
 * reached, no candidate worked: pop the last linearized operation, unlift it, restore its state
 * and try the candidate after it. The history is linearizable when every completed operation is
 * linearized, not linearizable when the stack is empty with nothing left to try.
 *
 * <p><b>Unknown outcomes.</b> An operation without a completion has a call entry only: it never
 * blocks anyone, may be linearized at any point after its invocation, and need not be linearized
 * at all (it never took effect). In each configuration the completed candidates are tried first
 * and the unknown ones after them, so that an unknown write is applied only where something needs
 * it; of several pending ones with equal inputs only the earliest is tried (they are
 * interchangeable). The model may first {@link Model#reduce reduce} the history, e.g. leave out
 * unknown writes nothing could have observed.
 *
 * <p><b>Memoisation.</b> A configuration is (completed operations linearized K, unknown
 * operations linearized U, model state s); its future depends on nothing else. Lowe's cache skips
 * a configuration seen before: it has been explored and failed, or is being explored further up
 * the stack. Here it also skips one that is <i>dominated</i>: if (K, U', s) with U' a subset of U
 * was seen, anything (K, U, s) can still do, (K, U', s) can do too (the extra unknown operations
 * may simply never happen), so the cache maps (K, s) to the U sets seen and a new U that contains
 * one of them is skipped. For that to prune early, a configuration's unknown-outcome children are
 * all registered before the first is explored (else (K, {u1, u2}, s) below (K, {u1}, ..) would be
 * explored before its dominating sibling (K, {u2}, s) is registered). Without that, every subset
 * of a history's timed-out writes whose effect was overwritten would be explored separately.
 *
 * <p>Invariants: the entries in the list are those of the operations not linearized; the stack
 * holds the linearized operations in linearization order with the state before each; {@code state}
 * is the model's state after the stack; {@code known}/{@code unknown} are the stack's operations.
 */
final class WglSearch<S, I, O> {

    /** A call or return entry of the list; {@code match} links a call to its return (null if the outcome is unknown). */
    private static final class Entry {
        final int op;
        final boolean call;
        Entry match;
        Entry prev;
        Entry next;

        Entry(int op, boolean call) {
            this.op = op;
            this.call = call;
        }
    }

    /** The linearization so far, as an immutable list sharing its prefix, newest first. */
    private record Path(int op, Path parent) {}

    /**
     * A linearized operation on the stack: its call entry, the state before it, and where the
     * search of the configuration before it stood (its unknown-outcome children, if it had got
     * that far, and the next of them to try; else the cursor resumes after {@code entry}).
     */
    private record Frame<S>(Entry entry, S stateBefore, List<Child<S>> children, int nextChild) {}

    /** A configuration one unknown-outcome operation away: that operation's entry and the state after it. */
    private record Child<S>(Entry entry, S state) {}

    private record CacheKey(OpSet.Frozen known, Object state) {}

    private final Model<S, I, O> model;
    private final List<Operation<I, O>> ops;
    private final Linearizability.Options options;
    private final Object key;
    /** For each operation: its index among the completed ones, or among the unknown ones. */
    private final int[] slot;
    private final int completedCount;
    private final Entry head = new Entry(-1, true);
    private final long originNs;
    private final int leftOut;
    /** The linearized completed operations (by their completed index) and unknown ones (by theirs). */
    private final OpSet known;
    private final OpSet unknown;

    // Where the search got furthest, for the explanation.
    private int bestDepth = -1;
    private Path bestPath;
    private S bestState;
    private List<Integer> bestCandidates = List.of();

    /** @param leftOut how many operations {@link Model#reduce} left out (only reported) */
    WglSearch(Model<S, I, O> model, List<Operation<I, O>> history, Linearizability.Options options, Object key, int leftOut) {
        this.leftOut = leftOut;
        this.model = model;
        this.ops = List.copyOf(history);
        this.options = options;
        this.key = key;
        this.slot = new int[ops.size()];
        int completedOps = 0;
        int unknownOps = 0;
        long origin = Long.MAX_VALUE;
        for (int i = 0; i < ops.size(); i++) {
            Operation<I, O> op = ops.get(i);
            slot[i] = op.isCompleted() ? completedOps++ : unknownOps++;
            origin = Math.min(origin, op.invokeNs());
        }
        this.completedCount = completedOps;
        this.originNs = origin == Long.MAX_VALUE ? 0 : origin;
        this.known = new OpSet(completedOps);
        this.unknown = new OpSet(unknownOps);
        buildList();
    }

    private void buildList() {
        List<Entry> entries = new ArrayList<>(ops.size() * 2);
        for (int i = 0; i < ops.size(); i++) {
            Entry call = new Entry(i, true);
            entries.add(call);
            if (ops.get(i).isCompleted()) {
                Entry ret = new Entry(i, false);
                call.match = ret;
                ret.match = call;
                entries.add(ret);
            }
        }
        entries.sort(Comparator.<Entry>comparingLong(e -> e.call ? ops.get(e.op).invokeNs() : ops.get(e.op).completeNs())
                .thenComparing(e -> !e.call)
                .thenComparingInt(e -> e.op));
        Entry prev = head;
        for (Entry e : entries) {
            prev.next = e;
            e.prev = prev;
            prev = e;
        }
    }

    /** Removes a call entry and its return entry from the list. */
    private static void lift(Entry call) {
        call.prev.next = call.next;
        if (call.next != null) call.next.prev = call.prev;
        Entry ret = call.match;
        if (ret != null) {
            ret.prev.next = ret.next;
            if (ret.next != null) ret.next.prev = ret.prev;
        }
    }

    /** Puts back what {@link #lift} removed, in reverse order. */
    private static void unlift(Entry call) {
        Entry ret = call.match;
        if (ret != null) {
            ret.prev.next = ret;
            if (ret.next != null) ret.next.prev = ret;
        }
        call.prev.next = call;
        if (call.next != null) call.next.prev = call;
    }

    CheckResult<I, O> run() {
        long startNs = System.nanoTime();
        long deadlineNs = startNs + options.timeLimit().toNanos();
        Map<CacheKey, List<long[]>> cache = new HashMap<>();
        List<Frame<S>> stack = new ArrayList<>();
        S state = model.initialState();
        Path path = null;
        int remaining = completedCount;
        // Where this configuration's search stands: the cursor of the completed phase, or the
        // unknown-outcome children (computed when that phase begins) and the next one to try.
        Entry entry = head.next;
        List<Child<S>> children = null;
        int nextChild = 0;
        long steps = 0;
        noteProgress(0, path, state);
        while (remaining > 0) {
            steps++;
            if (steps > options.maxSteps() || ((steps & 0xFFF) == 0 && System.nanoTime() > deadlineNs)) {
                return result(Verdict.UNKNOWN, steps, startNs);
            }
            Entry chosen = null;
            S next = null;
            if (children == null) {
                if (!entry.call) {
                    // The first return entry: every completed candidate has been tried.
                    children = unknownChildren(cache, state);
                    nextChild = 0;
                    continue;
                }
                if (entry.match != null) {
                    Operation<I, O> op = ops.get(entry.op);
                    S s = model.step(state, op.input(), op.output());
                    if (s != null && register(cache, entry, s)) {
                        chosen = entry;
                        next = s;
                    }
                }
                if (chosen == null) {
                    entry = entry.next;
                    continue;
                }
            } else if (nextChild < children.size()) {
                Child<S> child = children.get(nextChild++);
                chosen = child.entry();
                next = child.state();
            } else {
                // Nothing to try from here: undo the last linearized operation.
                if (stack.isEmpty()) return result(Verdict.NOT_LINEARIZABLE, steps, startNs);
                Frame<S> top = stack.remove(stack.size() - 1);
                Entry undone = top.entry();
                state = top.stateBefore();
                if (undone.match != null) {
                    known.remove(slot[undone.op]);
                    remaining++;
                } else {
                    unknown.remove(slot[undone.op]);
                }
                unlift(undone);
                path = path.parent();
                children = top.children();
                nextChild = top.nextChild();
                entry = undone.next;
                continue;
            }
            stack.add(new Frame<>(chosen, state, children, nextChild));
            state = next;
            lift(chosen);
            path = new Path(chosen.op, path);
            if (chosen.match != null) {
                known.add(slot[chosen.op]);
                remaining--;
                noteProgress(completedCount - remaining, path, state);
            } else {
                unknown.add(slot[chosen.op]);
            }
            entry = head.next;
            children = null;
        }
        return result(Verdict.LINEARIZABLE, steps, startNs);
    }

    /**
     * The configurations one unknown-outcome operation away, each registered in the cache before
     * any is explored: so that (K, {u1, u2}, s), met below (K, {u1}, ...), is recognised as
     * dominated by its sibling (K, {u2}, s) even though that sibling is explored later.
     */
    private List<Child<S>> unknownChildren(Map<CacheKey, List<long[]>> cache, S state) {
        List<Child<S>> out = new ArrayList<>();
        Set<I> inputsTried = new HashSet<>();
        for (Entry e = head.next; e != null && e.call; e = e.next) {
            if (e.match != null) continue;
            Operation<I, O> op = ops.get(e.op);
            // Unknown-outcome operations with equal inputs are interchangeable: wherever a later
            // one could be placed, the earliest pending one can be too (it was invoked before).
            if (!inputsTried.add(op.input())) continue;
            S s = model.step(state, op.input(), op.output());
            if (s != null && register(cache, e, s)) out.add(new Child<>(e, s));
        }
        return out;
    }

    /**
     * Records the configuration reached by linearizing the entry's operation into state
     * {@code next}; returns false if it, or a configuration dominating it, was seen before.
     */
    private boolean register(Map<CacheKey, List<long[]>> cache, Entry entry, S next) {
        OpSet set = entry.match != null ? known : unknown;
        int index = slot[entry.op];
        set.add(index);
        try {
            long[] unknownNow = unknown.words();
            List<long[]> seen = cache.computeIfAbsent(new CacheKey(known.freeze(), next), k -> new ArrayList<>(1));
            for (long[] u : seen) {
                if (OpSet.subset(u, unknownNow)) return false;
            }
            seen.add(unknownNow);
            return true;
        } finally {
            set.remove(index);
        }
    }

    /** Remembers the deepest configuration (most completed operations linearized) and its candidates. */
    private void noteProgress(int depth, Path path, S state) {
        if (depth <= bestDepth) return;
        bestDepth = depth;
        bestPath = path;
        bestState = state;
        List<Integer> candidates = new ArrayList<>();
        for (Entry e = head.next; e != null && e.call; e = e.next) {
            if (e.match != null) candidates.add(e.op);
        }
        bestCandidates = candidates;
    }

    private CheckResult<I, O> result(Verdict verdict, long steps, long startNs) {
        long elapsedNs = System.nanoTime() - startNs;
        if (verdict == Verdict.LINEARIZABLE) {
            return new CheckResult<>(key, verdict, ops.size(), leftOut, List.of(), null, List.of(), steps, elapsedNs, originNs);
        }
        List<Operation<I, O>> prefix = new ArrayList<>();
        for (Path p = bestPath; p != null; p = p.parent()) prefix.add(ops.get(p.op()));
        Collections.reverse(prefix);
        List<CheckResult.Unplaced<I, O>> unplaced = new ArrayList<>();
        for (int i : bestCandidates) {
            Operation<I, O> op = ops.get(i);
            unplaced.add(new CheckResult.Unplaced<>(op, model.step(bestState, op.input(), op.output()) == null));
        }
        return new CheckResult<>(key, verdict, ops.size(), leftOut, List.copyOf(prefix), bestState, List.copyOf(unplaced),
                steps, elapsedNs, originNs);
    }
}
