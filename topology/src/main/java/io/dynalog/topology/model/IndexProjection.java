package io.dynalog.topology.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which attributes of an item a secondary index keeps: DynamoDB's Projection.
 *
 * <p>Every index keeps the table's key attributes and its own; KEYS_ONLY keeps nothing else,
 * INCLUDE adds the named non-key attributes, ALL keeps the whole item.
 *
 * @param nonKeyAttributes the INCLUDE list, in the order given; empty for ALL and KEYS_ONLY
 */
public record IndexProjection(Type type, List<String> nonKeyAttributes) {

    /** DynamoDB's ProjectionType. The names are on the wire (catalog records): never rename one. */
    public enum Type { ALL, KEYS_ONLY, INCLUDE }

    public static final IndexProjection ALL = new IndexProjection(Type.ALL, List.of());
    public static final IndexProjection KEYS_ONLY = new IndexProjection(Type.KEYS_ONLY, List.of());

    public IndexProjection {
        Objects.requireNonNull(type, "type");
        nonKeyAttributes = List.copyOf(nonKeyAttributes);
        if (type != Type.INCLUDE && !nonKeyAttributes.isEmpty()) {
            throw new IllegalArgumentException(type + " projections name no attributes");
        }
    }

    /** Whether an index row keeps top-level attribute {@code name} (key attributes are always kept). */
    public boolean keeps(String name, KeySchema tableKey, KeySchema indexKey) {
        return type == Type.ALL || tableKey.isKeyAttribute(name) || indexKey.isKeyAttribute(name)
                || nonKeyAttributes.contains(name);
    }

    /** The index row of an item that has the index's key attributes. */
    public Map<String, AttributeValue> project(Map<String, AttributeValue> item, KeySchema tableKey, KeySchema indexKey) {
        if (type == Type.ALL) return item;
        Map<String, AttributeValue> row = new LinkedHashMap<>();
        item.forEach((name, value) -> {
            if (keeps(name, tableKey, indexKey)) row.put(name, value);
        });
        return row;
    }
}
