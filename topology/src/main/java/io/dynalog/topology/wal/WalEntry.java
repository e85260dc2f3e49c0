package io.dynalog.topology.wal;

import io.dynalog.topology.model.AttributeValue;
import java.util.Map;
import java.util.Objects;

/**
 * One chosen slot of a partition's log, as it is appended to the WAL topic.
 *
 * <p>Entries are resolved mutations, never commands: a PUT carries the item's complete new image,
 * a DELETE none, and both carry the image the item had before (null when it did not exist), so a
 * replica applies an entry without evaluating anything and derived streams (indexes, changes)
 * need no read. A NOOP fills a slot that a new leader found empty. A CONFIGURATION changes no item:
 * it names the replica group configuration in force after its slot.
 *
 * @param tableId the incarnation of the table the entry belongs to
 * @param partition the table partition (= the WAL topic's Kafka partition)
 * @param slot the log position, dense per partition, starting at 1
 * @param ballot the ballot under which the entry was chosen
 * @param storeKey the item's primary key in the order-preserving encoding (also the Kafka record key)
 * @param newImage the whole item after the write; null for DELETE and NOOP
 * @param oldImage the whole item before the write; null when it did not exist
 * @param timestampMs the leader's wall clock when it chose the entry (approximate creation time)
 * @param requestToken the client request token of the write (Kafka write path), null when it had none:
 *     replicas remember it with the write's images, so that a retried request takes effect once
 * @param configuration the group configuration a CONFIGURATION entry names; null for every other kind
 */
public record WalEntry(
        long tableId,
        int partition,
        long slot,
        Ballot ballot,
        Kind kind,
        byte[] storeKey,
        Map<String, AttributeValue> newImage,
        Map<String, AttributeValue> oldImage,
        long timestampMs,
        String requestToken,
        Configuration configuration) {

    /** Entry kinds. The ids are on the wire: never reuse or renumber one. */
    public enum Kind {
        PUT(0), DELETE(1), NOOP(2), CONFIGURATION(3);

        public final int wireId;

        Kind(int wireId) { this.wireId = wireId; }

        public static Kind fromWireId(int id) {
            for (Kind k : values()) if (k.wireId == id) return k;
            throw new IllegalArgumentException("unknown entry kind id " + id);
        }
    }

    public WalEntry {
        Objects.requireNonNull(ballot, "ballot");
        Objects.requireNonNull(kind, "kind");
        if (slot < 1) throw new IllegalArgumentException("slot must be >= 1, was " + slot);
        if (kind == Kind.PUT && newImage == null) throw new IllegalArgumentException("PUT needs a new image");
        if (kind != Kind.PUT && newImage != null) throw new IllegalArgumentException(kind + " has no new image");
        boolean item = kind == Kind.PUT || kind == Kind.DELETE;
        if (item) Objects.requireNonNull(storeKey, "storeKey");
        if (!item && storeKey != null) throw new IllegalArgumentException(kind + " has no store key");
        if (!item && oldImage != null) throw new IllegalArgumentException(kind + " has no old image");
        if (!item && requestToken != null) throw new IllegalArgumentException("a " + kind + " has no request token");
        if ((kind == Kind.CONFIGURATION) != (configuration != null)) {
            throw new IllegalArgumentException(kind + (configuration == null ? " without" : " with") + " a configuration");
        }
    }

    /** An entry that is not a configuration. */
    public WalEntry(long tableId, int partition, long slot, Ballot ballot, Kind kind, byte[] storeKey,
                    Map<String, AttributeValue> newImage, Map<String, AttributeValue> oldImage, long timestampMs,
                    String requestToken) {
        this(tableId, partition, slot, ballot, kind, storeKey, newImage, oldImage, timestampMs, requestToken, null);
    }

    /** An entry of a write without a request token. */
    public WalEntry(long tableId, int partition, long slot, Ballot ballot, Kind kind, byte[] storeKey,
                    Map<String, AttributeValue> newImage, Map<String, AttributeValue> oldImage, long timestampMs) {
        this(tableId, partition, slot, ballot, kind, storeKey, newImage, oldImage, timestampMs, null);
    }

    public static WalEntry noop(long tableId, int partition, long slot, Ballot ballot, long timestampMs) {
        return new WalEntry(tableId, partition, slot, ballot, Kind.NOOP, null, null, null, timestampMs);
    }

    /** The entry naming {@code configuration}, proposed as new by the leader of {@code ballot}. */
    public static WalEntry configuration(long tableId, int partition, long slot, Ballot ballot, long timestampMs,
                                         Configuration configuration) {
        return new WalEntry(tableId, partition, slot, ballot, Kind.CONFIGURATION, null, null, null, timestampMs, null,
                Objects.requireNonNull(configuration, "configuration"));
    }

    /** True for a PUT or a DELETE: an entry of an item (a NOOP or a CONFIGURATION changes none). */
    public boolean changesItem() {
        return kind == Kind.PUT || kind == Kind.DELETE;
    }
}
