package io.dynalog.expression;

import java.util.List;
import java.util.Objects;

/**
 * A parsed, resolved condition: the tree of a ConditionExpression, FilterExpression or
 * KeyConditionExpression.
 *
 * <p>Precedence is already applied: comparisons, BETWEEN, IN and functions are leaves; NOT binds
 * tighter than AND, which binds tighter than OR; AND and OR group to the left.
 */
public sealed interface Condition {

    /** {@code left <op> right}. */
    record Comparison(Comparator comparator, Operand left, Operand right) implements Condition {
        public Comparison {
            Objects.requireNonNull(comparator, "comparator");
            Objects.requireNonNull(left, "left");
            Objects.requireNonNull(right, "right");
        }
    }

    /** {@code subject BETWEEN lower AND upper}, bounds included. */
    record Between(Operand subject, Operand lower, Operand upper) implements Condition {
        public Between {
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(lower, "lower");
            Objects.requireNonNull(upper, "upper");
        }
    }

    /** {@code subject IN (candidate, ...)}: at least one candidate. */
    record In(Operand subject, List<Operand> candidates) implements Condition {
        public In {
            Objects.requireNonNull(subject, "subject");
            candidates = List.copyOf(candidates);
            if (candidates.isEmpty()) throw new IllegalArgumentException("IN needs a candidate");
        }
    }

    record And(Condition left, Condition right) implements Condition {
        public And {
            Objects.requireNonNull(left, "left");
            Objects.requireNonNull(right, "right");
        }
    }

    record Or(Condition left, Condition right) implements Condition {
        public Or {
            Objects.requireNonNull(left, "left");
            Objects.requireNonNull(right, "right");
        }
    }

    record Not(Condition operand) implements Condition {
        public Not {
            Objects.requireNonNull(operand, "operand");
        }
    }

    /** A function that is a condition, such as {@code begins_with(a, :p)}. */
    record FunctionCondition(Operand.FunctionCall call) implements Condition {
        public FunctionCondition {
            Objects.requireNonNull(call, "call");
        }
    }
}
