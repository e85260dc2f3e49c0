package io.dynalog.ingest;

import io.dynalog.topology.model.AttributeValue;
import java.util.Map;

/**
 * A write's condition did not hold against the item as the leader had it: nothing was written.
 * Carries that item when the client asked for it back (ReturnValuesOnConditionCheckFailure).
 */
public final class ConditionFailedException extends RuntimeException {
    private final transient Map<String, AttributeValue> item;

    /** @param item the item the condition was checked against, to return; null when none or not asked for */
    public ConditionFailedException(Map<String, AttributeValue> item) {
        super("The conditional request failed", null, false, false);
        this.item = item;
    }

    /** The item to return to the client, or null. */
    public Map<String, AttributeValue> item() {
        return item;
    }
}
