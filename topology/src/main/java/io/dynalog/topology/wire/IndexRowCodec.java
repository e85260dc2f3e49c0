package io.dynalog.topology.wire;

import io.dynalog.topology.wal.IndexRow;
import java.io.IOException;
import org.apache.avro.io.BinaryEncoder;

/** Global index rows: single-object messages of {@code IndexRow.avsc}. Stateless and thread-safe. */
public final class IndexRowCodec {
    private static final SingleObject FORMAT = new SingleObject(WireSchemas.indexRow());
    private static final int INITIAL_CAPACITY_BYTES = 128;

    private IndexRowCodec() {}

    public static byte[] encode(IndexRow row) {
        return FORMAT.encode(row, INITIAL_CAPACITY_BYTES, IndexRowCodec::write);
    }

    /** @throws WireFormatException when the bytes are not an IndexRow message */
    public static IndexRow decode(byte[] bytes) {
        return FORMAT.decode(bytes, in -> new IndexRow(in.readLong(), in.readInt(), in.readLong(), OptionalFields.readItem(in)));
    }

    public static long fingerprint() {
        return FORMAT.fingerprint();
    }

    private static void write(IndexRow row, BinaryEncoder out) throws IOException {
        out.writeLong(row.indexId());
        out.writeInt(row.sourcePartition());
        out.writeLong(row.sourceSlot());
        OptionalFields.writeItem(row.image(), out);
    }
}
