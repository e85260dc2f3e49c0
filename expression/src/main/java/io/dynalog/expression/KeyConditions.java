package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import java.util.List;
import java.util.Map;

/**
 * Turns a Query's KeyConditionExpression into the {@link KeyCondition} it selects, with DynamoDB's
 * rules and messages.
 *
 * <p>The expression is {@code pk = :v}, optionally joined by AND (in either order) with one
 * condition on the sort key: {@code = < <= > >=} (either side), {@code BETWEEN}, or
 * {@code begins_with} (S and B keys only). Parentheses may group the conditions.
 *
 * <p>A request with other expressions checks them all together; the steps in DynamoDB's order are:
 * <pre>
 *   ConditionExpression key = ConditionParser.parse(ExpressionKind.KEY_CONDITION, text, names, values);
 *   ... parse the FilterExpression and ProjectionExpression ...
 *   ExpressionAttributes.checkAllUsed(List.of(key, ...), names, values);
 *   KeyCondition condition = KeyConditions.resolve(key, schema);
 * </pre>
 * {@link #parse} does the first and last step for a request with no other expression (it does not
 * check for unused placeholders).
 */
public final class KeyConditions {

    private KeyConditions() {}

    /**
     * Parses and resolves a KeyConditionExpression against a table's or index's key schema.
     *
     * @param names  ExpressionAttributeNames, null when absent
     * @param values ExpressionAttributeValues, null when absent
     * @throws ExpressionException with DynamoDB's message when the expression is invalid
     */
    public static KeyCondition parse(String expression, Map<String, String> names,
                                     Map<String, AttributeValue> values, KeySchema schema) {
        return resolve(ConditionParser.parse(ExpressionKind.KEY_CONDITION, expression, names, values), schema);
    }

    /**
     * Resolves a parsed KeyConditionExpression against a table's or index's key schema.
     *
     * @throws ExpressionException with DynamoDB's message when the expression does not select keys
     */
    public static KeyCondition resolve(ConditionExpression expression, KeySchema schema) {
        if (expression.kind() != ExpressionKind.KEY_CONDITION) {
            throw new IllegalArgumentException("not a KeyConditionExpression: " + expression.kind());
        }
        List<KeyTerms.KeyTerm> terms = KeyTerms.of(expression.condition());
        if (!schema.hasSortKey() && terms.size() > 1) {
            throw new ExpressionException("Query key condition not supported");
        }
        KeyTerms.KeyTerm partition = find(terms, schema.partitionKey());
        KeyTerms.KeyTerm sort = terms.size() == 2 ? find(terms, schema.sortKey()) : null;
        checkTypes(partition, schema.partitionKeyType());
        if (sort != null) checkTypes(sort, schema.sortKeyType());
        if (partition.op() != SortKeyCondition.Op.EQ) {
            throw new ExpressionException("Query key condition not supported");
        }
        return new KeyCondition(partition.values().get(0), sort == null ? null : sortCondition(sort));
    }

    private static KeyTerms.KeyTerm find(List<KeyTerms.KeyTerm> terms, String key) {
        for (KeyTerms.KeyTerm term : terms) {
            if (term.attribute().equals(key)) return term;
        }
        throw new ExpressionException("Query condition missed key schema element: " + key);
    }

    private static void checkTypes(KeyTerms.KeyTerm term, ScalarType keyType) {
        for (AttributeValue value : term.values()) {
            if (value.type() != keyType.valueType()) {
                throw new ExpressionException(
                        "One or more parameter values were invalid: Condition parameter type does not match schema type");
            }
        }
    }

    private static SortKeyCondition sortCondition(KeyTerms.KeyTerm term) {
        List<AttributeValue> values = term.values();
        return new SortKeyCondition(term.op(), values.get(0), values.size() > 1 ? values.get(1) : null);
    }
}
