package io.dynalog.client;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.request.WriteCommand.BatchEntry;
import java.util.List;
import java.util.Map;

/**
 * A write that succeeded: what its ReturnValues asked for ({@code attributes}, null when nothing)
 * and, for a batch, the writes it did not process (to send again; empty when none).
 */
public record WriteResult(String requestToken, Map<String, AttributeValue> attributes, List<BatchEntry> unprocessed) {}
