package io.dynalog.expression;

/** The comparison operators of the condition grammar. */
public enum Comparator {
    EQ("="), NE("<>"), LT("<"), LE("<="), GT(">"), GE(">=");

    private final String symbol;

    Comparator(String symbol) {
        this.symbol = symbol;
    }

    /** The operator as written in an expression (and in DynamoDB's messages). */
    public String symbol() {
        return symbol;
    }

    /** The operator that gives the same result with its operands swapped: {@code a < b} is {@code b > a}. */
    public Comparator mirrored() {
        return switch (this) {
            case EQ, NE -> this;
            case LT -> GT;
            case LE -> GE;
            case GT -> LT;
            case GE -> LE;
        };
    }
}
