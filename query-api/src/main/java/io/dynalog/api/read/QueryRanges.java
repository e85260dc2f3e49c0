package io.dynalog.api.read;

import io.dynalog.expression.KeyCondition;
import io.dynalog.expression.SortKeyCondition;
import io.dynalog.topology.keys.KeyCodec;
import io.dynalog.topology.model.KeySchema;

/**
 * The store-key range a Query's key condition selects: one partition key is one contiguous range
 * (its {@link KeyCodec#partitionKeyPrefix prefix}), and a sort-key condition narrows it to a
 * sub-range, because sort keys are encoded order-preserving and prefix-free.
 *
 * <p>The range covers every key that <em>starts</em> with a selected key, so it serves index rows
 * too (an index key followed by the item's key): a bound just past key {@code k} is
 * {@link KeyRange#prefixEnd prefixEnd(k)}, not {@code k}'s successor. For a table the two select
 * the same items, since no store key extends another (prefix-free).
 */
public final class QueryRanges {
    private QueryRanges() {}

    public static KeyRange of(KeySchema schema, KeyCondition condition) {
        byte[] prefix = KeyCodec.partitionKeyPrefix(schema, condition.partitionKeyValue());
        SortKeyCondition sort = condition.sortCondition();
        if (sort == null) return KeyRange.withPrefix(prefix);
        byte[] end = KeyRange.prefixEnd(prefix);
        return switch (sort.op()) {
            case EQ -> {
                byte[] k = at(prefix, sort);
                yield new KeyRange(k, KeyRange.prefixEnd(k));
            }
            case LT -> new KeyRange(prefix, at(prefix, sort));
            case LE -> new KeyRange(prefix, KeyRange.prefixEnd(at(prefix, sort)));
            case GT -> new KeyRange(KeyRange.prefixEnd(at(prefix, sort)), end);
            case GE -> new KeyRange(at(prefix, sort), end);
            case BETWEEN -> new KeyRange(at(prefix, sort),
                    KeyRange.prefixEnd(KeyRange.concat(prefix, KeyCodec.encodeScalar(sort.second()))));
            case BEGINS_WITH -> KeyRange.withPrefix(KeyRange.concat(prefix, KeyCodec.encodeScalarPrefix(sort.first())));
        };
    }

    /** The store key of the item with the query's partition key and the condition's (first) sort key. */
    private static byte[] at(byte[] prefix, SortKeyCondition sort) {
        return KeyRange.concat(prefix, KeyCodec.encodeScalar(sort.first()));
    }
}
