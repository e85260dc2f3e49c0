package io.dynalog.expression;

/**
 * The request parameters that hold an expression. The kind names the parameter in error messages
 * ({@code "Invalid KeyConditionExpression: ..."}) and tells which grammar applies.
 */
public enum ExpressionKind {
    KEY_CONDITION("KeyConditionExpression", true),
    CONDITION("ConditionExpression", true),
    FILTER("FilterExpression", true),
    UPDATE("UpdateExpression", false),
    PROJECTION("ProjectionExpression", false);

    private final String parameterName;
    private final boolean conditionGrammar;

    ExpressionKind(String parameterName, boolean conditionGrammar) {
        this.parameterName = parameterName;
        this.conditionGrammar = conditionGrammar;
    }

    /** The request parameter's name, as DynamoDB spells it in messages. */
    public String parameterName() {
        return parameterName;
    }

    /** Whether expressions of this kind are conditions ({@link ConditionParser} parses them). */
    public boolean usesConditionGrammar() {
        return conditionGrammar;
    }

    /** An error about an expression of this kind: {@code "Invalid <parameter>: <detail>"}. */
    public ExpressionException invalid(String detail) {
        return new ExpressionException("Invalid " + parameterName + ": " + detail);
    }
}
