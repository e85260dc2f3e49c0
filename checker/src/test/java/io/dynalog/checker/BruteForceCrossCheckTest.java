package io.dynalog.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.checker.ItemCollectionModel.ConditionFailed;
import io.dynalog.checker.ItemCollectionModel.ConditionalDelete;
import io.dynalog.checker.ItemCollectionModel.ConditionalPut;
import io.dynalog.checker.ItemCollectionModel.Input;
import io.dynalog.checker.ItemCollectionModel.Items;
import io.dynalog.checker.ItemCollectionModel.Output;
import io.dynalog.checker.ItemCollectionModel.Put;
import io.dynalog.checker.ItemCollectionModel.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Small random histories, some linearizable and some not, decided twice: by the checker and by
 * brute force (every order of the completed operations plus every subset of the unknown-outcome
 * ones that respects real time). They must agree, whatever shortcuts the checker takes
 * (memoisation, dominance, equal inputs, {@link ItemCollectionModel#reduce}).
 */
class BruteForceCrossCheckTest {
    static final ItemCollectionModel MODEL = ItemCollectionModel.INSTANCE;

    @Test
    void theCheckerAgreesWithBruteForce() {
        int[] verdicts = new int[2];
        for (long seed = 1; seed <= 3000; seed++) {
            Random rnd = new Random(seed);
            RandomHistoryTest.Generated g = RandomHistoryTest.generate(seed, 2 + rnd.nextInt(3), 3 + rnd.nextInt(7), 0.35, 6, rnd.nextBoolean());
            List<Operation<Input, Output>> ops = new ArrayList<>(g.ops());
            if (rnd.nextBoolean()) mutate(ops, rnd);
            boolean expected = bruteForce(ops);
            CheckResult<Input, Output> r = Linearizability.check(MODEL, ops, Linearizability.Options.defaults());
            assertThat(r.verdict()).as("seed %d: %s", seed, ops)
                    .isEqualTo(expected ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE);
            verdicts[expected ? 0 : 1]++;
        }
        System.out.printf("brute force: %d linearizable, %d not%n", verdicts[0], verdicts[1]);
        assertThat(verdicts[1]).isGreaterThan(300);
        assertThat(verdicts[0]).isGreaterThan(300);
    }

    /** Changes one completed operation's output to another plausible one (from a small set of values). */
    static void mutate(List<Operation<Input, Output>> ops, Random rnd) {
        List<Integer> completed = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) if (ops.get(i).isCompleted()) completed.add(i);
        if (completed.isEmpty()) return;
        int i = completed.get(rnd.nextInt(completed.size()));
        Operation<Input, Output> op = ops.get(i);
        List<String> values = new ArrayList<>();
        values.add(null);
        for (Operation<Input, Output> o : ops) {
            if (o.input() instanceof Put p) values.add(p.value());
            if (o.input() instanceof ConditionalPut p) values.add(p.value());
        }
        String v = values.get(rnd.nextInt(values.size()));
        Output out;
        if (op.output() instanceof Value) out = new Value(v);
        else if (op.output() instanceof Items items) {
            Map<String, String> m = new java.util.TreeMap<>(items.asMap());
            String sk = RandomHistoryTest.SORT_KEYS.get(rnd.nextInt(3));
            if (v == null) m.remove(sk);
            else m.put(sk, v);
            out = Items.of(m);
        } else if (op.input() instanceof ConditionalPut || op.input() instanceof ConditionalDelete) {
            out = op.output() instanceof ConditionFailed ? ItemCollectionModel.Ok.ok()
                    : rnd.nextBoolean() ? ConditionFailed.conditionFailed() : ConditionFailed.conditionFailedSeeing(v);
        } else {
            out = ItemCollectionModel.Ok.okWithOld(v);
        }
        ops.set(i, Operation.completed(op.client(), op.invokeNs(), op.completeNs(), op.input(), out));
    }

    static boolean bruteForce(List<Operation<Input, Output>> ops) {
        return search(ops, new boolean[ops.size()], MODEL.initialState());
    }

    private static boolean search(List<Operation<Input, Output>> ops, boolean[] done, Items state) {
        boolean allCompletedDone = true;
        for (int i = 0; i < ops.size(); i++) if (!done[i] && ops.get(i).isCompleted()) allCompletedDone = false;
        if (allCompletedDone) return true;
        for (int i = 0; i < ops.size(); i++) {
            if (done[i] || !minimal(ops, done, i)) continue;
            Operation<Input, Output> op = ops.get(i);
            Items next = MODEL.step(state, op.input(), op.output());
            if (next == null) continue;
            done[i] = true;
            boolean ok = search(ops, done, next);
            done[i] = false;
            if (ok) return true;
        }
        return false;
    }

    /** No operation not yet placed completed before op i was invoked. */
    private static boolean minimal(List<Operation<Input, Output>> ops, boolean[] done, int i) {
        for (int j = 0; j < ops.size(); j++) {
            if (!done[j] && j != i && ops.get(j).isCompleted() && ops.get(j).completeNs() < ops.get(i).invokeNs()) return false;
        }
        return true;
    }
}
