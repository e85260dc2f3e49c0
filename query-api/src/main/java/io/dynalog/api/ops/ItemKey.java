package io.dynalog.api.ops;

import io.dynalog.topology.keys.KeyCodec;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.ItemValidator;
import io.dynalog.topology.model.TableDescriptor;
import java.util.Map;

/**
 * An item's key resolved against its table: the store key and the partition that owns it.
 * Construction validates the key against the schema, so an ItemKey is always well formed.
 */
record ItemKey(TableDescriptor table, Map<String, AttributeValue> key, byte[] storeKey, int partition) {

    /** From a request's Key parameter: exactly the key attributes, of the declared types. */
    static ItemKey ofKey(TableDescriptor table, Map<String, AttributeValue> key) {
        ItemValidator.validateKey(table.keySchema(), key);
        return of(table, key);
    }

    /** From an item already validated against the table's schema. */
    static ItemKey ofItem(TableDescriptor table, Map<String, AttributeValue> item) {
        return of(table, table.keySchema().keyOf(item));
    }

    private static ItemKey of(TableDescriptor table, Map<String, AttributeValue> key) {
        byte[] storeKey = KeyCodec.storeKey(table.keySchema(), key);
        int partition = KeyCodec.partitionOf(KeyCodec.hashOf(storeKey), table.partitionCount());
        return new ItemKey(table, key, storeKey, partition);
    }

    /** Identity of the item within a request (for duplicate detection). */
    String identity() {
        return table.name() + "/" + java.util.HexFormat.of().formatHex(storeKey);
    }
}
