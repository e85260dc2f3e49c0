package io.dynalog.expression;

import java.util.EnumMap;

/**
 * Collects the first problem of each category found while walking an expression, and reports the
 * one whose category comes first.
 *
 * <p>DynamoDB does not report the first problem in reading order but the first by category (an
 * undefined placeholder before a wrong operand count, a reserved word before either): the category
 * enum's declaration order is that priority.
 */
final class FirstErrors<P extends Enum<P>> {

    private final EnumMap<P, String> first;

    FirstErrors(Class<P> categories) {
        this.first = new EnumMap<>(categories);
    }

    /** Records a problem unless one of its category was recorded before. */
    void add(P category, String detail) {
        first.putIfAbsent(category, detail);
    }

    /** Throws the highest-priority problem, if any was recorded. */
    void throwFirst(ExpressionKind kind) {
        if (!first.isEmpty()) throw kind.invalid(first.values().iterator().next());
    }
}
