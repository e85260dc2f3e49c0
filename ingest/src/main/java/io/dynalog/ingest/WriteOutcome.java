package io.dynalog.ingest;

import io.dynalog.topology.model.AttributeValue;
import java.util.Map;

/**
 * A write that took effect: the item before and after it (either null when the item did not
 * exist), the slot it was chosen at (0 when the write changed nothing and took no slot), and the
 * size of the item's collection after it ({@link #NOT_SIZED} for a table without local indexes,
 * whose items form no collection, or when there was no item before or after).
 */
public record WriteOutcome(Map<String, AttributeValue> oldImage, Map<String, AttributeValue> newImage, long slot,
                           long collectionBytes) {
    public static final long NOT_SIZED = -1;

    public WriteOutcome(Map<String, AttributeValue> oldImage, Map<String, AttributeValue> newImage, long slot) {
        this(oldImage, newImage, slot, NOT_SIZED);
    }
}
