package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Short forms for building expressions' inputs and expected trees in tests. */
final class Fixtures {

    private Fixtures() {}

    static AttributeValue s(String v) {
        return AttributeValue.s(v);
    }

    static AttributeValue n(String v) {
        return AttributeValue.n(v);
    }

    static AttributeValue b(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) out[i] = (byte) bytes[i];
        return AttributeValue.b(out);
    }

    /** A map in the order given: key, value, key, value... */
    @SuppressWarnings("unchecked")
    static <V> Map<String, V> map(Object... keysAndValues) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) map.put((String) keysAndValues[i], (V) keysAndValues[i + 1]);
        return map;
    }

    static Operand.Path path(Object... elements) {
        List<PathElement> list = new java.util.ArrayList<>();
        for (Object e : elements) {
            list.add(e instanceof Integer i ? new PathElement.Index(i) : new PathElement.Attribute((String) e));
        }
        return new Operand.Path(list);
    }

    static Operand.ValueRef value(String placeholder, AttributeValue value) {
        return new Operand.ValueRef(placeholder, value);
    }

    static Condition.Comparison cmp(Operand left, Comparator comparator, Operand right) {
        return new Condition.Comparison(comparator, left, right);
    }

    static Operand.FunctionCall call(ExpressionFunction function, Operand... args) {
        return new Operand.FunctionCall(function, List.of(args));
    }
}
