package io.dynalog.topology.wal;

/**
 * How WAL entries sit in Kafka records.
 *
 * <p>Key: the item's store key (order-preserving encoding), so compaction keeps the latest entry
 * of every item; a NOOP, which has no item, uses {@link #NOOP_KEY}, and a CONFIGURATION
 * {@link #CONFIGURATION_KEY} (so that compaction keeps the latest configuration of the partition),
 * which no store key equals (store keys start with 4 hash bytes). Value: the entry in Avro single-object encoding, except
 * for a DELETE, which is a tombstone (null value) so that compaction can eventually drop the item
 * altogether; the tombstone carries the encoded entry (its slot, ballot and old image) in the
 * {@link #ENTRY_HEADER} header.
 */
public final class WalRecords {
    public static final String ENTRY_HEADER = "dynalog.entry";
    public static final byte[] NOOP_KEY = new byte[0];
    public static final byte[] CONFIGURATION_KEY = {0};

    private WalRecords() {}

    public static String walTopic(String prefix, String tableName, long tableId) {
        // Kafka topic names are limited to 249 characters; table names to 255. The incarnation
        // suffix keeps a re-created table clear of a deleted topic that Kafka is still removing.
        String name = tableName.length() > 200 ? tableName.substring(0, 200) : tableName;
        return prefix + ".wal." + name + "." + Long.toHexString(tableId);
    }

    /** The catalog's WAL: one partition, the catalog replica group's chosen entries. */
    public static String catalogTopic(String prefix) {
        return prefix + ".catalog";
    }

    /**
     * Where the catalog's own placement is proposed (compacted, every proposal under a key of its
     * own): the first record is the placement, every later one is ignored.
     */
    public static String catalogPlacementTopic(String prefix) {
        return prefix + ".catalog-placement";
    }

    /** The compacted topic where every node announces itself (key: node id). */
    public static String nodesTopic(String prefix) {
        return prefix + ".nodes";
    }

    /**
     * The compacted topic where every node records the identity of its acceptor store (key: node
     * id), before it takes part in any replica group: a node that finds another identity there
     * for itself has lost its votes.
     */
    public static String acceptorStoresTopic(String prefix) {
        return prefix + ".acceptor-stores";
    }
}
