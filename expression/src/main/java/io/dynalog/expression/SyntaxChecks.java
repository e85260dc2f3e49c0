package io.dynalog.expression;

/**
 * The checks DynamoDB makes on a condition once it has parsed, which need only its text: they run
 * before a syntax tree is cached, so they run once per distinct expression.
 *
 * <p>In DynamoDB's order of priority: redundant parentheses; an unknown function; a function where
 * it may not stand (a condition function such as {@code begins_with} as an operand, {@code size} as
 * a condition); a reserved word used as a bare attribute name.
 */
final class SyntaxChecks {

    enum Problem { REDUNDANT_PARENTHESES, UNKNOWN_FUNCTION, MISUSED_FUNCTION, RESERVED_WORD }

    private final FirstErrors<Problem> errors = new FirstErrors<>(Problem.class);

    private SyntaxChecks() {}

    static void check(ExpressionKind kind, Syntax.Cond root, boolean redundantParentheses) {
        SyntaxChecks checks = new SyntaxChecks();
        if (redundantParentheses) checks.errors.add(Problem.REDUNDANT_PARENTHESES, "The expression has redundant parentheses;");
        checks.condition(root);
        checks.errors.throwFirst(kind);
    }

    private void condition(Syntax.Cond node) {
        if (node instanceof Syntax.Compare c) {
            operand(c.left());
            operand(c.right());
        } else if (node instanceof Syntax.Between b) {
            operand(b.subject());
            operand(b.lower());
            operand(b.upper());
        } else if (node instanceof Syntax.In in) {
            operand(in.subject());
            in.candidates().forEach(this::operand);
        } else if (node instanceof Syntax.And and) {
            condition(and.left());
            condition(and.right());
        } else if (node instanceof Syntax.Or or) {
            condition(or.left());
            condition(or.right());
        } else if (node instanceof Syntax.Not not) {
            condition(not.operand());
        } else if (node instanceof Syntax.CallCond cc) {
            call(cc.call(), true);
        } else {
            throw new IllegalStateException("unknown node " + node);
        }
    }

    private void operand(Syntax.Operand node) {
        if (node instanceof Syntax.PathExpr path) {
            for (Syntax.Segment segment : path.segments()) {
                if (segment instanceof Syntax.Name name && ReservedWords.isReserved(name.name())) {
                    errors.add(Problem.RESERVED_WORD, "Attribute name is a reserved keyword; reserved keyword: " + name.name());
                }
            }
        } else if (node instanceof Syntax.Call call) {
            call(call, false);
        }
    }

    private void call(Syntax.Call call, boolean asCondition) {
        ExpressionFunction function = ExpressionFunction.byName(call.function());
        if (function == null) {
            errors.add(Problem.UNKNOWN_FUNCTION, "Invalid function name; function: " + call.function());
        } else if (function.isCondition() != asCondition) {
            errors.add(Problem.MISUSED_FUNCTION,
                    "The function is not allowed to be used this way in an expression; function: " + call.function());
        }
        call.arguments().forEach(this::operand);
    }
}
