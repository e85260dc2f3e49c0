package io.dynalog.checker;

import static io.dynalog.checker.ItemCollectionModel.ConditionFailed.conditionFailed;
import static io.dynalog.checker.ItemCollectionModel.ConditionFailed.conditionFailedSeeing;
import static io.dynalog.checker.ItemCollectionModel.Ok.ok;
import static io.dynalog.checker.ItemCollectionModel.Ok.okWithOld;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.checker.ItemCollectionModel.Condition;
import io.dynalog.checker.ItemCollectionModel.ConditionalDelete;
import io.dynalog.checker.ItemCollectionModel.ConditionalPut;
import io.dynalog.checker.ItemCollectionModel.Delete;
import io.dynalog.checker.ItemCollectionModel.Get;
import io.dynalog.checker.ItemCollectionModel.Input;
import io.dynalog.checker.ItemCollectionModel.Items;
import io.dynalog.checker.ItemCollectionModel.Output;
import io.dynalog.checker.ItemCollectionModel.Put;
import io.dynalog.checker.ItemCollectionModel.Query;
import io.dynalog.checker.ItemCollectionModel.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hand-written histories of one item collection, each a known case of (non-)linearizability. */
class LinearizabilityTest {
    static final ItemCollectionModel MODEL = ItemCollectionModel.INSTANCE;

    final List<Operation<Input, Output>> h = new ArrayList<>();

    void op(int client, long invoke, long complete, Input in, Output out) {
        h.add(Operation.completed(client, invoke, complete, in, out));
    }

    void unknown(int client, long invoke, Input in) {
        h.add(Operation.unknown(client, invoke, in));
    }

    CheckResult<Input, Output> check() {
        return Linearizability.check(MODEL, h, Linearizability.Options.defaults());
    }

    static Value value(String v) {
        return new Value(v);
    }

    static Items items(Map<String, String> m) {
        return Items.of(m);
    }

    @Test
    void emptyAndSequentialHistoriesAreLinearizable() {
        assertThat(check().verdict()).isEqualTo(Verdict.LINEARIZABLE);
        op(1, 0, 10, new Put("a", "1"), ok());
        op(1, 20, 30, new Get("a"), value("1"));
        op(2, 40, 50, new Query(), items(Map.of("a", "1")));
        op(2, 60, 70, new Delete("a"), okWithOld("1"));
        op(1, 80, 90, new Get("a"), value(null));
        assertThat(check().verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void staleReadAfterACompletedWriteIsNotLinearizable() {
        op(1, 0, 10, new Put("a", "1"), ok());
        op(1, 20, 30, new Put("a", "2"), ok());
        op(2, 40, 50, new Get("a"), value("1"));
        CheckResult<Input, Output> r = check();
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(r.longestPrefix()).hasSize(2);
        assertThat(r.unplaced()).singleElement().satisfies(u -> {
            assertThat(u.operation().input()).isEqualTo(new Get("a"));
            assertThat(u.refusedByModel()).isTrue();
        });
        assertThat(r.explain(10, MODEL::describe)).contains("Get(a) -> 1", "impossible in that state");
    }

    @Test
    void aReadConcurrentWithAWriteMaySeeEitherValue() {
        op(1, 0, 10, new Put("a", "1"), ok());
        op(1, 20, 40, new Put("a", "2"), ok());
        op(2, 25, 30, new Get("a"), value("2"));
        op(3, 26, 35, new Get("a"), value("2"));
        op(2, 31, 50, new Get("a"), value("2"));
        assertThat(check().verdict()).isEqualTo(Verdict.LINEARIZABLE);
        h.clear();
        op(1, 0, 10, new Put("a", "1"), ok());
        op(1, 20, 40, new Put("a", "2"), ok());
        op(2, 25, 30, new Get("a"), value("2"));
        op(3, 31, 35, new Get("a"), value("1")); // new, then old: an inversion
        assertThat(check().verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void aLostAcknowledgedWriteIsNotLinearizable() {
        op(1, 0, 10, new Put("a", "1"), ok());
        op(2, 5, 15, new Put("b", "2"), ok());
        op(3, 20, 30, new Query(), items(Map.of("b", "2")));
        assertThat(check().verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void aWriteReadBeforeItsInvocationIsNotLinearizable() {
        op(2, 0, 10, new Get("a"), value("1"));
        op(1, 20, 30, new Put("a", "1"), ok());
        assertThat(check().verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        h.clear();
        op(2, 0, 25, new Get("a"), value("1")); // overlaps the write: fine
        op(1, 20, 30, new Put("a", "1"), ok());
        assertThat(check().verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void aConditionThatFailedAlthoughItHeldAtEveryPossiblePointIsNotLinearizable() {
        op(1, 0, 10, new Put("a", "1"), ok());
        op(2, 20, 30, new ConditionalPut("a", Condition.equalTo("1"), "2"), conditionFailed());
        assertThat(check().verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);

        // A concurrent write may have changed the value first: then the failure is explained...
        h.clear();
        op(1, 0, 10, new Put("a", "1"), ok());
        op(3, 15, 35, new Put("a", "3"), ok());
        op(2, 20, 30, new ConditionalPut("a", Condition.equalTo("1"), "2"), conditionFailedSeeing("3"));
        assertThat(check().verdict()).isEqualTo(Verdict.LINEARIZABLE);

        // ...but not if the item it reports seeing was never there.
        h.set(2, Operation.completed(2, 20, 30, new ConditionalPut("a", Condition.equalTo("1"), "2"), conditionFailedSeeing("9")));
        assertThat(check().verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);

        // attribute_not_exists OR v = :e holds on an absent item: a deleted item cannot fail it.
        h.clear();
        op(1, 0, 10, new Put("a", "1"), ok());
        op(1, 20, 30, new Delete("a"), ok());
        op(2, 40, 50, new ConditionalPut("a", Condition.absentOr("0"), "2"), conditionFailed());
        assertThat(check().verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void aConditionalWriteThatSucceededNeedsItsConditionToHold() {
        op(1, 0, 10, new Put("a", "1"), ok());
        op(2, 20, 30, new ConditionalPut("a", Condition.absent(), "2"), ok());
        assertThat(check().verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        h.clear();
        op(1, 0, 10, new Put("a", "1"), ok());
        op(2, 20, 30, new ConditionalDelete("a", Condition.equalTo("1")), ok());
        op(2, 40, 50, new ConditionalDelete("a", Condition.equalTo("1")), conditionFailedSeeing(null));
        op(1, 60, 70, new Get("a"), value(null));
        assertThat(check().verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void aDeleteAcknowledgedButTheItemStillReadAfterwardsIsNotLinearizable() {
        op(1, 0, 10, new Put("a", "1"), ok());
        op(1, 20, 30, new Delete("a"), ok());
        op(2, 40, 50, new Get("a"), value("1"));
        assertThat(check().verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        h.clear();
        op(1, 0, 10, new Put("a", "1"), ok());
        op(1, 20, 30, new Delete("a"), ok());
        op(2, 40, 50, new Query(), items(Map.of("a", "1")));
        assertThat(check().verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void writesReturningTheOldItemAreChecked() {
        op(1, 0, 10, new Put("a", "1"), ok());
        op(1, 20, 30, new Put("a", "2"), okWithOld("1"));
        op(2, 40, 50, new Put("a", "3"), okWithOld("1")); // "2" was there
        assertThat(check().verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void anUnknownOutcomeWriteMayTakeEffectLateOrNever() {
        unknown(1, 0, new Put("a", "1"));
        op(2, 10, 20, new Get("a"), value(null));
        op(2, 30, 40, new Get("a"), value("1")); // it took effect between the reads
        op(3, 50, 60, new Query(), items(Map.of("a", "1")));
        assertThat(check().verdict()).isEqualTo(Verdict.LINEARIZABLE);

        h.clear();
        unknown(1, 0, new Put("a", "1"));
        op(2, 10, 20, new Get("a"), value(null)); // never took effect
        assertThat(check().verdict()).isEqualTo(Verdict.LINEARIZABLE);

        h.clear();
        unknown(1, 0, new Put("a", "1"));
        op(2, 10, 20, new Get("a"), value("1"));
        op(2, 30, 40, new Get("a"), value(null)); // a write cannot be undone
        assertThat(check().verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);

        h.clear();
        op(2, 0, 10, new Get("a"), value("1")); // nor take effect before it was sent
        unknown(1, 20, new Put("a", "1"));
        assertThat(check().verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void anUnknownConditionalWriteTakesEffectOnlyWhereItsConditionHolds() {
        op(1, 0, 10, new Put("a", "1"), ok());
        unknown(2, 20, new ConditionalPut("a", Condition.equalTo("0"), "2"));
        op(3, 30, 40, new Get("a"), value("2"));
        assertThat(check().verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        h.clear();
        op(1, 0, 10, new Put("a", "1"), ok());
        unknown(2, 20, new ConditionalPut("a", Condition.equalTo("1"), "2"));
        op(3, 30, 40, new Get("a"), value("2"));
        assertThat(check().verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void manyOverwrittenUnknownWritesDoNotBlowUpTheSearch() {
        // 60 timed-out writes, each overwritten by an acknowledged one, then a stale read: without
        // the dominance rule every subset of the timed-out writes would be a new configuration.
        long t = 0;
        for (int i = 0; i < 60; i++) {
            unknown(1 + (i % 5), t, new Put("a", "u" + i));
            op(9, t + 1, t + 2, new Put("a", "k" + i), ok());
            op(8, t + 3, t + 4, new Get("a"), value("k" + i));
            t += 10;
        }
        assertThat(check().verdict()).isEqualTo(Verdict.LINEARIZABLE);
        op(8, t, t + 1, new Get("a"), value("k3"));
        CheckResult<Input, Output> r = check();
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(r.steps()).isLessThan(1_000_000);
    }

    @Test
    void historiesAreCheckedPerPartitionKey() {
        record Keyed(String pk, Operation<Input, Output> op) {}
        List<Keyed> keyed = List.of(
                new Keyed("x", Operation.completed(1, 0, 10, new Put("a", "1"), ok())),
                new Keyed("y", Operation.completed(2, 0, 10, new Put("a", "2"), ok())),
                new Keyed("x", Operation.completed(1, 20, 30, new Get("a"), value("1"))),
                new Keyed("y", Operation.completed(2, 20, 30, new Get("a"), value("1")))); // y never had "1"
        Map<Operation<Input, Output>, String> pkOf = new java.util.IdentityHashMap<>();
        keyed.forEach(k -> pkOf.put(k.op(), k.pk()));
        Linearizability.Report<String, Input, Output> report = Linearizability.checkByKey(MODEL,
                keyed.stream().map(Keyed::op).toList(), pkOf::get, Linearizability.Options.defaults());
        assertThat(report.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(report.byKey().get("x").verdict()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(report.failures()).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo("y"));
    }

    @Test
    void aSearchOverBudgetSaysUnknown() {
        for (int i = 0; i < 10; i++) op(i, 0, 100, new Put("a", "v" + i), ok());
        op(11, 200, 300, new Get("a"), value("none"));
        CheckResult<Input, Output> r = Linearizability.check(MODEL, h, new Linearizability.Options(50, Duration.ofMinutes(1)));
        assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(Linearizability.check(MODEL, h, Linearizability.Options.defaults()).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void unknownWritesNoOutputCouldRevealAreLeftOut() {
        unknown(1, 0, new Put("a", "ghost"));
        unknown(2, 0, new Put("a", "seen"));
        unknown(3, 0, new Put("b", "named"));
        unknown(4, 0, new Delete("a"));
        op(5, 10, 20, new Query(), items(Map.of("a", "seen")));
        op(5, 30, 40, new ConditionalPut("b", Condition.equalTo("named"), "x"), conditionFailedSeeing(null));
        assertThat(MODEL.reduce(h)).extracting(Operation::input)
                .containsExactly(new Put("a", "seen"), new Put("b", "named"), new Delete("a"),
                        new Query(), new ConditionalPut("b", Condition.equalTo("named"), "x"));
        CheckResult<Input, Output> r = check();
        assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(r.leftOut()).isEqualTo(1);

        // A condition that failed without saying what it saw may have seen the ghost: kept.
        op(6, 50, 60, new ConditionalPut("a", Condition.absent(), "y"), conditionFailed());
        assertThat(MODEL.reduce(h)).hasSize(h.size());
    }
}
