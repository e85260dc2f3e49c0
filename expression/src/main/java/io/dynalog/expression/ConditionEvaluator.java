package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Evaluates a resolved condition against an item (null: no item), as DynamoDB does.
 *
 * <p>Logic is two-valued: a comparison whose operand is missing, or whose operands have types it
 * cannot compare, is false (so {@code NOT} of it is true), except {@code <>}, which is true unless
 * both operands exist and are equal. Order comparisons and BETWEEN compare S, N or B values of one
 * type. {@code size} of a value it does not measure (N, BOOL, NULL) is missing, like a missing
 * attribute.
 */
public final class ConditionEvaluator {
    private ConditionEvaluator() {}

    public static boolean test(Condition condition, Map<String, AttributeValue> item) {
        if (condition instanceof Condition.And and) return test(and.left(), item) && test(and.right(), item);
        if (condition instanceof Condition.Or or) return test(or.left(), item) || test(or.right(), item);
        if (condition instanceof Condition.Not not) return !test(not.operand(), item);
        if (condition instanceof Condition.Comparison c) return compare(c.comparator(), value(c.left(), item), value(c.right(), item));
        if (condition instanceof Condition.Between b) {
            return between(value(b.subject(), item), value(b.lower(), item), value(b.upper(), item));
        }
        if (condition instanceof Condition.In in) {
            AttributeValue subject = value(in.subject(), item);
            if (subject == null) return false;
            for (Operand candidate : in.candidates()) {
                if (subject.equals(value(candidate, item))) return true;
            }
            return false;
        }
        return function(((Condition.FunctionCondition) condition).call(), item);
    }

    /** An operand's value in the item, or null when it has none. */
    static AttributeValue value(Operand operand, Map<String, AttributeValue> item) {
        if (operand instanceof Operand.Path path) return DocumentPaths.get(item, path);
        if (operand instanceof Operand.ValueRef ref) return ref.value();
        Operand.FunctionCall call = (Operand.FunctionCall) operand;
        if (call.function() != ExpressionFunction.SIZE) {
            throw new IllegalStateException(call.function().functionName() + " is not an operand");
        }
        Long size = size(value(call.arguments().get(0), item));
        return size == null ? null : new AttributeValue.N(BigDecimal.valueOf(size));
    }

    /** What {@code size} measures: a string's UTF-8 bytes, a binary's bytes, a set's, list's or map's elements. */
    static Long size(AttributeValue v) {
        if (v instanceof AttributeValue.S s) return (long) s.value().getBytes(StandardCharsets.UTF_8).length;
        if (v instanceof AttributeValue.B b) return (long) b.bytes().length;
        if (v instanceof AttributeValue.SS ss) return (long) ss.value().size();
        if (v instanceof AttributeValue.NS ns) return (long) ns.value().size();
        if (v instanceof AttributeValue.BS bs) return (long) bs.value().size();
        if (v instanceof AttributeValue.L l) return (long) l.value().size();
        if (v instanceof AttributeValue.M m) return (long) m.value().size();
        return null;
    }

    private static boolean compare(Comparator comparator, AttributeValue left, AttributeValue right) {
        boolean equal = left != null && left.equals(right);
        return switch (comparator) {
            case EQ -> equal;
            case NE -> !equal;
            default -> {
                if (!ordered(left, right)) yield false;
                int c = ValueOrder.compare(left, right);
                yield switch (comparator) {
                    case LT -> c < 0;
                    case LE -> c <= 0;
                    case GT -> c > 0;
                    case GE -> c >= 0;
                    default -> throw new IllegalStateException();
                };
            }
        };
    }

    private static boolean ordered(AttributeValue a, AttributeValue b) {
        return a != null && b != null && a.type() == b.type() && ValueOrder.isOrdered(a.type());
    }

    private static boolean between(AttributeValue subject, AttributeValue lower, AttributeValue upper) {
        return ordered(subject, lower) && ordered(subject, upper)
                && ValueOrder.compare(lower, subject) <= 0 && ValueOrder.compare(subject, upper) <= 0;
    }

    private static boolean function(Operand.FunctionCall call, Map<String, AttributeValue> item) {
        Operand first = call.arguments().get(0);
        return switch (call.function()) {
            case ATTRIBUTE_EXISTS -> value(first, item) != null;
            case ATTRIBUTE_NOT_EXISTS -> value(first, item) == null;
            case ATTRIBUTE_TYPE -> {
                AttributeValue v = value(first, item);
                AttributeValue type = value(call.arguments().get(1), item);
                yield v != null && type instanceof AttributeValue.S name && v.type().name().equals(name.value());
            }
            case BEGINS_WITH -> {
                AttributeValue v = value(first, item);
                AttributeValue prefix = value(call.arguments().get(1), item);
                yield v != null && prefix != null && v.type() == prefix.type()
                        && (v.type() == AttributeValue.Type.S || v.type() == AttributeValue.Type.B)
                        && ValueOrder.startsWith(v, prefix);
            }
            case CONTAINS -> contains(value(first, item), value(call.arguments().get(1), item));
            case SIZE -> throw new IllegalStateException("size is not a condition");
        };
    }

    private static boolean contains(AttributeValue container, AttributeValue element) {
        if (container == null || element == null) return false;
        if (container instanceof AttributeValue.S s) return element instanceof AttributeValue.S e && s.value().contains(e.value());
        if (container instanceof AttributeValue.B b) return element instanceof AttributeValue.B e && indexOf(b.bytes(), e.bytes()) >= 0;
        if (container instanceof AttributeValue.SS ss) return element instanceof AttributeValue.S e && ss.value().contains(e.value());
        if (container instanceof AttributeValue.NS ns) return element instanceof AttributeValue.N e && ns.value().contains(e.value());
        if (container instanceof AttributeValue.BS bs) return element instanceof AttributeValue.B e && bs.value().contains(e);
        if (container instanceof AttributeValue.L l) return l.value().contains(element);
        return false;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
