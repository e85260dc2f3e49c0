package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.Numbers;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Attribute values as DynamoDB prints them inside error messages: {@code {N:5}}, {@code {S:abc}};
 * binary as base64, as it travels on the wire.
 */
final class ValueText {

    private ValueText() {}

    /** {@code AttributeValue: {N:5}}. */
    static String describe(AttributeValue value) {
        return "AttributeValue: {" + value.type() + ":" + content(value) + "}";
    }

    private static String content(AttributeValue value) {
        if (value instanceof AttributeValue.S s) return s.value();
        if (value instanceof AttributeValue.N n) return n.text();
        if (value instanceof AttributeValue.B b) return base64(b);
        if (value instanceof AttributeValue.Bool b) return Boolean.toString(b.value());
        if (value instanceof AttributeValue.Null) return "true";
        if (value instanceof AttributeValue.SS ss) return String.join(",", ss.value());
        if (value instanceof AttributeValue.NS ns) {
            StringJoiner j = new StringJoiner(",");
            ns.value().forEach(n -> j.add(Numbers.format(n)));
            return j.toString();
        }
        if (value instanceof AttributeValue.BS bs) {
            StringJoiner j = new StringJoiner(",");
            bs.value().forEach(b -> j.add(base64(b)));
            return j.toString();
        }
        if (value instanceof AttributeValue.L l) {
            StringJoiner j = new StringJoiner(",", "[", "]");
            l.value().forEach(v -> j.add("{" + v.type() + ":" + content(v) + "}"));
            return j.toString();
        }
        if (value instanceof AttributeValue.M m) {
            StringJoiner j = new StringJoiner(",", "{", "}");
            for (Map.Entry<String, AttributeValue> e : m.value().entrySet()) {
                j.add(e.getKey() + "={" + e.getValue().type() + ":" + content(e.getValue()) + "}");
            }
            return j.toString();
        }
        throw new IllegalStateException("unknown value " + value);
    }

    private static String base64(AttributeValue.B b) {
        return Base64.getEncoder().encodeToString(b.bytes());
    }
}
