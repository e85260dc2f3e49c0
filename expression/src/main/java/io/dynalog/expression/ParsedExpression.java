package io.dynalog.expression;

import java.util.Set;

/**
 * An expression of a request, parsed and resolved: which placeholders it used, so that the request
 * can be checked for ExpressionAttributeNames and ExpressionAttributeValues that no expression uses
 * ({@link ExpressionAttributes#checkAllUsed}).
 */
public interface ParsedExpression {

    ExpressionKind kind();

    /** The {@code #name} placeholders the expression uses. */
    Set<String> usedNames();

    /** The {@code :value} placeholders the expression uses. */
    Set<String> usedValues();
}
