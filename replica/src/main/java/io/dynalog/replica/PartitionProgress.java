package io.dynalog.replica;

import io.dynalog.topology.wal.Ballot;
import java.nio.ByteBuffer;

/**
 * How far a replica has applied one partition's WAL: the slot it has applied every slot through
 * (a table partition applies its slots in order), the ballot that slot was chosen under, the Kafka
 * offset {@code lastOffset} (every record up to it is applied, or was a duplicate: a table partition
 * holding entries ahead of a missing slot stops before the first held record), and when this
 * progress was recorded (by the replica's clock). A global index partition records only the offset.
 *
 * <p>Stored in the same RocksDB WriteBatch as the items it describes, so after a crash the store
 * and its progress agree and consumption resumes at {@code nextOffset()} exactly (reading any held
 * entries again).
 */
public record PartitionProgress(long appliedSlot, Ballot appliedBallot, long lastOffset, long recordedAtMs) {

    /** Nothing applied yet: consumption starts at offset 0. */
    public static final PartitionProgress EMPTY = new PartitionProgress(0, Ballot.ZERO, -1, 0);

    private static final int ENCODED_BYTES = 8 + 8 + 4 + 8 + 8;

    public long nextOffset() {
        return lastOffset + 1;
    }

    byte[] encode() {
        return ByteBuffer.allocate(ENCODED_BYTES)
                .putLong(appliedSlot)
                .putLong(appliedBallot.round())
                .putInt(appliedBallot.nodeId())
                .putLong(lastOffset)
                .putLong(recordedAtMs)
                .array();
    }

    static PartitionProgress decode(byte[] bytes) {
        if (bytes.length != ENCODED_BYTES) {
            throw new IllegalStateException("progress record of " + bytes.length + " bytes, expected " + ENCODED_BYTES);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long slot = b.getLong();
        Ballot ballot = new Ballot(b.getLong(), b.getInt());
        long lastOffset = b.getLong();
        return new PartitionProgress(slot, ballot, lastOffset, b.getLong());
    }
}
