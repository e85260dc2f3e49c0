package io.dynalog.topology.model;

import java.math.BigDecimal;
import java.util.Map;

/**
 * DynamoDB's limits on values, items and keys, checked with DynamoDB's error messages.
 *
 * <p>Each method returns normally or throws {@link InvalidInputException} with the message DynamoDB
 * gives for the first rule broken. The rules:
 * <ul>
 *   <li>numbers: at most 38 significant digits, magnitude 1E-130..9.99...E+125 ({@link Numbers#check});
 *   <li>sets are not empty (empty strings and binaries inside a set are allowed);
 *   <li>documents nest at most {@value #MAX_NESTING_LEVELS} levels, the attribute itself being
 *       level 1 (a leaf inside 31 maps or lists is the deepest allowed);
 *   <li>key attributes are present, of their declared type, not empty, a partition key at most
 *       {@value #MAX_PARTITION_KEY_BYTES} bytes and a sort key at most {@value #MAX_SORT_KEY_BYTES};
 *   <li>an item is at most {@value #MAX_ITEM_BYTES} bytes ({@link ItemSize}).
 * </ul>
 * Duplicate set members are the JSON decoder's to reject: the model's sets cannot hold them.
 */
public final class ItemValidator {
    public static final int MAX_NESTING_LEVELS = 32;
    public static final int MAX_PARTITION_KEY_BYTES = 2048;
    public static final int MAX_SORT_KEY_BYTES = 1024;
    public static final int MAX_ITEM_BYTES = 409_600;

    private static final String INVALID = "One or more parameter values were invalid: ";
    static final String NESTING_TOO_DEEP =
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit";
    static final String KEY_DOES_NOT_MATCH = "The provided key element does not match the schema";
    static final String ITEM_TOO_LARGE = "Item size has exceeded the maximum allowed size";

    private ItemValidator() {}

    /** Checks one value and everything nested in it; the value counts as nesting level 1. */
    public static void validateValue(AttributeValue v) {
        validateValue(v, 1);
    }

    /**
     * Checks an item about to be written: every value, the key attributes and the item size.
     * Secondary index keys are the caller's to check.
     */
    public static void validateItem(KeySchema schema, Map<String, AttributeValue> item) {
        for (AttributeValue v : item.values()) validateValue(v);
        checkItemKeyAttribute(item, schema.partitionKey(), schema.partitionKeyType(), true);
        if (schema.hasSortKey()) checkItemKeyAttribute(item, schema.sortKey(), schema.sortKeyType(), false);
        if (ItemSize.of(item) > MAX_ITEM_BYTES) throw new InvalidInputException(ITEM_TOO_LARGE);
    }

    /**
     * Checks the secondary index key attributes an item about to be written has (an item without
     * them is simply not in that index): each of its index's declared type, not empty, within the
     * key size limits. The message names the index and the attribute, as DynamoDB's does.
     */
    public static void validateIndexKeys(java.util.List<IndexDescriptor> indexes, Map<String, AttributeValue> item) {
        for (IndexDescriptor index : indexes) {
            KeySchema key = index.keySchema();
            checkIndexKeyAttribute(index, item, key.partitionKey(), key.partitionKeyType(), true);
            if (key.hasSortKey()) checkIndexKeyAttribute(index, item, key.sortKey(), key.sortKeyType(), false);
        }
    }

    private static void checkIndexKeyAttribute(IndexDescriptor index, Map<String, AttributeValue> item, String name, ScalarType type,
                                               boolean isPartitionKey) {
        AttributeValue v = item.get(name);
        if (v == null) return;
        if (v.type() != type.valueType()) {
            throw new InvalidInputException(INVALID + "Type mismatch for Index Key " + name + " Expected: " + type
                    + " Actual: " + v.type() + " IndexName: " + index.name());
        }
        boolean empty = v instanceof AttributeValue.S s ? s.value().isEmpty() : v instanceof AttributeValue.B b && b.bytes().length == 0;
        if (empty) {
            throw new InvalidInputException("One or more parameter values are not valid. A value specified for a secondary index key "
                    + "is not supported. The AttributeValue for a key attribute cannot contain an empty "
                    + (v instanceof AttributeValue.S ? "string" : "binary") + " value. IndexName: " + index.name() + ", IndexKey: " + name);
        }
        checkKeyValueSize(name, v, isPartitionKey);
    }

    /** Checks a primary key given to GetItem, DeleteItem, UpdateItem and the like. */
    public static void validateKey(KeySchema schema, Map<String, AttributeValue> key) {
        int expectedSize = schema.hasSortKey() ? 2 : 1;
        if (key.size() != expectedSize) throw new InvalidInputException(KEY_DOES_NOT_MATCH);
        checkKeyElement(key, schema.partitionKey(), schema.partitionKeyType(), true);
        if (schema.hasSortKey()) checkKeyElement(key, schema.sortKey(), schema.sortKeyType(), false);
    }

    /**
     * The size of a key attribute's value as DynamoDB counts it against the key limits: UTF-8
     * length for S, length for B, the stored size ({@link ItemSize#ofNumber}) for N.
     */
    public static long keySizeBytes(AttributeValue v) {
        return ItemSize.ofValue(v);
    }

    // ---- internals -------------------------------------------------------------------------

    private static void validateValue(AttributeValue v, int level) {
        if (level > MAX_NESTING_LEVELS) throw new InvalidInputException(NESTING_TOO_DEEP);
        switch (v.type()) {
            case N -> checkNumber(((AttributeValue.N) v).value());
            case NS -> {
                var members = ((AttributeValue.NS) v).value();
                if (members.isEmpty()) throw new InvalidInputException(INVALID + "An number set  may not be empty");
                for (BigDecimal member : members) checkNumber(member);
            }
            case SS -> {
                if (((AttributeValue.SS) v).value().isEmpty()) {
                    throw new InvalidInputException(INVALID + "An string set  may not be empty");
                }
            }
            case BS -> {
                if (((AttributeValue.BS) v).value().isEmpty()) {
                    throw new InvalidInputException(INVALID + "An binary set  may not be empty");
                }
            }
            case M -> {
                for (AttributeValue child : ((AttributeValue.M) v).value().values()) validateValue(child, level + 1);
            }
            case L -> {
                for (AttributeValue child : ((AttributeValue.L) v).value()) validateValue(child, level + 1);
            }
            case S, B, BOOL, NULL -> { }
        }
    }

    private static void checkNumber(BigDecimal n) {
        String problem = Numbers.check(n);
        if (problem != null) throw new InvalidInputException(problem);
    }

    private static void checkItemKeyAttribute(Map<String, AttributeValue> item, String name, ScalarType type, boolean isPartitionKey) {
        AttributeValue v = item.get(name);
        if (v == null) throw new InvalidInputException(INVALID + "Missing the key " + name + " in the item");
        if (v.type() != type.valueType()) {
            throw new InvalidInputException(INVALID + "Type mismatch for key " + name + " expected: " + type + " actual: " + v.type());
        }
        checkKeyValueSize(name, v, isPartitionKey);
    }

    /** DynamoDB answers a key of the wrong shape (missing or mistyped attribute) with one message. */
    private static void checkKeyElement(Map<String, AttributeValue> key, String name, ScalarType type, boolean isPartitionKey) {
        AttributeValue v = key.get(name);
        if (v == null || v.type() != type.valueType()) throw new InvalidInputException(KEY_DOES_NOT_MATCH);
        validateValue(v);
        checkKeyValueSize(name, v, isPartitionKey);
    }

    private static void checkKeyValueSize(String name, AttributeValue v, boolean isPartitionKey) {
        if (v instanceof AttributeValue.S s && s.value().isEmpty()) {
            throw new InvalidInputException("One or more parameter values are not valid. "
                    + "The AttributeValue for a key attribute cannot contain an empty string value. Key: " + name);
        }
        if (v instanceof AttributeValue.B b && b.bytes().length == 0) {
            throw new InvalidInputException("One or more parameter values are not valid. "
                    + "The AttributeValue for a key attribute cannot contain an empty binary value. Key: " + name);
        }
        long size = keySizeBytes(v);
        if (isPartitionKey && size > MAX_PARTITION_KEY_BYTES) {
            throw new InvalidInputException(INVALID + "Size of hashkey has exceeded the maximum size limit of"
                    + MAX_PARTITION_KEY_BYTES + " bytes");
        }
        if (!isPartitionKey && size > MAX_SORT_KEY_BYTES) {
            throw new InvalidInputException(INVALID + "Aggregated size of all range keys has exceeded the size limit of "
                    + MAX_SORT_KEY_BYTES + " bytes");
        }
    }
}
