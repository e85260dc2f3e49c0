package io.dynalog.expression;

import io.dynalog.expression.Token.Type;
import io.dynalog.topology.model.AttributeValue;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses UpdateExpressions by recursive descent and resolves their placeholders.
 *
 * <pre>
 *   update  := clause+                        (each of SET, REMOVE, ADD, DELETE at most once)
 *   clause  := SET set (',' set)* | REMOVE path (',' path)*
 *            | ADD path value (',' path value)* | DELETE path value (',' path value)*
 *   set     := path '=' operand ( ('+' | '-') operand )?
 *   operand := path | value | if_not_exists '(' path ',' operand ')' | list_append '(' operand ',' operand ')'
 * </pre>
 *
 * <p>Then, in DynamoDB's words: no attribute name may be a reserved word, and no two actions may
 * act on overlapping paths ({@code a} and {@code a.b}, or the same path twice).
 */
public final class UpdateParser {
    private enum Clause { SET, REMOVE, ADD, DELETE }

    private static final ExpressionKind KIND = ExpressionKind.UPDATE;
    private static final ParseCache<List<RawAction>> CACHE = new ParseCache<>(4_096);

    private final TokenStream tokens;

    private UpdateParser(TokenStream tokens) {
        this.tokens = tokens;
    }

    /** An action before its placeholders are resolved. */
    private record RawAction(Clause clause, Syntax.PathExpr path, Object value) {}

    private record RawCall(String function, List<Object> arguments) {}

    private record RawArithmetic(boolean plus, Object left, Object right) {}

    /**
     * @throws ExpressionException with DynamoDB's message when the expression is invalid
     */
    public static UpdateExpression parse(String text, Map<String, String> names, Map<String, AttributeValue> values) {
        ExpressionText.check(KIND, text);
        List<RawAction> raw = CACHE.get(text);
        if (raw == null) {
            raw = new UpdateParser(new TokenStream(text, KIND)).update();
            CACHE.put(text, raw);
        }
        Resolver resolver = new Resolver(KIND, names, values);
        List<UpdateExpression.Action> actions = new ArrayList<>();
        for (RawAction a : raw) actions.add(resolve(a, resolver));
        List<Operand.Path> paths = new ArrayList<>();
        for (UpdateExpression.Action a : actions) paths.add(a.path());
        PathOverlaps.check(KIND, paths);
        UpdateExpression update = new UpdateExpression(text, actions, resolver.usedNames(), resolver.usedValues());
        OperatorCount.check(update);
        return update;
    }

    private List<RawAction> update() {
        List<RawAction> actions = new ArrayList<>();
        EnumSet<Clause> seen = EnumSet.noneOf(Clause.class);
        do {
            Clause clause = clauseKeyword();
            if (!seen.add(clause)) {
                tokens.problem(KIND.invalid("The \"" + clause + "\" section can only be used once in an update expression;"));
            }
            do {
                actions.add(action(clause));
            } while (tokens.accept(Type.COMMA));
        } while (!tokens.at(Type.EOF));
        tokens.throwRecorded();
        return actions;
    }

    private Clause clauseKeyword() {
        Token t = tokens.peek();
        if (t.is(Type.NAME)) {
            try {
                Clause c = Clause.valueOf(t.text().toUpperCase(Locale.ROOT));
                tokens.next();
                return c;
            } catch (IllegalArgumentException notAClause) {
                // a syntax error at this token
            }
        }
        throw tokens.syntaxError();
    }

    private RawAction action(Clause clause) {
        Syntax.PathExpr path = path();
        return switch (clause) {
            case SET -> {
                tokens.expect(Type.EQ);
                Object left = operand();
                if (tokens.at(Type.PLUS) || tokens.at(Type.MINUS)) {
                    boolean plus = tokens.next().is(Type.PLUS);
                    yield new RawAction(clause, path, new RawArithmetic(plus, left, operand()));
                }
                yield new RawAction(clause, path, left);
            }
            case REMOVE -> new RawAction(clause, path, null);
            case ADD, DELETE -> {
                Token v = tokens.expect(Type.VALUE_PLACEHOLDER);
                yield new RawAction(clause, path, new Syntax.ValuePlaceholder(v.text()));
            }
        };
    }

    private Object operand() {
        Token t = tokens.peek();
        switch (t.type()) {
            case NAME, NAME_PLACEHOLDER:
                return path();
            case VALUE_PLACEHOLDER:
                tokens.next();
                return new Syntax.ValuePlaceholder(t.text());
            case FUNCTION: {
                tokens.next();
                if (!t.text().equals("if_not_exists") && !t.text().equals("list_append")) {
                    tokens.problem(KIND.invalid("Invalid function name; function: " + t.text()));
                }
                tokens.expect(Type.LPAREN);
                List<Object> arguments = new ArrayList<>();
                arguments.add(operand());
                while (tokens.accept(Type.COMMA)) arguments.add(operand());
                tokens.expect(Type.RPAREN);
                if (arguments.size() != 2) {
                    tokens.problem(KIND.invalid("Incorrect number of operands for operator or function; operator or function: "
                            + t.text() + ", number of operands: " + arguments.size()));
                }
                if (t.text().equals("if_not_exists") && !(arguments.get(0) instanceof Syntax.PathExpr)) {
                    tokens.problem(KIND.invalid("Operator or function requires a document path; operator or function: if_not_exists"));
                }
                return new RawCall(t.text(), arguments);
            }
            default:
                throw tokens.syntaxError();
        }
    }

    private Syntax.PathExpr path() {
        return Syntax.checkedPath(tokens);
    }

    private static UpdateExpression.Action resolve(RawAction a, Resolver resolver) {
        Operand.Path path = (Operand.Path) resolver.operand(a.path());
        return switch (a.clause()) {
            case SET -> new UpdateExpression.SetAction(path, value(a.value(), resolver));
            case REMOVE -> new UpdateExpression.RemoveAction(path);
            case ADD -> new UpdateExpression.AddAction(path, operandOf("ADD", resolver, a.value(), true));
            case DELETE -> new UpdateExpression.DeleteAction(path, operandOf("DELETE", resolver, a.value(), false));
        };
    }

    /** The value of ADD (a number or a set) or DELETE (a set), whatever the item holds. */
    private static AttributeValue operandOf(String action, Resolver resolver, Object raw, boolean numberToo) {
        AttributeValue v = ((Operand.ValueRef) resolver.operand((Syntax.Operand) raw)).value();
        boolean set = v instanceof AttributeValue.SS || v instanceof AttributeValue.NS || v instanceof AttributeValue.BS;
        if (!set && !(numberToo && v instanceof AttributeValue.N)) {
            throw KIND.invalid("Incorrect operand type for operator or function; operator: " + action + ", operand type: " + v.type());
        }
        return v;
    }

    private static UpdateExpression.Value value(Object raw, Resolver resolver) {
        if (raw instanceof RawArithmetic a) {
            UpdateExpression.Value left = value(a.left(), resolver);
            UpdateExpression.Value right = value(a.right(), resolver);
            constantOfType(left, AttributeValue.Type.N, a.plus() ? "+" : "-");
            constantOfType(right, AttributeValue.Type.N, a.plus() ? "+" : "-");
            return new UpdateExpression.Arithmetic(a.plus(), left, right);
        }
        if (raw instanceof RawCall call) {
            if (call.function().equals("if_not_exists")) {
                return new UpdateExpression.IfNotExists((Operand.Path) resolver.operand((Syntax.Operand) call.arguments().get(0)),
                        value(call.arguments().get(1), resolver));
            }
            for (Object argument : call.arguments()) {
                if (argument instanceof RawCall inner && inner.function().equals("list_append")) {
                    throw KIND.invalid("The function is not allowed to be used this way in an expression; function: list_append");
                }
            }
            UpdateExpression.Value first = value(call.arguments().get(0), resolver);
            UpdateExpression.Value second = value(call.arguments().get(1), resolver);
            constantOfType(first, AttributeValue.Type.L, "list_append");
            constantOfType(second, AttributeValue.Type.L, "list_append");
            return new UpdateExpression.ListAppend(first, second);
        }
        return new UpdateExpression.Ref(resolver.operand((Syntax.Operand) raw));
    }

    /** A constant operand of an operator must have its type, whatever the item holds. */
    private static void constantOfType(UpdateExpression.Value v, AttributeValue.Type type, String operator) {
        if (v instanceof UpdateExpression.Ref ref && ref.operand() instanceof Operand.ValueRef value && value.value().type() != type) {
            throw KIND.invalid("Incorrect operand type for operator or function; operator or function: " + operator
                    + ", operand type: " + value.value().type());
        }
    }
}
