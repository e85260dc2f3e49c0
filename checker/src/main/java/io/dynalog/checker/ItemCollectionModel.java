package io.dynalog.checker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The sequential model of one DynamoDB item collection: the items of one partition key, each
 * reduced to its sort key and one string attribute (the item's "value"). Check a table's history
 * with {@link Linearizability#checkByKey} keyed by partition key: no operation here touches two
 * partition keys.
 *
 * <p>Operations and what they may observe:
 * <ul>
 *   <li>{@link Get}(sk): the item's value, or absent ({@link Value});</li>
 *   <li>{@link Query}(): every item of the collection ({@link Items}): a consistent Query;</li>
 *   <li>{@link Put}(sk, v): unconditional, {@link Ok} (with the old value for ReturnValues=ALL_OLD);</li>
 *   <li>{@link ConditionalPut}(sk, condition, v): {@link Ok} if the condition held, else
 *       {@link ConditionFailed} (with the item as it was, for
 *       ReturnValuesOnConditionCheckFailure=ALL_OLD). A failed condition is a definite outcome:
 *       nothing changed, and the condition was false at the operation's linearization point;</li>
 *   <li>{@link Delete}(sk): {@link Ok} (old value optional) whether or not the item existed;</li>
 *   <li>{@link ConditionalDelete}(sk, condition): {@link Ok} or {@link ConditionFailed}.</li>
 * </ul>
 * An operation with an unknown outcome may have taken effect (if its condition held) or not.
 */
public final class ItemCollectionModel implements Model<ItemCollectionModel.Items, ItemCollectionModel.Input, ItemCollectionModel.Output> {

    public static final ItemCollectionModel INSTANCE = new ItemCollectionModel();

    private ItemCollectionModel() {}

    // ---- inputs ------------------------------------------------------------------------------

    /** What a client asked for. */
    public sealed interface Input permits Get, Query, Put, ConditionalPut, Delete, ConditionalDelete {}

    /** A consistent GetItem of one sort key. */
    public record Get(String sk) implements Input {
        public Get {
            Objects.requireNonNull(sk, "sk");
        }
    }

    /** A consistent Query of the whole partition key. */
    public record Query() implements Input {}

    /** An unconditional PutItem. */
    public record Put(String sk, String value) implements Input {
        public Put {
            Objects.requireNonNull(sk, "sk");
            Objects.requireNonNull(value, "value");
        }
    }

    /** A PutItem with a ConditionExpression on the item's current value. */
    public record ConditionalPut(String sk, Condition condition, String value) implements Input {
        public ConditionalPut {
            Objects.requireNonNull(sk, "sk");
            Objects.requireNonNull(condition, "condition");
            Objects.requireNonNull(value, "value");
        }
    }

    /** An unconditional DeleteItem. */
    public record Delete(String sk) implements Input {
        public Delete {
            Objects.requireNonNull(sk, "sk");
        }
    }

    /** A DeleteItem with a ConditionExpression on the item's current value. */
    public record ConditionalDelete(String sk, Condition condition) implements Input {
        public ConditionalDelete {
            Objects.requireNonNull(sk, "sk");
            Objects.requireNonNull(condition, "condition");
        }
    }

    /**
     * A condition on an item's current value: it holds if the item is absent and {@code ifAbsent},
     * or if the item's value equals {@code expected} (when not null). So
     * {@code attribute_not_exists(sk)} is {@link #absent()}, {@code v = :e} is {@link #equalTo},
     * {@code attribute_not_exists(sk) OR v = :e} is {@link #absentOr}.
     */
    public record Condition(boolean ifAbsent, String expected) {
        public Condition {
            if (!ifAbsent && expected == null) throw new IllegalArgumentException("a condition that never holds");
        }

        public static Condition absent() {
            return new Condition(true, null);
        }

        public static Condition equalTo(String expected) {
            return new Condition(false, Objects.requireNonNull(expected, "expected"));
        }

        public static Condition absentOr(String expected) {
            return new Condition(true, Objects.requireNonNull(expected, "expected"));
        }

        /** Whether the condition holds for an item whose value is {@code current} (null: absent). */
        public boolean holds(String current) {
            return current == null ? ifAbsent : current.equals(expected);
        }

        @Override
        public String toString() {
            if (expected == null) return "absent";
            return ifAbsent ? "absent or =" + expected : "=" + expected;
        }
    }

    // ---- outputs -----------------------------------------------------------------------------

    /** What a client was told. */
    public sealed interface Output permits Value, Items, Ok, ConditionFailed {}

    /** A GetItem's answer: the value, or null for an absent item. */
    public record Value(String value) implements Output {
        @Override
        public String toString() {
            return value == null ? "absent" : value;
        }
    }

    /**
     * A write that took effect. {@code returnsOld}: the client asked for the old item
     * (ReturnValues=ALL_OLD) and {@code old} is its value then (null: there was none).
     */
    public record Ok(boolean returnsOld, String old) implements Output {
        public Ok {
            if (!returnsOld && old != null) throw new IllegalArgumentException("old value without returnsOld");
        }

        public static Ok ok() {
            return new Ok(false, null);
        }

        public static Ok okWithOld(String old) {
            return new Ok(true, old);
        }

        @Override
        public String toString() {
            return returnsOld ? "ok (old " + (old == null ? "absent" : old) + ")" : "ok";
        }
    }

    /**
     * ConditionalCheckFailedException. {@code returnsCurrent}: the client asked for the item
     * (ReturnValuesOnConditionCheckFailure=ALL_OLD) and {@code current} is its value then.
     */
    public record ConditionFailed(boolean returnsCurrent, String current) implements Output {
        public ConditionFailed {
            if (!returnsCurrent && current != null) throw new IllegalArgumentException("current value without returnsCurrent");
        }

        public static ConditionFailed conditionFailed() {
            return new ConditionFailed(false, null);
        }

        public static ConditionFailed conditionFailedSeeing(String current) {
            return new ConditionFailed(true, current);
        }

        @Override
        public String toString() {
            return returnsCurrent ? "condition failed (item " + (current == null ? "absent" : current) + ")" : "condition failed";
        }
    }

    /**
     * The state: sort key -> value, immutable, compared by content (also a Query's answer). The
     * hash is computed once: the checker hashes every state it memoises.
     */
    public static final class Items implements Output {
        private static final Items EMPTY = new Items(new TreeMap<>());
        private final SortedMap<String, String> items;
        private final int hash;

        private Items(TreeMap<String, String> items) {
            this.items = Collections.unmodifiableSortedMap(items);
            this.hash = items.hashCode();
        }

        public static Items empty() {
            return EMPTY;
        }

        public static Items of(Map<String, String> items) {
            return items.isEmpty() ? EMPTY : new Items(new TreeMap<>(items));
        }

        public String get(String sk) {
            return items.get(sk);
        }

        public SortedMap<String, String> asMap() {
            return items;
        }

        Items with(String sk, String value) {
            if (value.equals(items.get(sk))) return this;
            TreeMap<String, String> copy = new TreeMap<>(items);
            copy.put(sk, value);
            return new Items(copy);
        }

        Items without(String sk) {
            if (!items.containsKey(sk)) return this;
            TreeMap<String, String> copy = new TreeMap<>(items);
            copy.remove(sk);
            return copy.isEmpty() ? EMPTY : new Items(copy);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Items other && other.hash == hash && other.items.equals(items);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return items.toString();
        }
    }

    // ---- the model ---------------------------------------------------------------------------

    @Override
    public Items initialState() {
        return Items.EMPTY;
    }

    @Override
    public Items step(Items state, Input input, Output output) {
        if (input instanceof Get g) {
            return output == null || Objects.equals(state.get(g.sk()), as(Value.class, output).value()) ? state : null;
        } else if (input instanceof Query) {
            return output == null || state.equals(as(Items.class, output)) ? state : null;
        } else if (input instanceof Put p) {
            return oldMatches(state.get(p.sk()), output) ? state.with(p.sk(), p.value()) : null;
        } else if (input instanceof Delete d) {
            return oldMatches(state.get(d.sk()), output) ? state.without(d.sk()) : null;
        } else if (input instanceof ConditionalPut c) {
            return conditional(state, c.sk(), c.condition(), output, c.value());
        } else if (input instanceof ConditionalDelete c) {
            return conditional(state, c.sk(), c.condition(), output, null);
        }
        throw new IllegalArgumentException("unknown input " + input);
    }

    /**
     * Leaves out the unknown-outcome writes (Put, ConditionalPut) of a value that nothing could
     * have revealed: no other operation's output shows that value at that sort key (Get, Query, an
     * old value, the item of a failed condition), no condition names it, and no condition on that
     * sort key failed without returning the item. Such a write may as well never have happened:
     * take any linearization where it took effect, at sort key k with value v; until the next
     * write to k, every operation on k would see v, so (by the above) none reads k, every
     * conditional one failed in a way that would also fail, or would be skipped, on the value k
     * had before, and unconditional writes do not care; so the linearization without it is valid
     * too. (Conversely, "never happened" is always allowed.) Left in, each such write is a
     * candidate at every later point of the search, which is where its cost goes.
     */
    @Override
    public List<Operation<Input, Output>> reduce(List<Operation<Input, Output>> history) {
        Map<String, Set<String>> revealed = new HashMap<>();
        Set<String> blind = new HashSet<>();
        for (Operation<Input, Output> op : history) {
            Input in = op.input();
            Output out = op.output();
            Condition condition = in instanceof ConditionalPut c ? c.condition()
                    : in instanceof ConditionalDelete c ? c.condition() : null;
            if (condition != null && condition.expected() != null) reveal(revealed, sortKey(in), condition.expected());
            if (out instanceof Value v && v.value() != null) reveal(revealed, sortKey(in), v.value());
            if (out instanceof Items items) items.asMap().forEach((sk, v) -> reveal(revealed, sk, v));
            if (out instanceof Ok ok && ok.old() != null) reveal(revealed, sortKey(in), ok.old());
            if (out instanceof ConditionFailed f) {
                if (!f.returnsCurrent()) blind.add(sortKey(in));
                else if (f.current() != null) reveal(revealed, sortKey(in), f.current());
            }
        }
        List<Operation<Input, Output>> kept = new ArrayList<>(history.size());
        for (Operation<Input, Output> op : history) {
            String written = op.input() instanceof Put p ? p.value() : op.input() instanceof ConditionalPut c ? c.value() : null;
            String sk = written == null ? null : sortKey(op.input());
            boolean invisible = !op.isCompleted() && written != null && !blind.contains(sk)
                    && !revealed.getOrDefault(sk, Set.of()).contains(written);
            if (!invisible) kept.add(op);
        }
        return kept;
    }

    private static void reveal(Map<String, Set<String>> revealed, String sk, String value) {
        revealed.computeIfAbsent(sk, k -> new HashSet<>()).add(value);
    }

    /** The sort key an input touches (null for a Query). */
    private static String sortKey(Input in) {
        if (in instanceof Get g) return g.sk();
        if (in instanceof Put p) return p.sk();
        if (in instanceof ConditionalPut c) return c.sk();
        if (in instanceof Delete d) return d.sk();
        if (in instanceof ConditionalDelete c) return c.sk();
        return null;
    }

    /**
     * A conditional write: with an unknown outcome it took effect here only if the condition
     * held (a failed one changed nothing, which is the same as not placing it here); with Ok the
     * condition held; with ConditionFailed it did not, and the state is unchanged.
     *
     * @param newValue the value written, or null for a delete
     */
    private static Items conditional(Items state, String sk, Condition condition, Output output, String newValue) {
        String current = state.get(sk);
        boolean holds = condition.holds(current);
        if (output instanceof ConditionFailed f) {
            if (holds) return null;
            return !f.returnsCurrent() || Objects.equals(f.current(), current) ? state : null;
        }
        if (!holds || !oldMatches(current, output)) return null;
        return newValue == null ? state.without(sk) : state.with(sk, newValue);
    }

    /** A write's answer is consistent with the item's value before it. */
    private static boolean oldMatches(String current, Output output) {
        if (output == null) return true;
        Ok ok = as(Ok.class, output);
        return !ok.returnsOld() || Objects.equals(ok.old(), current);
    }

    private static <T extends Output> T as(Class<T> type, Output output) {
        if (!type.isInstance(output)) {
            throw new IllegalArgumentException("expected an output of type " + type.getSimpleName() + ", got " + output);
        }
        return type.cast(output);
    }

    @Override
    public String describe(Input input, Output output) {
        String in;
        if (input instanceof Get g) {
            in = "Get(" + g.sk() + ")";
        } else if (input instanceof Query) {
            in = "Query()";
        } else if (input instanceof Put p) {
            in = "Put(" + p.sk() + ", " + p.value() + ")";
        } else if (input instanceof ConditionalPut c) {
            in = "Put(" + c.sk() + ", " + c.value() + " if " + c.condition() + ")";
        } else if (input instanceof Delete d) {
            in = "Delete(" + d.sk() + ")";
        } else {
            ConditionalDelete c = (ConditionalDelete) input;
            in = "Delete(" + c.sk() + " if " + c.condition() + ")";
        }
        return in + " -> " + (output == null ? "unknown outcome" : output);
    }
}
