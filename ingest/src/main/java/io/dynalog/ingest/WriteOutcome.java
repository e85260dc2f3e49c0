package io.dynalog.ingest;

import io.dynalog.topology.model.AttributeValue;
import java.util.Map;

/**
 * A write that took effect: the item before and after it (either null when the item did not
 * exist), and the slot it was chosen at (0 when the write changed nothing and took no slot).
 */
public record WriteOutcome(Map<String, AttributeValue> oldImage, Map<String, AttributeValue> newImage, long slot) {}
