package io.dynalog.expression;

import io.dynalog.expression.Token.Type;
import io.dynalog.topology.model.AttributeValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Parses condition expressions (ConditionExpression, FilterExpression, KeyConditionExpression) by
 * recursive descent, and resolves them against a request's placeholders.
 *
 * <p>The grammar, loosest binding first:
 * <pre>
 *   condition := and ( OR and )*
 *   and       := not ( AND not )*
 *   not       := NOT not | primary
 *   primary   := '(' condition ')' | predicate
 *   predicate := operand comparator operand
 *              | operand BETWEEN operand AND operand
 *              | operand IN '(' operand ( ',' operand )* ')'
 *              | function-call
 *   operand   := path | :value | function-call | '(' operand ')'
 *   path      := ( name | #name ) ( '.' ( name | #name ) | '[' digits ']' )*
 * </pre>
 * A parenthesis at the start of a predicate may open either a condition or an operand
 * ({@code (a) = :v}); the parser reads the group first and decides by what follows it.
 *
 * <p>Parsing is in three steps. (1) Syntax: tokens to a {@link Syntax} tree; a syntax error is thrown
 * at once. (2) Checks that need only the text ({@link SyntaxChecks}): redundant parentheses, unknown
 * or misplaced functions, reserved words. Trees that pass are cached by their text (a bounded LRU),
 * so a repeated expression is not parsed again whatever its placeholders stand for. (3) Per request:
 * placeholders are resolved ({@link Resolver}) and operands checked ({@link ConditionChecks}).
 *
 * <p>Thread-safe: the parser instances are confined to one parse, the cache is synchronised.
 */
public final class ConditionParser {

    /**
     * How deeply parentheses, NOTs and function calls may nest. DynamoDB's own limit is not known;
     * this one keeps the recursion far from the stack's end (an expression is at most 4 KB).
     */
    static final int MAX_NESTING = 256;

    static final int CACHE_ENTRIES = 1024;

    private static final ParseCache<Syntax.Cond> CACHE = new ParseCache<>(CACHE_ENTRIES);

    private final TokenStream tokens;
    private int nesting;
    private boolean redundantParentheses;

    private ConditionParser(TokenStream tokens) {
        this.tokens = tokens;
    }

    /**
     * Parses a condition expression and resolves its placeholders.
     *
     * @param kind   which request parameter holds the expression; names it in error messages
     * @param text   the expression
     * @param names  the request's ExpressionAttributeNames; null when absent
     * @param values the request's ExpressionAttributeValues; null when absent
     * @throws ExpressionException with DynamoDB's message when the expression is invalid
     */
    public static ConditionExpression parse(ExpressionKind kind, String text,
                                            Map<String, String> names, Map<String, AttributeValue> values) {
        Objects.requireNonNull(kind, "kind");
        if (!kind.usesConditionGrammar()) {
            throw new IllegalArgumentException(kind.parameterName() + " is not a condition");
        }
        Syntax.Cond tree = syntaxTree(kind, text);
        Resolver resolver = new Resolver(kind, names, values);
        Condition condition = resolver.condition(tree);
        OperatorCount.check(kind, condition);
        ConditionChecks.check(kind, condition);
        return new ConditionExpression(kind, text, condition, resolver.usedNames(), resolver.usedValues());
    }

    /** The checked syntax tree of {@code text}, from the cache when it was parsed before. */
    static Syntax.Cond syntaxTree(ExpressionKind kind, String text) {
        ExpressionText.check(kind, text);
        Syntax.Cond tree = CACHE.get(text);
        if (tree != null) return tree;
        ConditionParser parser = new ConditionParser(new TokenStream(text, kind));
        tree = parser.expression();
        SyntaxChecks.check(kind, tree, parser.redundantParentheses);
        CACHE.put(text, tree);
        return tree;
    }

    /** How many syntax trees the cache holds now. */
    static int cachedTrees() {
        return CACHE.size();
    }

    private Syntax.Cond expression() {
        Syntax.Cond root = condition(or(false));
        if (!tokens.at(Type.EOF)) throw tokens.syntaxError();
        return root;
    }

    /*
     * Each level takes operandAllowed: true only directly inside a parenthesised group, where the
     * group may turn out to be an operand. An operand is only ever returned right before the group's
     * closing parenthesis, so the AND and OR loops never see one followed by their keyword.
     */

    private Syntax.Node or(boolean operandAllowed) {
        Syntax.Node left = and(operandAllowed);
        while (left instanceof Syntax.Cond first && tokens.accept(Type.OR)) {
            left = new Syntax.Or(first, condition(and(false)));
        }
        return left;
    }

    private Syntax.Node and(boolean operandAllowed) {
        Syntax.Node left = not(operandAllowed);
        while (left instanceof Syntax.Cond first && tokens.accept(Type.AND)) {
            left = new Syntax.And(first, condition(not(false)));
        }
        return left;
    }

    private Syntax.Node not(boolean operandAllowed) {
        if (!tokens.at(Type.NOT)) return primary(operandAllowed);
        enter();
        tokens.next();
        Syntax.Cond operand = condition(not(false));
        leave();
        return new Syntax.Not(operand);
    }

    private Syntax.Node primary(boolean operandAllowed) {
        if (tokens.at(Type.LPAREN)) {
            openGroup();
            Syntax.Node inner = or(true);
            closeGroup();
            if (inner instanceof Syntax.Cond condition) return condition;
            return predicate(continuePath((Syntax.Operand) inner), operandAllowed);
        }
        return predicate(operand(), operandAllowed);
    }

    /**
     * What follows a predicate's first operand. With no operator, the operand is returned as is when
     * it ends a group that may be an operand ({@code (a)}, {@code (size(a))}); otherwise it must be a
     * function call, which is then a condition.
     */
    private Syntax.Node predicate(Syntax.Operand left, boolean operandAllowed) {
        Comparator comparator = tokens.peek().comparator();
        if (comparator != null) {
            tokens.next();
            return new Syntax.Compare(comparator, left, operand());
        }
        if (tokens.accept(Type.BETWEEN)) {
            Syntax.Operand lower = operand();
            tokens.expect(Type.AND);
            return new Syntax.Between(left, lower, operand());
        }
        if (tokens.accept(Type.IN)) {
            return new Syntax.In(left, argumentList());
        }
        if (operandAllowed && tokens.at(Type.RPAREN)) return left;
        if (left instanceof Syntax.Call call) return new Syntax.CallCond(call);
        throw tokens.syntaxError();
    }

    private Syntax.Operand operand() {
        Token t = tokens.peek();
        switch (t.type()) {
            case NAME:
            case NAME_PLACEHOLDER:
                return continuePath(new Syntax.PathExpr(List.of(nameSegment())));
            case VALUE_PLACEHOLDER:
                tokens.next();
                return new Syntax.ValuePlaceholder(t.text());
            case FUNCTION:
                tokens.next();
                return new Syntax.Call(t.text(), argumentList());
            case LPAREN:
                openGroup();
                Syntax.Operand inner = operand();
                closeGroup();
                return continuePath(inner);
            default:
                throw tokens.syntaxError();
        }
    }

    private Syntax.Segment nameSegment() {
        return Syntax.nameSegment(tokens);
    }

    /** Extends a path with any {@code .name} and {@code [n]} that follow; other operands are returned as they are. */
    private Syntax.Operand continuePath(Syntax.Operand operand) {
        if (!(operand instanceof Syntax.PathExpr path)) return operand;
        if (!tokens.at(Type.DOT) && !tokens.at(Type.LBRACKET)) return path;
        List<Syntax.Segment> segments = new ArrayList<>(path.segments());
        while (true) {
            if (tokens.accept(Type.DOT)) {
                segments.add(nameSegment());
            } else if (tokens.accept(Type.LBRACKET)) {
                segments.add(new Syntax.Index(listIndex()));
                tokens.expect(Type.RBRACKET);
            } else {
                return new Syntax.PathExpr(segments);
            }
        }
    }

    private int listIndex() {
        int position = tokens.index();
        Token t = tokens.expect(Type.NUMBER);
        try {
            return Integer.parseInt(t.text());
        } catch (NumberFormatException tooLarge) {
            throw tokens.syntaxError(position);
        }
    }

    /** {@code '(' operand (',' operand)* ')'}: the operands of a function or of IN. */
    private List<Syntax.Operand> argumentList() {
        enter();
        tokens.expect(Type.LPAREN);
        List<Syntax.Operand> arguments = new ArrayList<>();
        arguments.add(operand());
        while (tokens.accept(Type.COMMA)) arguments.add(operand());
        tokens.expect(Type.RPAREN);
        leave();
        return arguments;
    }

    /**
     * Opens a parenthesised group. A group whose whole content is another group, {@code ((x))}, is
     * redundant: DynamoDB rejects it once the expression has parsed.
     */
    private void openGroup() {
        int open = tokens.index();
        enter();
        tokens.expect(Type.LPAREN);
        int close = tokens.partner(open);
        if (close > 0 && tokens.typeAt(open + 1) == Type.LPAREN && tokens.partner(open + 1) == close - 1) {
            redundantParentheses = true;
        }
    }

    private void closeGroup() {
        tokens.expect(Type.RPAREN);
        leave();
    }

    /** Enters one more level of nesting at the current token, which opens it; too deep is a syntax error there. */
    private void enter() {
        if (++nesting > MAX_NESTING) throw tokens.syntaxError();
    }

    private void leave() {
        nesting--;
    }

    /** The node as a condition; a bare operand where a condition must be is a syntax error at the current token. */
    private Syntax.Cond condition(Syntax.Node node) {
        if (node instanceof Syntax.Cond condition) return condition;
        throw tokens.syntaxError();
    }
}
