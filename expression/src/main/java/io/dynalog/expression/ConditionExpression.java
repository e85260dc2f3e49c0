package io.dynalog.expression;

import java.util.Objects;
import java.util.Set;

/**
 * A parsed and resolved condition expression of one request: its kind, its text, its tree, and the
 * placeholders it used.
 */
public record ConditionExpression(ExpressionKind kind, String text, Condition condition,
                                  Set<String> usedNames, Set<String> usedValues) implements ParsedExpression {

    public ConditionExpression {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(condition, "condition");
        usedNames = Set.copyOf(usedNames);
        usedValues = Set.copyOf(usedValues);
    }
}
