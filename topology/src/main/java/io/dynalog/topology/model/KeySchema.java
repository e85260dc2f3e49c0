package io.dynalog.topology.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A table's (or index's) primary key: a partition key (HASH) and an optional sort key (RANGE),
 * each with its scalar type.
 */
public record KeySchema(String partitionKey, ScalarType partitionKeyType, String sortKey, ScalarType sortKeyType) {

    public KeySchema {
        Objects.requireNonNull(partitionKey, "partitionKey");
        Objects.requireNonNull(partitionKeyType, "partitionKeyType");
        if ((sortKey == null) != (sortKeyType == null)) {
            throw new IllegalArgumentException("sort key name and type go together");
        }
    }

    public static KeySchema hash(String pk, ScalarType pkType) {
        return new KeySchema(pk, pkType, null, null);
    }

    public static KeySchema hashRange(String pk, ScalarType pkType, String sk, ScalarType skType) {
        return new KeySchema(pk, pkType, sk, skType);
    }

    public boolean hasSortKey() {
        return sortKey != null;
    }

    public boolean isKeyAttribute(String name) {
        return partitionKey.equals(name) || (sortKey != null && sortKey.equals(name));
    }

    /** The key attributes of an item (which must have them), in schema order. */
    public Map<String, AttributeValue> keyOf(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> key = new LinkedHashMap<>(2);
        key.put(partitionKey, item.get(partitionKey));
        if (sortKey != null) key.put(sortKey, item.get(sortKey));
        return key;
    }
}
