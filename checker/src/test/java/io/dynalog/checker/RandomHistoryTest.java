package io.dynalog.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.checker.ItemCollectionModel.Condition;
import io.dynalog.checker.ItemCollectionModel.ConditionFailed;
import io.dynalog.checker.ItemCollectionModel.ConditionalDelete;
import io.dynalog.checker.ItemCollectionModel.ConditionalPut;
import io.dynalog.checker.ItemCollectionModel.Delete;
import io.dynalog.checker.ItemCollectionModel.Get;
import io.dynalog.checker.ItemCollectionModel.Input;
import io.dynalog.checker.ItemCollectionModel.Items;
import io.dynalog.checker.ItemCollectionModel.Ok;
import io.dynalog.checker.ItemCollectionModel.Output;
import io.dynalog.checker.ItemCollectionModel.Put;
import io.dynalog.checker.ItemCollectionModel.Query;
import io.dynalog.checker.ItemCollectionModel.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Histories generated from a real sequential execution: operation i takes effect at time t_i
 * (increasing), its client invoked it some time before and saw the answer some time after, so
 * the history is linearizable by construction. Corrupting one read to a value the item held
 * earlier makes it (mostly: the read's window may cover the time it held that value) not.
 */
class RandomHistoryTest {
    static final ItemCollectionModel MODEL = ItemCollectionModel.INSTANCE;
    static final List<String> SORT_KEYS = List.of("a", "b", "c");

    /** A generated history and, per completed read, the values its sort key held before (for corruption). */
    record Generated(List<Operation<Input, Output>> ops, Map<Integer, List<String>> earlierValues) {}

    static Generated generate(long seed, int clients, int count, double unknownRate, int maxLatency) {
        return generate(seed, clients, count, unknownRate, maxLatency, false);
    }

    /** @param failuresReturnItem every failed condition returns the item (ReturnValuesOnConditionCheckFailure=ALL_OLD) */
    static Generated generate(long seed, int clients, int count, double unknownRate, int maxLatency, boolean failuresReturnItem) {
        Random rnd = new Random(seed);
        TreeMap<String, String> state = new TreeMap<>();
        Map<String, List<String>> valuesOf = new HashMap<>();
        for (String sk : SORT_KEYS) valuesOf.put(sk, new ArrayList<>(java.util.Collections.singletonList(null)));
        long[] freeAt = new long[clients];
        List<String> lastSeen = new ArrayList<>();
        for (int c = 0; c < clients; c++) lastSeen.add(null);
        List<Operation<Input, Output>> ops = new ArrayList<>();
        Map<Integer, List<String>> earlier = new HashMap<>();
        long t = 0;
        for (int i = 0; i < count; i++) {
            int c = rnd.nextInt(clients);
            t = Math.max(t, freeAt[c]) + 1 + rnd.nextInt(3);
            long invoke = t - rnd.nextInt((int) Math.min(maxLatency, t - freeAt[c]) + 1);
            String sk = SORT_KEYS.get(rnd.nextInt(SORT_KEYS.size()));
            String current = state.get(sk);
            String fresh = "c" + c + "-" + i;
            int kind = rnd.nextInt(100);
            Input in;
            Output out;
            boolean write = true;
            if (kind < 30) {
                in = new Get(sk);
                out = new Value(current);
                write = false;
                lastSeen.set(c, current);
            } else if (kind < 40) {
                in = new Query();
                out = Items.of(state);
                write = false;
            } else if (kind < 60) {
                in = new Put(sk, fresh);
                out = rnd.nextBoolean() ? Ok.okWithOld(current) : Ok.ok();
            } else if (kind < 80) {
                String expected = rnd.nextBoolean() ? lastSeen.get(c) : current;
                Condition cond = expected == null ? Condition.absent()
                        : rnd.nextBoolean() ? Condition.equalTo(expected) : Condition.absentOr(expected);
                in = new ConditionalPut(sk, cond, fresh);
                out = cond.holds(current) ? Ok.ok() : ConditionFailed.conditionFailedSeeing(current);
            } else if (kind < 90) {
                in = new Delete(sk);
                out = rnd.nextBoolean() ? Ok.okWithOld(current) : Ok.ok();
            } else {
                Condition cond = current == null || rnd.nextInt(3) == 0 ? Condition.equalTo("c0-0") : Condition.equalTo(current);
                in = new ConditionalDelete(sk, cond);
                out = cond.holds(current) ? Ok.ok()
                        : failuresReturnItem || rnd.nextBoolean() ? ConditionFailed.conditionFailedSeeing(current) : ConditionFailed.conditionFailed();
            }
            boolean unknown = write && rnd.nextDouble() < unknownRate;
            boolean takesEffect = !unknown || rnd.nextBoolean();
            if (takesEffect && !(out instanceof ConditionFailed)) {
                if (in instanceof Put p) state.put(sk, p.value());
                if (in instanceof ConditionalPut p) state.put(sk, p.value());
                if (in instanceof Delete || in instanceof ConditionalDelete) state.remove(sk);
                if (write && !java.util.Objects.equals(state.get(sk), current)) valuesOf.get(sk).add(state.get(sk));
            }
            if (unknown) {
                ops.add(Operation.unknown(c, invoke, in));
                freeAt[c] = t + 1 + rnd.nextInt(maxLatency);
            } else {
                long complete = t + rnd.nextInt(maxLatency);
                if (!write) earlier.put(ops.size(), new ArrayList<>(valuesOf.get(sk)));
                ops.add(Operation.completed(c, invoke, complete, in, out));
                freeAt[c] = complete + 1;
            }
        }
        return new Generated(ops, earlier);
    }

    /** Replaces one read's answer with a value its item held earlier (stale), or with one never written. */
    static List<Operation<Input, Output>> corrupt(Generated g, Random rnd) {
        List<Integer> reads = new ArrayList<>(g.earlierValues().keySet());
        java.util.Collections.sort(reads);
        List<Operation<Input, Output>> ops = new ArrayList<>(g.ops());
        for (int attempt = 0; attempt < 100; attempt++) {
            int i = reads.get(rnd.nextInt(reads.size()));
            Operation<Input, Output> op = ops.get(i);
            List<String> history = g.earlierValues().get(i);
            if (op.input() instanceof Get) {
                String now = ((Value) op.output()).value();
                // Two or more changes back: stale whatever the read's window.
                if (history.size() < 3) continue;
                String stale = history.get(rnd.nextInt(history.size() - 2));
                if (java.util.Objects.equals(stale, now)) continue;
                ops.set(i, Operation.completed(op.client(), op.invokeNs(), op.completeNs(), op.input(), new Value(stale)));
                return ops;
            }
            Map<String, String> items = new TreeMap<>(((Items) op.output()).asMap());
            String sk = SORT_KEYS.get(rnd.nextInt(SORT_KEYS.size()));
            items.put(sk, "never-written");
            ops.set(i, Operation.completed(op.client(), op.invokeNs(), op.completeNs(), op.input(), Items.of(items)));
            return ops;
        }
        throw new IllegalStateException("no read to corrupt");
    }

    @Test
    void historiesOfASequentialExecutionAreLinearizable() {
        for (long seed = 1; seed <= 300; seed++) {
            Generated g = generate(seed, 2 + (int) (seed % 8), 40 + (int) (seed % 160), 0.1, 20);
            CheckResult<Input, Output> r = Linearizability.check(MODEL, g.ops(), Linearizability.Options.defaults());
            assertThat(r.verdict()).as("seed %d: %s", seed, r.explain(10, MODEL::describe)).isEqualTo(Verdict.LINEARIZABLE);
        }
    }

    @Test
    void oneCorruptedReadMostlyBreaksLinearizability() {
        int failed = 0;
        int runs = 300;
        for (long seed = 1; seed <= runs; seed++) {
            Generated g = generate(seed, 2 + (int) (seed % 8), 60 + (int) (seed % 140), 0.1, 20);
            List<Operation<Input, Output>> bad = corrupt(g, new Random(seed));
            CheckResult<Input, Output> r = Linearizability.check(MODEL, bad, Linearizability.Options.defaults());
            assertThat(r.verdict()).as("seed %d", seed).isNotEqualTo(Verdict.UNKNOWN);
            if (r.verdict() == Verdict.NOT_LINEARIZABLE) {
                failed++;
                assertThat(r.unplaced()).as("seed %d: the explanation names what could not be placed", seed).isNotEmpty();
            }
        }
        System.out.printf("corrupted histories found not linearizable: %d of %d%n", failed, runs);
        assertThat(failed).isGreaterThan(runs * 8 / 10);
    }

    @Test
    void twoThousandOperationsOfTenClientsAreCheckedQuickly() {
        // As the nemesis test records them: a failed condition always returns the item, so the
        // timed-out writes nobody saw are left out (ItemCollectionModel.reduce).
        for (long seed = 1; seed <= 3; seed++) {
            Generated g = generate(seed, 10, 2000, 0.05, 40, true);
            long start = System.nanoTime();
            CheckResult<Input, Output> good = Linearizability.check(MODEL, g.ops(), Linearizability.Options.defaults());
            CheckResult<Input, Output> bad = Linearizability.check(MODEL, corrupt(g, new Random(seed)), Linearizability.Options.defaults());
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("seed %d: 2000 ops: %s in %d steps, corrupted: %s in %d steps, %d ms%n",
                    seed, good.verdict(), good.steps(), bad.verdict(), bad.steps(), ms);
            assertThat(good.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(bad.verdict()).isNotEqualTo(Verdict.UNKNOWN);
            assertThat(ms).isLessThan(20_000);
        }
    }
}
