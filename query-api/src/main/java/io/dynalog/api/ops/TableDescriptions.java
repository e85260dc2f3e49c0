package io.dynalog.api.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.TableDescriptor;
import java.math.BigDecimal;

/** Renders a table as DynamoDB's TableDescription. */
final class TableDescriptions {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private TableDescriptions() {}

    static String arn(String region, String tableName) {
        return "arn:aws:dynamodb:" + region + ":000000000000:table/" + tableName;
    }

    static ObjectNode describe(TableDescriptor t, String region, long sizeBytes, long itemCount) {
        ObjectNode d = JSON.objectNode();
        ArrayNode defs = d.putArray("AttributeDefinitions");
        for (TableDescriptor.AttributeDefinition a : t.attributeDefinitions()) {
            defs.addObject().put("AttributeName", a.name()).put("AttributeType", a.type().name());
        }
        d.put("TableName", t.name());
        ArrayNode keys = d.putArray("KeySchema");
        KeySchema ks = t.keySchema();
        keys.addObject().put("AttributeName", ks.partitionKey()).put("KeyType", "HASH");
        if (ks.hasSortKey()) keys.addObject().put("AttributeName", ks.sortKey()).put("KeyType", "RANGE");
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
        d.put("DeletionProtectionEnabled", false);
        return d;
    }

    /** The table id in the UUID-like form DynamoDB reports. */
    static String tableIdText(long tableId) {
        String hex = String.format("%032x", tableId);
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }
}
