package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import java.util.List;
import java.util.Set;

/**
 * The checks DynamoDB makes on a resolved condition's operands, for every condition kind: the
 * number of operands of each function, that a comparison, function or IN does not compare a path
 * with itself, and the operand types a function, an order comparison ({@code < <= > >=}) or
 * BETWEEN accepts where they are known before evaluation (values, and {@code size}, whose result
 * is a number): an order comparison and BETWEEN take numbers, strings and binaries only.
 *
 * <p>In DynamoDB's order of priority: operand counts, then distinct operands, then operand types.
 */
final class ConditionChecks {

    enum Problem { OPERAND_COUNT, NOT_DISTINCT, OPERAND_TYPE }

    private static final Set<String> TYPE_NAMES = Set.of("S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M");

    private final FirstErrors<Problem> errors = new FirstErrors<>(Problem.class);

    private ConditionChecks() {}

    static void check(ExpressionKind kind, Condition root) {
        ConditionChecks checks = new ConditionChecks();
        checks.condition(root);
        checks.errors.throwFirst(kind);
    }

    private void condition(Condition node) {
        if (node instanceof Condition.Comparison c) {
            operand(c.left());
            operand(c.right());
            distinct(c.comparator().symbol(), c.left(), c.right());
            if (c.comparator() != Comparator.EQ && c.comparator() != Comparator.NE) {
                ordered(c.comparator().symbol(), c.left());
                ordered(c.comparator().symbol(), c.right());
            }
        } else if (node instanceof Condition.Between b) {
            operand(b.subject());
            operand(b.lower());
            operand(b.upper());
            ordered("BETWEEN", b.subject());
            ordered("BETWEEN", b.lower());
            ordered("BETWEEN", b.upper());
            bounds(b.lower(), b.upper());
        } else if (node instanceof Condition.In in) {
            operand(in.subject());
            in.candidates().forEach(this::operand);
            in.candidates().forEach(candidate -> distinct("IN", in.subject(), candidate));
        } else if (node instanceof Condition.And and) {
            condition(and.left());
            condition(and.right());
        } else if (node instanceof Condition.Or or) {
            condition(or.left());
            condition(or.right());
        } else if (node instanceof Condition.Not not) {
            condition(not.operand());
        } else if (node instanceof Condition.FunctionCondition fc) {
            call(fc.call());
        }
    }

    private void operand(Operand node) {
        if (node instanceof Operand.FunctionCall call) call(call);
    }

    private void call(Operand.FunctionCall call) {
        call.arguments().forEach(this::operand);
        ExpressionFunction function = call.function();
        List<Operand> args = call.arguments();
        if (args.size() != function.arity()) {
            errors.add(Problem.OPERAND_COUNT, "Incorrect number of operands for operator or function; operator or function: "
                    + function.functionName() + ", number of operands: " + args.size());
            return;
        }
        if (args.size() == 2) distinct(function.functionName(), args.get(0), args.get(1));
        switch (function) {
            case ATTRIBUTE_EXISTS, ATTRIBUTE_NOT_EXISTS -> {
                if (!(args.get(0) instanceof Operand.Path)) {
                    errors.add(Problem.OPERAND_TYPE, "Operator or function requires a document path; operator or function: "
                            + function.functionName());
                }
            }
            case BEGINS_WITH -> {
                for (Operand arg : args) {
                    String type = knownType(arg);
                    if (type != null && !type.equals("S") && !type.equals("B")) wrongType(function, type);
                }
            }
            case ATTRIBUTE_TYPE -> attributeType(args.get(1));
            case SIZE -> {
                String type = knownType(args.get(0));
                if ("N".equals(type) || "BOOL".equals(type) || "NULL".equals(type)) wrongType(function, type);
            }
            case CONTAINS -> { }
        }
    }

    private void attributeType(Operand typeName) {
        String type = knownType(typeName);
        if (!"S".equals(type)) {
            wrongType(ExpressionFunction.ATTRIBUTE_TYPE, type == null ? "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}" : type);
            return;
        }
        String name = ((AttributeValue.S) ((Operand.ValueRef) typeName).value()).value();
        if (!TYPE_NAMES.contains(name)) {
            errors.add(Problem.OPERAND_TYPE, "Invalid attribute type name found; type: " + name
                    + ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
        }
    }

    private void bounds(Operand lower, Operand upper) {
        if (!(lower instanceof Operand.ValueRef l) || !(upper instanceof Operand.ValueRef u)) return;
        AttributeValue low = l.value();
        AttributeValue high = u.value();
        String operands = "lower bound operand: " + ValueText.describe(low) + ", upper bound operand: " + ValueText.describe(high);
        if (low.type() != high.type()) {
            errors.add(Problem.OPERAND_TYPE, "The BETWEEN operator requires same data type for lower and upper bounds; " + operands);
        } else if (ValueOrder.isOrdered(low.type()) && ValueOrder.compare(low, high) > 0) {
            errors.add(Problem.OPERAND_TYPE,
                    "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; " + operands);
        }
    }

    /** An order comparison or BETWEEN takes only numbers, strings and binaries. */
    private void ordered(String operator, Operand operand) {
        String type = knownType(operand);
        if (type != null && !ValueOrder.isOrdered(AttributeValue.Type.valueOf(type))) {
            wrongType(operator, type);
        }
    }

    private void distinct(String operator, Operand first, Operand second) {
        if (first instanceof Operand.Path && first.equals(second)) {
            errors.add(Problem.NOT_DISTINCT, "The first operand must be distinct from the remaining operands for this operator or function; "
                    + "operator: " + operator + ", first operand: " + first);
        }
    }

    private void wrongType(ExpressionFunction function, String type) {
        wrongType(function.functionName(), type);
    }

    private void wrongType(String operator, String type) {
        errors.add(Problem.OPERAND_TYPE, "Incorrect operand type for operator or function; operator or function: "
                + operator + ", operand type: " + type);
    }

    /** The type of an operand when known before evaluation: a value's, or N for size; null for paths. */
    private static String knownType(Operand operand) {
        if (operand instanceof Operand.ValueRef v) return v.value().type().name();
        if (operand instanceof Operand.FunctionCall call && call.function() == ExpressionFunction.SIZE) return "N";
        return null;
    }
}
