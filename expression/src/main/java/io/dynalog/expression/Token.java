package io.dynalog.expression;

import java.util.Objects;

/**
 * One token of an expression: its type, its text as written, and where it stands in the expression
 * ({@code start} inclusive, {@code end} exclusive, in UTF-16 code units).
 *
 * <p>The end of input is a token too ({@link Type#EOF}, text {@code "<EOF>"}, empty span at the end),
 * so every token list ends with exactly one EOF and a parser never runs off the end.
 */
public record Token(Type type, String text, int start, int end) {

    public enum Type {
        /** An attribute name written as is: a letter, then letters, digits and underscores. */
        NAME,
        /** {@code #name}: stands for an attribute name from ExpressionAttributeNames. */
        NAME_PLACEHOLDER,
        /** {@code :name}: stands for a value from ExpressionAttributeValues. */
        VALUE_PLACEHOLDER,
        /** A name directly followed (spaces aside) by {@code (}: a function call. */
        FUNCTION,
        /** Decimal digits: a list index. */
        NUMBER,
        AND, OR, NOT, BETWEEN, IN,
        EQ, NE, LT, LE, GT, GE,
        LPAREN, RPAREN, LBRACKET, RBRACKET, COMMA, DOT,
        /** {@code +} and {@code -}: arithmetic of update expressions. */
        PLUS, MINUS,
        /**
         * A character DynamoDB reads as a token of its own but no grammar accepts ({@code _}, {@code !},
         * a lone {@code #} or {@code :}): it always ends in a syntax error naming it.
         */
        OTHER,
        EOF
    }

    public Token {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(text, "text");
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
        }
    }

    public boolean is(Type t) {
        return type == t;
    }

    /** The comparator this token spells, or null when it is not one. */
    public Comparator comparator() {
        return switch (type) {
            case EQ -> Comparator.EQ;
            case NE -> Comparator.NE;
            case LT -> Comparator.LT;
            case LE -> Comparator.LE;
            case GT -> Comparator.GT;
            case GE -> Comparator.GE;
            default -> null;
        };
    }
}
