package io.dynalog.expression;

import java.util.List;
import java.util.Objects;

/**
 * The syntax tree of a condition as written, before placeholders are resolved: what the parser
 * produces and the parse cache keeps, independent of any request's ExpressionAttributeNames and
 * ExpressionAttributeValues. {@link Resolver} turns it into a {@link Condition}.
 *
 * <p>Function names are kept as written; whether they exist and stand where they may is checked by
 * {@link SyntaxChecks} before a tree is cached, so every cached tree names only known functions.
 */
final class Syntax {

    private Syntax() {}

    /**
     * A document path at the current token, for the grammars that check reserved words as they
     * parse (update and projection expressions): {@code name ('.' name | '[' n ']')*}.
     */
    static PathExpr checkedPath(TokenStream tokens) {
        List<Segment> segments = new java.util.ArrayList<>();
        segments.add(checkedNameSegment(tokens));
        while (true) {
            if (tokens.accept(Token.Type.DOT)) {
                segments.add(checkedNameSegment(tokens));
            } else if (tokens.accept(Token.Type.LBRACKET)) {
                int position = tokens.index();
                Token n = tokens.expect(Token.Type.NUMBER);
                try {
                    segments.add(new Index(Integer.parseInt(n.text())));
                } catch (NumberFormatException tooLarge) {
                    throw tokens.syntaxError(position);
                }
                tokens.expect(Token.Type.RBRACKET);
            } else {
                return new PathExpr(segments);
            }
        }
    }

    /** A name segment; a reserved word written as is is recorded, to be reported if the text parses. */
    private static Segment checkedNameSegment(TokenStream tokens) {
        Token t = tokens.peek();
        if (t.is(Token.Type.NAME) && ReservedWords.isReserved(t.text())) tokens.reservedWord(t.text());
        return nameSegment(tokens);
    }

    /** An attribute name, as is or as a {@code #placeholder}, at the current token. */
    static Segment nameSegment(TokenStream tokens) {
        Token t = tokens.peek();
        if (t.is(Token.Type.NAME)) {
            tokens.next();
            return new Name(t.text());
        }
        if (t.is(Token.Type.NAME_PLACEHOLDER)) {
            tokens.next();
            return new NamePlaceholder(t.text());
        }
        throw tokens.syntaxError();
    }

    /** Anything the parser may return before it knows whether a parenthesised group is an operand or a condition. */
    sealed interface Node permits Operand, Cond {}

    sealed interface Operand extends Node permits PathExpr, ValuePlaceholder, Call {}

    sealed interface Segment permits Name, NamePlaceholder, Index {}

    /** An attribute name written as is. */
    record Name(String name) implements Segment {}

    /** {@code #name}. */
    record NamePlaceholder(String placeholder) implements Segment {}

    /** {@code [n]}. */
    record Index(int index) implements Segment {}

    /** A document path: its first segment is a name or a name placeholder, never an index. */
    record PathExpr(List<Segment> segments) implements Operand {
        PathExpr {
            segments = List.copyOf(segments);
            if (segments.isEmpty() || segments.get(0) instanceof Index) {
                throw new IllegalArgumentException("a path starts with a name: " + segments);
            }
        }
    }

    /** {@code :name}. */
    record ValuePlaceholder(String placeholder) implements Operand {}

    record Call(String function, List<Operand> arguments) implements Operand {
        Call {
            Objects.requireNonNull(function, "function");
            arguments = List.copyOf(arguments);
        }
    }

    sealed interface Cond extends Node permits Compare, Between, In, And, Or, Not, CallCond {}

    record Compare(Comparator comparator, Operand left, Operand right) implements Cond {}

    record Between(Operand subject, Operand lower, Operand upper) implements Cond {}

    record In(Operand subject, List<Operand> candidates) implements Cond {
        In {
            candidates = List.copyOf(candidates);
        }
    }

    record And(Cond left, Cond right) implements Cond {}

    record Or(Cond left, Cond right) implements Cond {}

    record Not(Cond operand) implements Cond {}

    /** A function call standing where a condition does. */
    record CallCond(Call call) implements Cond {}
}
