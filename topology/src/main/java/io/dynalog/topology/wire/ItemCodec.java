package io.dynalog.topology.wire;

import io.dynalog.topology.model.AttributeValue;
import java.util.Map;

/**
 * Items as RocksDB values: single-object messages of {@code StoredItem.avsc}
 * ({@code record StoredItem { map<AttributeValue> attributes }}).
 *
 * <p>On every read and write path, so it encodes straight from the model into one growing array
 * and decodes straight from the array into the model: no intermediate records, no reflection.
 * Stateless and thread-safe.
 */
public final class ItemCodec {
    private static final SingleObject FORMAT = new SingleObject(WireSchemas.storedItem());
    private static final int INITIAL_CAPACITY_BYTES = 256;

    private ItemCodec() {}

    public static byte[] encode(Map<String, AttributeValue> item) {
        return FORMAT.encode(item, INITIAL_CAPACITY_BYTES, AttributeValueWire::writeItem);
    }

    /**
     * Decodes an item (a new map, in the stored attribute order, that the caller owns).
     *
     * @throws WireFormatException when the bytes are not a StoredItem message
     */
    public static Map<String, AttributeValue> decode(byte[] bytes) {
        return FORMAT.decode(bytes, in -> AttributeValueWire.readItem(in, 0));
    }

    /** The fingerprint in the header of every message this codec writes. */
    public static long fingerprint() {
        return FORMAT.fingerprint();
    }
}
