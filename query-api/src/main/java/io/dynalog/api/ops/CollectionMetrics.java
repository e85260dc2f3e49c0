package io.dynalog.api.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.json.AttributeValues;
import io.dynalog.api.json.Params;
import io.dynalog.api.json.ValidationErrors;
import io.dynalog.ingest.WriteOutcome;
import io.dynalog.topology.keys.ItemCollections;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.TableDescriptor;
import java.util.List;
import java.util.Map;

/**
 * ReturnItemCollectionMetrics: the size of the item collection a write left, reported when asked
 * (SIZE) and only for tables with local indexes, as DynamoDB does.
 *
 * <p>The size is the leader's exact count (see {@link ItemCollections}), reported as DynamoDB
 * reports it: SizeEstimateRangeGB, a lower and an upper bound in gigabytes, here the whole
 * gigabytes around the size ([0.0, 1.0] for a collection under 1 GB).
 */
final class CollectionMetrics {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** DynamoDB's gigabyte (its sizes are binary). */
    private static final double BYTES_PER_GB = 1L << 30;

    /** DynamoDB's ReturnItemCollectionMetrics enum, in the order its messages list it. */
    enum Report { SIZE, NONE }

    private CollectionMetrics() {}

    /** The request's ReturnItemCollectionMetrics; NONE when absent. */
    static Report requested(JsonNode request, ValidationErrors errors) {
        Report r = Params.optionalEnum(request, "ReturnItemCollectionMetrics", Report.class, errors);
        return r == null ? Report.NONE : r;
    }

    /** Adds a single write's ItemCollectionMetrics to its response, when asked and known. */
    static ObjectNode report(ObjectNode response, Report report, TableDescriptor table, WriteOutcome outcome) {
        ObjectNode metrics = metrics(report, table, outcome);
        if (metrics != null) response.set("ItemCollectionMetrics", metrics);
        return response;
    }

    /** A batch's ItemCollectionMetrics: per table, the metrics its writes' answers carried. */
    static ObjectNode reportPerTable(ObjectNode response, Report report, Map<String, List<JsonNode>> metricsByTable) {
        if (report == Report.NONE || metricsByTable.isEmpty()) return response;
        ObjectNode byTable = response.putObject("ItemCollectionMetrics");
        metricsByTable.forEach((tableName, metrics) -> byTable.putArray(tableName).addAll(metrics));
        return response;
    }

    private static ObjectNode metrics(Report report, TableDescriptor table, WriteOutcome outcome) {
        if (report == Report.NONE || outcome.collectionBytes() == WriteOutcome.NOT_SIZED) return null;
        ItemCollections collections = ItemCollections.of(table);
        if (collections == null) return null;
        ObjectNode metrics = JSON.objectNode();
        Map<String, AttributeValue> item = outcome.newImage() != null ? outcome.newImage() : outcome.oldImage();
        metrics.set("ItemCollectionKey", AttributeValues.itemNode(collections.keyAttributes(item)));
        double lower = Math.floor(outcome.collectionBytes() / BYTES_PER_GB);
        ArrayNode range = metrics.putArray("SizeEstimateRangeGB");
        range.add(lower);
        range.add(lower + 1);
        return metrics;
    }
}
