package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import java.util.Arrays;

/**
 * DynamoDB's order of scalar values of one type: strings by their UTF-8 bytes (the same as by code
 * points, not Java's UTF-16 order), numbers by value, binary by unsigned bytes.
 */
final class ValueOrder {

    private ValueOrder() {}

    /** Whether values of this type are ordered (S, N or B). */
    static boolean isOrdered(AttributeValue.Type type) {
        return type == AttributeValue.Type.S || type == AttributeValue.Type.N || type == AttributeValue.Type.B;
    }

    /**
     * Compares two values of the same ordered type.
     *
     * @throws IllegalArgumentException when the types differ or are not ordered
     */
    static int compare(AttributeValue a, AttributeValue b) {
        if (a instanceof AttributeValue.S x && b instanceof AttributeValue.S y) return compareCodePoints(x.value(), y.value());
        if (a instanceof AttributeValue.N x && b instanceof AttributeValue.N y) return x.value().compareTo(y.value());
        if (a instanceof AttributeValue.B x && b instanceof AttributeValue.B y) return x.compareTo(y);
        throw new IllegalArgumentException("not comparable: " + a.type() + " and " + b.type());
    }

    /** Whether {@code value} starts with {@code prefix}; both S or both B. */
    static boolean startsWith(AttributeValue value, AttributeValue prefix) {
        if (value instanceof AttributeValue.S v && prefix instanceof AttributeValue.S p) return v.value().startsWith(p.value());
        if (value instanceof AttributeValue.B v && prefix instanceof AttributeValue.B p) {
            byte[] bytes = v.bytes();
            byte[] start = p.bytes();
            return bytes.length >= start.length && Arrays.equals(bytes, 0, start.length, start, 0, start.length);
        }
        throw new IllegalArgumentException("no prefix test for " + value.type() + " and " + prefix.type());
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) return Integer.compare(x, y);
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
