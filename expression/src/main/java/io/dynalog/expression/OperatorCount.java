package io.dynalog.expression;

/**
 * DynamoDB's limit of 300 operators and functions in one expression. In a condition every
 * comparison, BETWEEN, IN, AND, OR, NOT and function call counts; in an update every {@code +},
 * {@code -} and function call (SET's {@code =} and the clause keywords do not).
 */
final class OperatorCount {
    static final int MAX_OPERATORS = 300;

    private OperatorCount() {}

    static void check(ExpressionKind kind, Condition root) {
        if (count(root) > MAX_OPERATORS) throw tooMany(kind);
    }

    static void check(UpdateExpression update) {
        int count = 0;
        for (UpdateExpression.Action action : update.actions()) {
            if (action instanceof UpdateExpression.SetAction set) count += count(set.value());
        }
        if (count > MAX_OPERATORS) throw tooMany(ExpressionKind.UPDATE);
    }

    /** DynamoDB stops counting at the first operator over the limit, and names that count. */
    private static ExpressionException tooMany(ExpressionKind kind) {
        return kind.invalid("The expression contains too many operators; operator count: " + (MAX_OPERATORS + 1));
    }

    private static int count(Condition node) {
        if (node instanceof Condition.Comparison c) return 1 + count(c.left()) + count(c.right());
        if (node instanceof Condition.Between b) return 1 + count(b.subject()) + count(b.lower()) + count(b.upper());
        if (node instanceof Condition.In in) {
            int count = 1 + count(in.subject());
            for (Operand candidate : in.candidates()) count += count(candidate);
            return count;
        }
        if (node instanceof Condition.And and) return 1 + count(and.left()) + count(and.right());
        if (node instanceof Condition.Or or) return 1 + count(or.left()) + count(or.right());
        if (node instanceof Condition.Not not) return 1 + count(not.operand());
        return count(((Condition.FunctionCondition) node).call());
    }

    private static int count(Operand operand) {
        if (!(operand instanceof Operand.FunctionCall call)) return 0;
        int count = 1;
        for (Operand argument : call.arguments()) count += count(argument);
        return count;
    }

    private static int count(UpdateExpression.Value value) {
        if (value instanceof UpdateExpression.Arithmetic a) return 1 + count(a.left()) + count(a.right());
        if (value instanceof UpdateExpression.IfNotExists ine) return 1 + count(ine.otherwise());
        if (value instanceof UpdateExpression.ListAppend append) return 1 + count(append.first()) + count(append.second());
        return 0;
    }
}
