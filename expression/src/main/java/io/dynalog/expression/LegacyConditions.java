package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The conditions of DynamoDB's pre-expression API, which older clients (DynamoDBMapper, many ORMs)
 * still send: Expected on writes, QueryFilter and ScanFilter on reads, KeyConditions on Query. Each
 * is turned into the condition tree an expression would give, so one evaluator serves both.
 *
 * <p>A legacy condition names a top-level attribute literally (a dot is part of the name, not a
 * path), and is {@code ComparisonOperator} with its {@code AttributeValueList}, or for Expected
 * also {@code Value} / {@code Exists}. The rules and messages are DynamoDB's:
 * <ul>
 *   <li>the number of arguments fits the operator (none for NULL and NOT_NULL, two for BETWEEN, at
 *       least one for IN, else one);
 *   <li>order comparisons, CONTAINS, NOT_CONTAINS, IN and BETWEEN take strings, numbers and
 *       binaries; BEGINS_WITH strings and binaries; EQ and NE any type;
 *   <li>the arguments of IN and BETWEEN share one type, and BETWEEN's bounds are in order.
 * </ul>
 * Where the legacy meaning differs from the expression that looks alike, the tree says what the
 * legacy API means: NOT_CONTAINS is false for a missing attribute (so it is
 * {@code attribute_exists(a) AND NOT contains(a, v)}), while NE is true for one, as {@code <>} is.
 */
public final class LegacyConditions {

    /** DynamoDB's ComparisonOperator enum, in the order its messages list it. */
    public enum Operator { EQ, NE, IN, LE, LT, GE, GT, BETWEEN, NOT_NULL, NULL, CONTAINS, NOT_CONTAINS, BEGINS_WITH }

    /**
     * One attribute's condition as the request gave it; every member but the name may be absent
     * (null). {@code comparisonOperator} is the text sent, checked here against the enum.
     */
    public record Clause(String attributeName, String comparisonOperator, List<AttributeValue> attributeValueList,
                         AttributeValue value, Boolean exists) {}

    private static final Set<Operator> KEY_OPERATORS =
            Set.of(Operator.EQ, Operator.LE, Operator.LT, Operator.GE, Operator.GT, Operator.BEGINS_WITH, Operator.BETWEEN);

    private LegacyConditions() {}

    /**
     * The condition of an Expected map, its clauses joined by {@code conditionalOperator} (AND when
     * null); null when there are no clauses.
     */
    public static Condition expected(List<Clause> clauses, String conditionalOperator) {
        boolean or = or(conditionalOperator);
        List<Condition> terms = new ArrayList<>();
        for (Clause clause : clauses) terms.add(expectedTerm(clause));
        return join(terms, or);
    }

    /** The condition of a QueryFilter or ScanFilter: a ComparisonOperator per attribute. */
    public static Condition filter(List<Clause> clauses, String conditionalOperator) {
        boolean or = or(conditionalOperator);
        List<Condition> terms = new ArrayList<>();
        for (Clause clause : clauses) terms.add(term(clause.attributeName(), operator(clause), arguments(clause)));
        return join(terms, or);
    }

    /** What a Query's KeyConditions select, with the rules of a KeyConditionExpression. */
    public static KeyCondition keyConditions(List<Clause> clauses, KeySchema schema) {
        if (clauses.isEmpty() || clauses.size() > 2) throw new ExpressionException("Conditions can be of length 1 or 2 only");
        List<Condition> terms = new ArrayList<>();
        for (Clause clause : clauses) {
            Operator operator = operator(clause);
            Condition term = term(clause.attributeName(), operator, arguments(clause));
            if (!KEY_OPERATORS.contains(operator)) {
                throw new ExpressionException("Attempted conditional constraint is not an indexable operation");
            }
            terms.add(term);
        }
        Condition joined = join(terms, false);
        return KeyConditions.resolve(new ConditionExpression(ExpressionKind.KEY_CONDITION, "KeyConditions", joined, Set.of(), Set.of()),
                schema);
    }

    private static boolean or(String conditionalOperator) {
        if (conditionalOperator == null || conditionalOperator.equals("AND")) return false;
        if (conditionalOperator.equals("OR")) return true;
        throw new ExpressionException("1 validation error detected: Value '" + conditionalOperator
                + "' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [AND, OR]");
    }

    private static Condition join(List<Condition> terms, boolean or) {
        Condition joined = null;
        for (Condition term : terms) {
            if (joined == null) joined = term;
            else joined = or ? new Condition.Or(joined, term) : new Condition.And(joined, term);
        }
        return joined;
    }

    /** An Expected clause: Value / Exists, or a ComparisonOperator with its arguments. */
    private static Condition expectedTerm(Clause clause) {
        String name = clause.attributeName();
        if (clause.comparisonOperator() != null) {
            if (clause.exists() != null) {
                throw invalid("Exists and ComparisonOperator cannot be used together for Attribute: " + name);
            }
            if (clause.value() != null && clause.attributeValueList() != null) {
                throw invalid("Value and AttributeValueList cannot be used together for Attribute: " + name);
            }
            List<AttributeValue> arguments = clause.value() != null ? List.of(clause.value()) : arguments(clause);
            return term(name, operator(clause), arguments);
        }
        if (clause.attributeValueList() != null) {
            throw invalid("AttributeValueList can only be used with a ComparisonOperator for Attribute: " + name);
        }
        if (Boolean.FALSE.equals(clause.exists())) {
            if (clause.value() != null) throw invalid("Value cannot be used when Exists is false for Attribute: " + name);
            return term(name, Operator.NULL, List.of());
        }
        if (clause.value() == null) {
            throw invalid("Value must be provided when Exists is " + (clause.exists() == null ? "null" : "true")
                    + " for Attribute: " + name);
        }
        return term(name, Operator.EQ, List.of(clause.value()));
    }

    private static Operator operator(Clause clause) {
        String text = clause.comparisonOperator();
        if (text == null) {
            throw invalid("ComparisonOperator must be provided for Attribute: " + clause.attributeName());
        }
        try {
            return Operator.valueOf(text);
        } catch (IllegalArgumentException unknown) {
            throw new ExpressionException("1 validation error detected: Value '" + text + "' at 'comparisonOperator' failed to "
                    + "satisfy constraint: Member must satisfy enum value set: " + Arrays.toString(Operator.values()));
        }
    }

    private static List<AttributeValue> arguments(Clause clause) {
        return clause.attributeValueList() == null ? List.of() : clause.attributeValueList();
    }

    /** One checked condition on one top-level attribute. */
    private static Condition term(String name, Operator operator, List<AttributeValue> arguments) {
        checkArgumentCount(operator, arguments.size());
        checkArgumentTypes(operator, arguments);
        Operand.Path path = Operand.Path.of(name);
        List<Operand> values = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) values.add(new Operand.ValueRef("AttributeValueList[" + i + "]", arguments.get(i)));
        return switch (operator) {
            case EQ -> new Condition.Comparison(Comparator.EQ, path, values.get(0));
            case NE -> new Condition.Comparison(Comparator.NE, path, values.get(0));
            case LE -> new Condition.Comparison(Comparator.LE, path, values.get(0));
            case LT -> new Condition.Comparison(Comparator.LT, path, values.get(0));
            case GE -> new Condition.Comparison(Comparator.GE, path, values.get(0));
            case GT -> new Condition.Comparison(Comparator.GT, path, values.get(0));
            case IN -> new Condition.In(path, values);
            case BETWEEN -> new Condition.Between(path, values.get(0), values.get(1));
            case NOT_NULL -> function(ExpressionFunction.ATTRIBUTE_EXISTS, path);
            case NULL -> function(ExpressionFunction.ATTRIBUTE_NOT_EXISTS, path);
            case CONTAINS -> function(ExpressionFunction.CONTAINS, path, values.get(0));
            case NOT_CONTAINS -> new Condition.And(function(ExpressionFunction.ATTRIBUTE_EXISTS, path),
                    new Condition.Not(function(ExpressionFunction.CONTAINS, path, values.get(0))));
            case BEGINS_WITH -> function(ExpressionFunction.BEGINS_WITH, path, values.get(0));
        };
    }

    private static Condition function(ExpressionFunction function, Operand... arguments) {
        return new Condition.FunctionCondition(new Operand.FunctionCall(function, List.of(arguments)));
    }

    private static void checkArgumentCount(Operator operator, int count) {
        boolean fits = switch (operator) {
            case NULL, NOT_NULL -> count == 0;
            case BETWEEN -> count == 2;
            case IN -> count >= 1;
            default -> count == 1;
        };
        if (!fits) throw invalid("Invalid number of argument(s) for the " + operator + " ComparisonOperator");
    }

    private static void checkArgumentTypes(Operator operator, List<AttributeValue> arguments) {
        if ((operator == Operator.IN || operator == Operator.BETWEEN)
                && arguments.stream().map(AttributeValue::type).distinct().count() > 1) {
            throw invalid("AttributeValues inside AttributeValueList must be of same type");
        }
        for (AttributeValue argument : arguments) {
            boolean fits = switch (operator) {
                case EQ, NE -> true;
                case BEGINS_WITH -> argument.type() == AttributeValue.Type.S || argument.type() == AttributeValue.Type.B;
                default -> ValueOrder.isOrdered(argument.type());
            };
            if (!fits) throw invalid("ComparisonOperator " + operator + " is not valid for " + argument.type() + " AttributeValue type");
        }
        if (operator == Operator.BETWEEN && ValueOrder.compare(arguments.get(0), arguments.get(1)) > 0) {
            throw new ExpressionException("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
        }
    }

    static ExpressionException invalid(String problem) {
        return new ExpressionException("One or more parameter values were invalid: " + problem);
    }
}
