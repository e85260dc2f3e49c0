package io.dynalog.api.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.json.Params;
import io.dynalog.api.json.ValidationErrors;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.ItemSize;
import java.util.Map;

/**
 * The capacity a request consumes, with DynamoDB's arithmetic, and the ConsumedCapacity it
 * reports when asked (ReturnConsumedCapacity TOTAL or INDEXES).
 *
 * <p>A read unit is 4 KB read strongly consistently, half of one eventually consistently; a Query
 * or Scan rounds the total size it examined, a single read rounds its item (a missing item still
 * costs one unit). A write unit is 1 KB of the larger of the item before and after the write,
 * at least one.
 */
final class Capacity {
    private static final long READ_UNIT_BYTES = 4 * 1024;
    private static final long WRITE_UNIT_BYTES = 1024;

    /** DynamoDB's ReturnConsumedCapacity enum. */
    enum Report { INDEXES, TOTAL, NONE }

    private Capacity() {}

    /** The request's ReturnConsumedCapacity; NONE when absent. */
    static Report requested(JsonNode request, ValidationErrors errors) {
        Report r = Params.optionalEnum(request, "ReturnConsumedCapacity", Report.class, errors);
        return r == null ? Report.NONE : r;
    }

    /** Read units for {@code bytes} read at once (one item, or a whole Query or Scan page). */
    static double readUnits(long bytes, boolean consistent) {
        long units = Math.max(1, (bytes + READ_UNIT_BYTES - 1) / READ_UNIT_BYTES);
        return consistent ? units : units / 2.0;
    }

    static double readUnits(Map<String, AttributeValue> item, boolean consistent) {
        return readUnits(item == null ? 0 : ItemSize.of(item), consistent);
    }

    /** Write units for a write that turned {@code before} into {@code after} (either null when absent). */
    static double writeUnits(Map<String, AttributeValue> before, Map<String, AttributeValue> after) {
        long bytes = Math.max(before == null ? 0 : ItemSize.of(before), after == null ? 0 : ItemSize.of(after));
        return Math.max(1, (bytes + WRITE_UNIT_BYTES - 1) / WRITE_UNIT_BYTES);
    }

    /** Adds a batch's ConsumedCapacity to its response, as asked: a list, one entry per table, in the request's order. */
    static ObjectNode reportPerTable(ObjectNode response, Report report, Map<String, Double> unitsByTable) {
        if (report == Report.NONE) return response;
        ArrayNode list = response.putArray("ConsumedCapacity");
        unitsByTable.forEach((tableName, units) -> consumed(list.addObject(), report, tableName, units));
        return response;
    }

    /** The units a single-item response reports (0 when it reports none). */
    static double reportedUnits(JsonNode response) {
        return response.path("ConsumedCapacity").path("CapacityUnits").asDouble(0);
    }

    /** Adds ConsumedCapacity to a response, as asked; the units are only computed then. */
    static ObjectNode report(ObjectNode response, Report report, String tableName, java.util.function.DoubleSupplier consumedUnits) {
        if (report == Report.NONE) return response;
        consumed(response.putObject("ConsumedCapacity"), report, tableName, consumedUnits.getAsDouble());
        return response;
    }

    /** One ConsumedCapacity entry: the table's units, broken down by table when INDEXES is asked for. */
    private static void consumed(ObjectNode consumed, Report report, String tableName, double units) {
        consumed.put("TableName", tableName);
        consumed.put("CapacityUnits", units);
        if (report == Report.INDEXES) consumed.putObject("Table").put("CapacityUnits", units);
    }
}
