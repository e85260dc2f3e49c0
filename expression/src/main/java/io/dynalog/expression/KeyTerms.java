package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Flattens a KeyConditionExpression into its conditions on single attributes, enforcing the rules
 * that do not depend on the key schema: only AND may join conditions; each condition is a
 * comparison (not {@code <>}), BETWEEN or {@code begins_with} on exactly one top-level attribute,
 * compared with values only; at most one condition per attribute, and at most two conditions.
 *
 * <p>Messages are DynamoDB's; like DynamoDB it reports the first violation met walking the tree from
 * the root, left before right.
 */
final class KeyTerms {

    /** One condition on one attribute: {@code attribute <op> values}, the attribute on the left. */
    record KeyTerm(String attribute, SortKeyCondition.Op op, List<AttributeValue> values) {
        KeyTerm {
            values = List.copyOf(values);
        }
    }

    private final List<KeyTerm> terms = new ArrayList<>(2);
    private final Set<String> attributes = new HashSet<>();

    private KeyTerms() {}

    static List<KeyTerm> of(Condition root) {
        KeyTerms walk = new KeyTerms();
        walk.condition(root);
        if (walk.terms.size() > 2) throw new ExpressionException("Conditions can be of length 1 or 2 only");
        return List.copyOf(walk.terms);
    }

    private void condition(Condition node) {
        if (node instanceof Condition.And and) {
            condition(and.left());
            condition(and.right());
        } else if (node instanceof Condition.Or) {
            throw invalidOperator("OR");
        } else if (node instanceof Condition.Not) {
            throw invalidOperator("NOT");
        } else if (node instanceof Condition.In) {
            throw invalidOperator("IN");
        } else if (node instanceof Condition.Comparison c) {
            comparison(c);
        } else if (node instanceof Condition.Between b) {
            if (!(b.subject() instanceof Operand.Path)) throw keyNotFirst("BETWEEN");
            add(SortKeyCondition.Op.BETWEEN, List.of(b.subject(), b.lower(), b.upper()));
        } else if (node instanceof Condition.FunctionCondition fc) {
            Operand.FunctionCall call = fc.call();
            if (call.function() != ExpressionFunction.BEGINS_WITH) throw invalidOperator(call.function().functionName());
            if (!(call.arguments().get(0) instanceof Operand.Path)) throw keyNotFirst("begins_with");
            add(SortKeyCondition.Op.BEGINS_WITH, call.arguments());
        } else {
            throw new IllegalStateException("unknown condition " + node);
        }
    }

    private void comparison(Condition.Comparison c) {
        Comparator comparator = c.comparator();
        if (comparator == Comparator.NE) throw invalidOperator(comparator.symbol());
        // With the attribute on the right, the operator is mirrored so that it reads attribute-first.
        if (!(c.left() instanceof Operand.Path) && c.right() instanceof Operand.Path) comparator = comparator.mirrored();
        add(op(comparator), List.of(c.left(), c.right()));
    }

    /** Records a term from a condition's operands: exactly one top-level path, the rest values. */
    private void add(SortKeyCondition.Op op, List<Operand> operands) {
        String attribute = null;
        List<AttributeValue> values = new ArrayList<>(operands.size() - 1);
        for (Operand operand : operands) {
            if (operand instanceof Operand.Path path) {
                if (attribute != null) {
                    throw new ExpressionException("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
                }
                if (!path.isTopLevel()) {
                    throw new ExpressionException("KeyConditionExpressions cannot have conditions on nested attributes");
                }
                attribute = path.attributeName();
            } else if (operand instanceof Operand.FunctionCall) {
                throw new ExpressionException("KeyConditionExpressions cannot contain nested operations");
            } else {
                values.add(((Operand.ValueRef) operand).value());
            }
        }
        if (attribute == null) {
            throw new ExpressionException("Invalid condition in KeyConditionExpression: No key attribute specified");
        }
        if (!attributes.add(attribute)) {
            throw new ExpressionException("KeyConditionExpressions must only contain one condition per key");
        }
        terms.add(new KeyTerm(attribute, op, values));
    }

    private static SortKeyCondition.Op op(Comparator comparator) {
        return switch (comparator) {
            case EQ -> SortKeyCondition.Op.EQ;
            case LT -> SortKeyCondition.Op.LT;
            case LE -> SortKeyCondition.Op.LE;
            case GT -> SortKeyCondition.Op.GT;
            case GE -> SortKeyCondition.Op.GE;
            case NE -> throw new IllegalArgumentException("<> is not a key operator");
        };
    }

    private static ExpressionException invalidOperator(String operator) {
        return new ExpressionException("Invalid operator used in KeyConditionExpression: " + operator);
    }

    private static ExpressionException keyNotFirst(String operator) {
        return new ExpressionException("Invalid condition in KeyConditionExpression: " + operator
                + " operator must have the key attribute as its first operand");
    }
}
