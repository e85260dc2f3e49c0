package io.dynalog.expression;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The functions of the condition grammar. Names are case-sensitive, as in DynamoDB.
 *
 * <p>All but {@code size} are conditions (they yield true or false and may only stand where a
 * condition does); {@code size} yields a number and may only stand where an operand does.
 */
public enum ExpressionFunction {
    ATTRIBUTE_EXISTS("attribute_exists", 1, true),
    ATTRIBUTE_NOT_EXISTS("attribute_not_exists", 1, true),
    ATTRIBUTE_TYPE("attribute_type", 2, true),
    BEGINS_WITH("begins_with", 2, true),
    CONTAINS("contains", 2, true),
    SIZE("size", 1, false);

    private static final Map<String, ExpressionFunction> BY_NAME =
            Stream.of(values()).collect(Collectors.toUnmodifiableMap(ExpressionFunction::functionName, Function.identity()));

    private final String functionName;
    private final int arity;
    private final boolean condition;

    ExpressionFunction(String functionName, int arity, boolean condition) {
        this.functionName = functionName;
        this.arity = arity;
        this.condition = condition;
    }

    /** The name as written in expressions. */
    public String functionName() {
        return functionName;
    }

    /** The number of operands the function takes. */
    public int arity() {
        return arity;
    }

    /** True for functions that are conditions, false for {@code size}, which is an operand. */
    public boolean isCondition() {
        return condition;
    }

    /** The function with exactly this name, or null. */
    public static ExpressionFunction byName(String name) {
        return BY_NAME.get(name);
    }
}
