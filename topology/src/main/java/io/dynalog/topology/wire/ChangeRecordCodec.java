package io.dynalog.topology.wire;

import io.dynalog.topology.model.TableStream;
import io.dynalog.topology.wal.ChangeRecord;
import java.io.IOException;
import org.apache.avro.io.BinaryEncoder;

/** Change stream records: single-object messages of {@code ChangeRecord.avsc}. Stateless and thread-safe. */
public final class ChangeRecordCodec {
    private static final SingleObject FORMAT = new SingleObject(WireSchemas.changeRecord());
    private static final int INITIAL_CAPACITY_BYTES = 256;

    private ChangeRecordCodec() {}

    public static byte[] encode(ChangeRecord change) {
        return FORMAT.encode(change, INITIAL_CAPACITY_BYTES, ChangeRecordCodec::write);
    }

    /** @throws WireFormatException when the bytes are not a ChangeRecord message */
    public static ChangeRecord decode(byte[] bytes) {
        return FORMAT.decode(bytes, in -> new ChangeRecord(in.readString(), in.readLong(), in.readLong(),
                TableRecordCodec.named(ChangeRecord.EventName.class, in.readString(), "event name"), in.readInt(), in.readLong(), in.readString(), in.readLong(),
                TableRecordCodec.named(TableStream.ViewType.class, in.readString(), "stream view type"), AttributeValueWire.readItem(in, 0),
                OptionalFields.readItem(in), OptionalFields.readItem(in), in.readLong()));
    }

    public static long fingerprint() {
        return FORMAT.fingerprint();
    }

    private static void write(ChangeRecord c, BinaryEncoder out) throws IOException {
        out.writeString(c.tableName());
        out.writeLong(c.tableId());
        out.writeLong(c.streamId());
        out.writeString(c.eventName().name());
        out.writeInt(c.partition());
        out.writeLong(c.slot());
        out.writeString(c.sequenceNumber());
        out.writeLong(c.approximateCreationTimeMs());
        out.writeString(c.viewType().name());
        AttributeValueWire.writeItem(c.keys(), out);
        OptionalFields.writeItem(c.newImage(), out);
        OptionalFields.writeItem(c.oldImage(), out);
        out.writeLong(c.sizeBytes());
    }
}
