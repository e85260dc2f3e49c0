package io.dynalog.api.read;

import io.dynalog.topology.model.AttributeValue;
import java.util.List;
import java.util.Map;

/**
 * One page of a Query or Scan.
 *
 * @param items the items returned (empty when only counting)
 * @param count how many items matched
 * @param scannedCount how many items were examined
 * @param lastEvaluatedKey where the next page starts, or null when the read is complete
 */
public record Page(List<Map<String, AttributeValue>> items, int count, int scannedCount,
                   Map<String, AttributeValue> lastEvaluatedKey, long scannedBytes) {}
