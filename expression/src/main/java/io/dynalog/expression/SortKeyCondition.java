package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import java.util.Objects;

/**
 * The condition a Query puts on the sort key: one operator and its value, two for BETWEEN.
 *
 * <p>Invariants: {@code second} is set exactly for BETWEEN; the values have the sort key's type (the
 * parser checks it against the key schema); for BETWEEN, {@code first <= second}.
 */
public record SortKeyCondition(Op op, AttributeValue first, AttributeValue second) {

    public enum Op { EQ, LT, LE, GT, GE, BETWEEN, BEGINS_WITH }

    public SortKeyCondition {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(first, "first");
        if ((op == Op.BETWEEN) != (second != null)) {
            throw new IllegalArgumentException("a second value goes with BETWEEN and only with it: " + op);
        }
    }

    /**
     * Whether an item whose sort key is {@code sortKey} satisfies the condition, in DynamoDB's order
     * (strings by UTF-8 bytes, numbers by value, binary by unsigned bytes). A value of another type
     * than the condition's never does.
     */
    public boolean matches(AttributeValue sortKey) {
        if (sortKey.type() != first.type() || !ValueOrder.isOrdered(sortKey.type())) return false;
        return switch (op) {
            case EQ -> ValueOrder.compare(sortKey, first) == 0;
            case LT -> ValueOrder.compare(sortKey, first) < 0;
            case LE -> ValueOrder.compare(sortKey, first) <= 0;
            case GT -> ValueOrder.compare(sortKey, first) > 0;
            case GE -> ValueOrder.compare(sortKey, first) >= 0;
            case BETWEEN -> ValueOrder.compare(sortKey, first) >= 0 && ValueOrder.compare(sortKey, second) <= 0;
            case BEGINS_WITH -> sortKey.type() != AttributeValue.Type.N && ValueOrder.startsWith(sortKey, first);
        };
    }
}
