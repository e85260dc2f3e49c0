package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The part of an item that some document paths select, as DynamoDB returns it: the selected
 * values inside their maps, and the selected elements of a list in index order (a list holding
 * only those). Paths that select nothing add nothing.
 */
public final class Projection {
    private Projection() {}

    public static Map<String, AttributeValue> project(Map<String, AttributeValue> item, List<Operand.Path> paths) {
        Node root = new Node();
        for (Operand.Path path : paths) {
            AttributeValue value = DocumentPaths.get(item, path);
            if (value == null) continue;
            Node at = root;
            for (PathElement step : path.elements()) at = at.child(step);
            at.value = value;
        }
        Map<String, AttributeValue> result = new LinkedHashMap<>();
        root.keys.forEach((name, child) -> result.put(name, child.build()));
        return result;
    }

    /** A selected value, or the selections inside one: by map key or by list index. */
    private static final class Node {
        AttributeValue value;
        final Map<String, Node> keys = new LinkedHashMap<>();
        final TreeMap<Integer, Node> indexes = new TreeMap<>();

        Node child(PathElement step) {
            return step instanceof PathElement.Attribute a ? keys.computeIfAbsent(a.name(), k -> new Node())
                    : indexes.computeIfAbsent(((PathElement.Index) step).index(), k -> new Node());
        }

        AttributeValue build() {
            if (value != null) return value; // a whole value selected covers any part of it also selected
            if (!indexes.isEmpty()) {
                List<AttributeValue> elements = new ArrayList<>();
                indexes.values().forEach(n -> elements.add(n.build()));
                return new AttributeValue.L(elements);
            }
            Map<String, AttributeValue> entries = new LinkedHashMap<>();
            keys.forEach((name, n) -> entries.put(name, n.build()));
            return new AttributeValue.M(entries);
        }
    }
}
