package io.dynalog.topology.catalog;

import io.dynalog.topology.keys.KeyCodec;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.topology.wire.TableRecordCodec;
import java.util.List;
import java.util.Map;

/**
 * The catalog as a table of its own: one partition, replicated by a Paxos group like any table
 * partition, whose items are the descriptors of the user tables, keyed by table name.
 *
 * <p>An item is {@code {TableName: S, Descriptor: B}}, the descriptor in its versioned wire
 * encoding ({@link TableRecordCodec}). The catalog's own descriptor (where its replicas are) is
 * not an item of it: it is the first record of the catalog placement topic, so that a node can
 * find the catalog before it can read it.
 *
 * <p>Table id 0 is the catalog's: user tables never get it. Its name holds a character DynamoDB
 * table names cannot, so no user table can be confused with it.
 */
public final class CatalogTable {
    public static final long TABLE_ID = 0L;
    public static final String NAME = "#catalog";
    public static final int PARTITION = 0;
    static final String NAME_ATTRIBUTE = "TableName";
    static final String DESCRIPTOR_ATTRIBUTE = "Descriptor";
    private static final KeySchema KEY_SCHEMA = KeySchema.hash(NAME_ATTRIBUTE, ScalarType.S);

    private CatalogTable() {}

    /** The catalog's own descriptor: one partition with these replicas, preferred leader first. */
    public static TableDescriptor descriptor(String walTopic, List<Integer> replicas, long creationTimeMs) {
        return new TableDescriptor(NAME, TABLE_ID, KEY_SCHEMA, List.of(new TableDescriptor.AttributeDefinition(NAME_ATTRIBUTE, ScalarType.S)),
                "PAY_PER_REQUEST", 0, 0, 1, creationTimeMs, TableStatus.ACTIVE, walTopic, List.of(replicas));
    }

    public static boolean isCatalog(TableDescriptor table) {
        return table.tableId() == TABLE_ID;
    }

    /** The store key of a table's item in the catalog. */
    public static byte[] storeKey(String tableName) {
        return KeyCodec.storeKey(KEY_SCHEMA, Map.of(NAME_ATTRIBUTE, new AttributeValue.S(tableName)));
    }

    /** The catalog item that records a table. */
    public static Map<String, AttributeValue> item(TableDescriptor table) {
        return Map.of(NAME_ATTRIBUTE, new AttributeValue.S(table.name()),
                DESCRIPTOR_ATTRIBUTE, AttributeValue.B.wrap(TableRecordCodec.encode(table)));
    }

    /** The table a catalog item records; null for null. */
    public static TableDescriptor table(Map<String, AttributeValue> item) {
        if (item == null) return null;
        if (!(item.get(DESCRIPTOR_ATTRIBUTE) instanceof AttributeValue.B encoded)) {
            throw new IllegalArgumentException("a catalog item without a descriptor: " + item.keySet());
        }
        return TableRecordCodec.decode(encoded.bytes());
    }
}
