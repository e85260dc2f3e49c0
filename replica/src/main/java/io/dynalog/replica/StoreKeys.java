package io.dynalog.replica;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Keys of the replica's RocksDB column families.
 *
 * <p>Items: {@code tableId (8 bytes, big-endian) | storeKey}, so every incarnation of every table
 * is one contiguous range and a table partition (a hash range) is a contiguous sub-range.
 * Progress: {@code tableId | partition (4 bytes, big-endian)}.
 */
final class StoreKeys {
    static final int TABLE_PREFIX_BYTES = 8;

    private StoreKeys() {}

    static byte[] item(long tableId, byte[] storeKey) {
        byte[] k = new byte[TABLE_PREFIX_BYTES + storeKey.length];
        putLong(k, tableId);
        System.arraycopy(storeKey, 0, k, TABLE_PREFIX_BYTES, storeKey.length);
        return k;
    }

    static byte[] progress(long tableId, int partition) {
        return ByteBuffer.allocate(12).putLong(tableId).putInt(partition).array();
    }

    /** The first key of a table's range. */
    static byte[] tableStart(long tableId) {
        byte[] k = new byte[TABLE_PREFIX_BYTES];
        putLong(k, tableId);
        return k;
    }

    /**
     * The first key after a table's range: the next table id. Table ids are positive longs, so
     * {@code tableId + 1} does not overflow into another table's range.
     */
    static byte[] tableEnd(long tableId) {
        return tableStart(tableId + 1);
    }

    static byte[] storeKeyOf(byte[] itemKey) {
        return Arrays.copyOfRange(itemKey, TABLE_PREFIX_BYTES, itemKey.length);
    }

    private static void putLong(byte[] k, long v) {
        for (int i = 7; i >= 0; i--) {
            k[i] = (byte) v;
            v >>>= 8;
        }
    }
}
