package io.dynalog.api.read;

import io.dynalog.replica.ReplicaStore.RangeCursor;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.ItemSize;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.wire.ItemCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Accumulates one Query or Scan page as DynamoDB does: items are examined in key order until
 * {@code Limit} items have been examined or the data examined reaches 1 MB (the item that crosses
 * the line is included); the filter, applied after that, decides which examined items are
 * returned. When the page stops early, the last examined item's key is the LastEvaluatedKey
 * (DynamoDB does not look ahead, so a page that ends exactly at the last item still has one).
 *
 * <p>A page may span several cursors (a Scan crosses partitions): feed them in key order.
 */
public final class PageBuilder {
    /** DynamoDB's page limit: 1 MB of examined data. */
    public static final long MAX_PAGE_BYTES = 1L << 20;

    private final Function<Map<String, AttributeValue>, Map<String, AttributeValue>> keyOf;
    private final UnaryOperator<Map<String, AttributeValue>> resolve;
    private final boolean returnResolved;
    private final int limit;
    private final boolean countOnly;
    private final Predicate<Map<String, AttributeValue>> filter;
    private final List<Map<String, AttributeValue>> items = new ArrayList<>();
    private int count;
    private int scanned;
    private long scannedBytes;
    private Map<String, AttributeValue> lastExamined;
    private boolean full;
    private Map<String, AttributeValue> absorbedLastKey;

    /**
     * @param limit the maximum number of items to examine (Integer.MAX_VALUE when none)
     * @param filter which examined items count and are returned
     */
    public PageBuilder(KeySchema schema, int limit, boolean countOnly, Predicate<Map<String, AttributeValue>> filter) {
        this(schema::keyOf, UnaryOperator.identity(), false, limit, countOnly, filter);
    }

    /**
     * A page over index rows: {@code keyOf} gives a row's LastEvaluatedKey (the table's key and the
     * index's), and {@code resolve} turns a row into what the filter sees (the row, or for a local
     * index read that needs more than the row holds, the item; null when there is none);
     * {@code returnResolved}: the page returns that, not the row.
     */
    public PageBuilder(Function<Map<String, AttributeValue>, Map<String, AttributeValue>> keyOf,
                       UnaryOperator<Map<String, AttributeValue>> resolve, boolean returnResolved, int limit, boolean countOnly,
                       Predicate<Map<String, AttributeValue>> filter) {
        this.keyOf = keyOf;
        this.resolve = resolve;
        this.returnResolved = returnResolved;
        this.limit = limit;
        this.countOnly = countOnly;
        this.filter = filter;
    }

    /** True once the page can take no more items. */
    public boolean full() {
        return full;
    }

    /** Examines items from the cursor until the page is full or the cursor ends. */
    public void drain(RangeCursor cursor) {
        while (!full && cursor.valid()) {
            byte[] encoded = cursor.encodedItem();
            Map<String, AttributeValue> item = ItemCodec.decode(encoded);
            examine(item);
            cursor.next();
        }
    }

    /** Examines one item (for reads that are not cursors, such as a single consistent get). */
    public void examine(Map<String, AttributeValue> row) {
        scanned++;
        scannedBytes += ItemSize.of(row);
        lastExamined = row;
        Map<String, AttributeValue> item = resolve.apply(row);
        if (item != null && filter.test(item)) {
            count++;
            if (!countOnly) items.add(returnResolved ? item : row);
        }
        if (scanned >= limit || scannedBytes >= MAX_PAGE_BYTES) full = true;
    }

    /** How many more items the page may examine. */
    public int remainingLimit() {
        return limit == Integer.MAX_VALUE ? Integer.MAX_VALUE : Math.max(0, limit - scanned);
    }

    /**
     * Takes in a part of the page read by another node (a partition this node holds no replica
     * of): its items (already filtered), counts and, when that part stopped early, where.
     */
    public void absorb(List<Map<String, AttributeValue>> partItems, int partCount, int partScanned,
                       Map<String, AttributeValue> partLastEvaluatedKey) {
        count += partCount;
        scanned += partScanned;
        for (Map<String, AttributeValue> item : partItems) {
            scannedBytes += ItemSize.of(item);
            if (!countOnly) items.add(item);
        }
        if (partLastEvaluatedKey != null) {
            full = true;
            absorbedLastKey = partLastEvaluatedKey;
        } else if (scanned >= limit || scannedBytes >= MAX_PAGE_BYTES) {
            full = true;
            absorbedLastKey = partItems.isEmpty() ? null : keyOf.apply(partItems.get(partItems.size() - 1));
        }
        lastExamined = null;
    }

    public Page build() {
        Map<String, AttributeValue> lastKey = !full ? null
                : absorbedLastKey != null ? absorbedLastKey
                : lastExamined != null ? keyOf.apply(lastExamined) : null;
        return new Page(items, count, scanned, lastKey, scannedBytes);
    }
}
