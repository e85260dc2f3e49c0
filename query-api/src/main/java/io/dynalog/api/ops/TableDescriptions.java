package io.dynalog.api.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.IndexProjection;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStream;
import java.math.BigDecimal;
import java.util.List;
import java.util.function.ToLongFunction;

/** Renders a table as DynamoDB's TableDescription. */
final class TableDescriptions {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private TableDescriptions() {}

    static String arn(String region, String tableName) {
        return "arn:aws:dynamodb:" + region + ":000000000000:table/" + tableName;
    }

    /** The description with every index's size and item count reported as 0 (a table just created or deleted). */
    static ObjectNode describe(TableDescriptor t, String region, long sizeBytes, long itemCount) {
        return describe(t, region, sizeBytes, itemCount, index -> 0, index -> 0);
    }

    /**
     * The description, with LocalSecondaryIndexes and GlobalSecondaryIndexes when the table has
     * indexes of that kind (omitted when it has none, as DynamoDB omits them).
     *
     * @param indexSizeBytes an index's IndexSizeBytes
     * @param indexItemCount an index's ItemCount
     */
    static ObjectNode describe(TableDescriptor t, String region, long sizeBytes, long itemCount,
                               ToLongFunction<IndexDescriptor> indexSizeBytes, ToLongFunction<IndexDescriptor> indexItemCount) {
        ObjectNode d = JSON.objectNode();
        ArrayNode defs = d.putArray("AttributeDefinitions");
        for (TableDescriptor.AttributeDefinition a : t.attributeDefinitions()) {
            defs.addObject().put("AttributeName", a.name()).put("AttributeType", a.type().name());
        }
        d.put("TableName", t.name());
        putKeySchema(d, t.keySchema());
        d.put("TableStatus", t.status().name());
        d.put("CreationDateTime", BigDecimal.valueOf(t.creationTimeMs(), 3));
        ObjectNode throughput = d.putObject("ProvisionedThroughput");
        throughput.put("NumberOfDecreasesToday", 0);
        throughput.put("ReadCapacityUnits", t.readCapacityUnits());
        throughput.put("WriteCapacityUnits", t.writeCapacityUnits());
        d.put("TableSizeBytes", sizeBytes);
        d.put("ItemCount", itemCount);
        d.put("TableArn", arn(region, t.name()));
        d.put("TableId", tableIdText(t.tableId()));
        if ("PAY_PER_REQUEST".equals(t.billingMode())) {
            d.putObject("BillingModeSummary")
                    .put("BillingMode", "PAY_PER_REQUEST")
                    .put("LastUpdateToPayPerRequestDateTime", BigDecimal.valueOf(t.creationTimeMs(), 3));
        }
        List<IndexDescriptor> locals = t.localIndexes();
        if (!locals.isEmpty()) {
            ArrayNode list = d.putArray("LocalSecondaryIndexes");
            for (IndexDescriptor index : locals) list.add(describeIndex(t, index, region, indexSizeBytes, indexItemCount));
        }
        List<IndexDescriptor> globals = t.globalIndexes();
        if (!globals.isEmpty()) {
            ArrayNode list = d.putArray("GlobalSecondaryIndexes");
            for (IndexDescriptor index : globals) list.add(describeIndex(t, index, region, indexSizeBytes, indexItemCount));
        }
        TableStream stream = t.stream();
        if (stream != null) {
            if (stream.enabled()) {
                d.putObject("StreamSpecification").put("StreamEnabled", true).put("StreamViewType", stream.viewType().name());
            }
            d.put("LatestStreamLabel", stream.label());
            d.put("LatestStreamArn", streamArn(region, t.name(), stream));
        }
        d.put("DeletionProtectionEnabled", false);
        return d;
    }

    /** DynamoDB's stream ARN: the table's, then {@code /stream/} and the stream's label. */
    static String streamArn(String region, String tableName, TableStream stream) {
        return arn(region, tableName) + "/stream/" + stream.label();
    }

    static String indexArn(String region, String tableName, String indexName) {
        return arn(region, tableName) + "/index/" + indexName;
    }

    /**
     * DynamoDB's LocalSecondaryIndexDescription or GlobalSecondaryIndexDescription. A global
     * index adds its status, Backfilling while it is being filled from the table's items (the
     * member is absent otherwise, as in DynamoDB), and its own throughput: 0/0 on a
     * PAY_PER_REQUEST table, as DynamoDB reports it.
     */
    private static ObjectNode describeIndex(TableDescriptor t, IndexDescriptor index, String region,
                                            ToLongFunction<IndexDescriptor> sizeBytes, ToLongFunction<IndexDescriptor> itemCount) {
        ObjectNode d = JSON.objectNode();
        d.put("IndexName", index.name());
        putKeySchema(d, index.keySchema());
        ObjectNode projection = d.putObject("Projection");
        projection.put("ProjectionType", index.projection().type().name());
        if (index.projection().type() == IndexProjection.Type.INCLUDE) {
            ArrayNode names = projection.putArray("NonKeyAttributes");
            index.projection().nonKeyAttributes().forEach(names::add);
        }
        if (index.isGlobal()) {
            d.put("IndexStatus", index.status().name());
            if (index.status() == IndexDescriptor.IndexStatus.CREATING && index.backfilling()) d.put("Backfilling", true);
            boolean provisioned = !"PAY_PER_REQUEST".equals(t.billingMode());
            ObjectNode throughput = d.putObject("ProvisionedThroughput");
            throughput.put("NumberOfDecreasesToday", 0);
            throughput.put("ReadCapacityUnits", provisioned ? index.readCapacityUnits() : 0);
            throughput.put("WriteCapacityUnits", provisioned ? index.writeCapacityUnits() : 0);
        }
        d.put("IndexSizeBytes", sizeBytes.applyAsLong(index));
        d.put("ItemCount", itemCount.applyAsLong(index));
        d.put("IndexArn", indexArn(region, t.name(), index.name()));
        return d;
    }

    static void putKeySchema(ObjectNode d, KeySchema ks) {
        ArrayNode keys = d.putArray("KeySchema");
        keys.addObject().put("AttributeName", ks.partitionKey()).put("KeyType", "HASH");
        if (ks.hasSortKey()) keys.addObject().put("AttributeName", ks.sortKey()).put("KeyType", "RANGE");
    }

    /** The table id in the UUID-like form DynamoDB reports. */
    static String tableIdText(long tableId) {
        String hex = String.format("%032x", tableId);
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }
}
