package io.dynalog.topology.wire;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import java.io.IOException;
import java.util.Map;
import org.apache.avro.io.BinaryEncoder;

/**
 * WAL records: single-object messages of {@code WalEntry.avsc}. The ballot is two fields (round,
 * node), the kind its {@link WalEntry.Kind#wireId}, and a NOOP's absent store key is empty bytes.
 * An entry without a request token is written as version 1 ({@code WalEntry.v1.avsc}, the same
 * fields but the last), which nodes from before request tokens read during a rolling upgrade;
 * both versions are read. Stateless and thread-safe.
 */
public final class WalEntryCodec {
    private static final SingleObject FORMAT = new SingleObject(WireSchemas.walEntry());
    private static final SingleObject FORMAT_V1 = new SingleObject(WireSchemas.walEntryV1());
    private static final int INITIAL_CAPACITY_BYTES = 512;
    private static final byte[] NO_KEY = new byte[0];

    private WalEntryCodec() {}

    public static byte[] encode(WalEntry entry) {
        if (entry.requestToken() == null) return FORMAT_V1.encode(entry, INITIAL_CAPACITY_BYTES, WalEntryCodec::writeV1);
        return FORMAT.encode(entry, INITIAL_CAPACITY_BYTES, WalEntryCodec::write);
    }

    /** @throws WireFormatException when the bytes are not a WalEntry message or not a valid entry */
    public static WalEntry decode(byte[] bytes) {
        if (FORMAT_V1.matches(bytes)) return FORMAT_V1.decode(bytes, in -> read(in, false));
        return FORMAT.decode(bytes, in -> read(in, true));
    }

    /**
     * The ballot an encoded entry was proposed under, or null for a NOOP, read from its first
     * fields without decoding its images (a leader asks this of every entry it archives).
     *
     * @throws WireFormatException when the bytes are not a WalEntry message
     */
    public static Ballot ballotUnlessNoop(byte[] bytes) {
        SingleObject format = FORMAT_V1.matches(bytes) ? FORMAT_V1 : FORMAT;
        return format.decodePrefix(bytes, in -> {
            in.readLong(); // table id
            in.readInt(); // partition
            in.readLong(); // slot
            Ballot ballot = new Ballot(in.readLong(), in.readInt());
            return WalEntry.Kind.fromWireId(in.readInt()) == WalEntry.Kind.NOOP ? null : ballot;
        });
    }

    /** The fingerprint in the header of the version 1 messages this codec writes (entries without a request token). */
    public static long fingerprintV1() {
        return FORMAT_V1.fingerprint();
    }

    /** The fingerprint in the header of the version 2 messages this codec writes (entries with a request token). */
    public static long fingerprint() {
        return FORMAT.fingerprint();
    }

    private static void write(WalEntry e, BinaryEncoder out) throws IOException {
        writeV1(e, out);
        OptionalFields.writeString(e.requestToken(), out);
    }

    private static void writeV1(WalEntry e, BinaryEncoder out) throws IOException {
        out.writeLong(e.tableId());
        out.writeInt(e.partition());
        out.writeLong(e.slot());
        out.writeLong(e.ballot().round());
        out.writeInt(e.ballot().nodeId());
        out.writeInt(e.kind().wireId);
        out.writeBytes(e.storeKey() == null ? NO_KEY : e.storeKey());
        OptionalFields.writeItem(e.newImage(), out);
        OptionalFields.writeItem(e.oldImage(), out);
        out.writeLong(e.timestampMs());
    }

    private static WalEntry read(WireReader in, boolean withToken) throws IOException {
        long tableId = in.readLong();
        int partition = in.readInt();
        long slot = in.readLong();
        Ballot ballot = new Ballot(in.readLong(), in.readInt());
        WalEntry.Kind kind = WalEntry.Kind.fromWireId(in.readInt());
        byte[] storeKey = in.readBytes();
        if (kind == WalEntry.Kind.NOOP) {
            if (storeKey.length != 0) throw new WireFormatException("a NOOP entry with a " + storeKey.length + "-byte store key");
            storeKey = null;
        }
        Map<String, AttributeValue> newImage = OptionalFields.readItem(in);
        Map<String, AttributeValue> oldImage = OptionalFields.readItem(in);
        long timestampMs = in.readLong();
        String token = withToken ? OptionalFields.readString(in) : null;
        return new WalEntry(tableId, partition, slot, ballot, kind, storeKey, newImage, oldImage, timestampMs, token);
    }
}
