package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import java.util.List;
import java.util.Map;

/** Following a document path into an item. */
public final class DocumentPaths {
    private DocumentPaths() {}

    /**
     * The value at {@code path} in {@code item}, or null when there is none: a missing attribute or
     * key, an index past a list's end, or a step into a value of another type (a key into a list,
     * an index into a map, either into a scalar).
     */
    public static AttributeValue get(Map<String, AttributeValue> item, Operand.Path path) {
        if (item == null) return null;
        List<PathElement> elements = path.elements();
        AttributeValue current = item.get(path.attributeName());
        for (int i = 1; i < elements.size() && current != null; i++) {
            PathElement step = elements.get(i);
            if (step instanceof PathElement.Attribute key) {
                current = current instanceof AttributeValue.M m ? m.value().get(key.name()) : null;
            } else {
                int index = ((PathElement.Index) step).index();
                current = current instanceof AttributeValue.L l && index < l.value().size() ? l.value().get(index) : null;
            }
        }
        return current;
    }
}
