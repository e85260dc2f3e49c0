package io.dynalog.topology.wire;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import io.dynalog.topology.wal.WalEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryEncoder;

/**
 * WAL records: single-object messages of {@code WalEntry.avsc}. The ballot is two fields (round,
 * node), the kind its {@link WalEntry.Kind#wireId}, and the absent store key of a NOOP or a
 * CONFIGURATION is empty bytes. Each entry is written in the oldest version that holds it, which
 * nodes from before the later ones read during a rolling upgrade: without a request token or a
 * configuration as version 1 ({@code WalEntry.v1.avsc}), with a token as version 2
 * ({@code WalEntry.v2.avsc}), a CONFIGURATION as version 3; all three are read. Stateless and
 * thread-safe.
 */
public final class WalEntryCodec {
    private static final SingleObject FORMAT = new SingleObject(WireSchemas.walEntry());
    private static final SingleObject FORMAT_V1 = new SingleObject(WireSchemas.walEntryV1());
    private static final SingleObject FORMAT_V2 = new SingleObject(WireSchemas.walEntryV2());
    private static final int INITIAL_CAPACITY_BYTES = 512;
    private static final byte[] NO_KEY = new byte[0];

    private WalEntryCodec() {}

    public static byte[] encode(WalEntry entry) {
        if (entry.configuration() != null) return FORMAT.encode(entry, INITIAL_CAPACITY_BYTES, WalEntryCodec::write);
        if (entry.requestToken() == null) return FORMAT_V1.encode(entry, INITIAL_CAPACITY_BYTES, WalEntryCodec::writeV1);
        return FORMAT_V2.encode(entry, INITIAL_CAPACITY_BYTES, WalEntryCodec::writeV2);
    }

    /** @throws WireFormatException when the bytes are not a WalEntry message or not a valid entry */
    public static WalEntry decode(byte[] bytes) {
        if (FORMAT_V1.matches(bytes)) return FORMAT_V1.decode(bytes, in -> read(in, 1));
        if (FORMAT_V2.matches(bytes)) return FORMAT_V2.decode(bytes, in -> read(in, 2));
        return FORMAT.decode(bytes, in -> read(in, 3));
    }

    /**
     * The configuration an encoded CONFIGURATION entry names, or null for any other kind, read
     * from its first fields unless it is one (every member asks this of every entry it learns).
     *
     * @throws WireFormatException when the bytes are not a WalEntry message
     */
    public static Configuration configurationOf(byte[] bytes) {
        if (!FORMAT.matches(bytes)) return null;
        WalEntry entry = FORMAT.decode(bytes, in -> read(in, 3));
        return entry.configuration();
    }

    /**
     * The ballot an encoded entry was proposed under, or null for a NOOP, read from its first
     * fields without decoding its images (a leader asks this of every entry it archives).
     *
     * @throws WireFormatException when the bytes are not a WalEntry message
     */
    public static Ballot ballotUnlessNoop(byte[] bytes) {
        SingleObject format = FORMAT_V1.matches(bytes) ? FORMAT_V1 : FORMAT_V2.matches(bytes) ? FORMAT_V2 : FORMAT;
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
    public static long fingerprintV2() {
        return FORMAT_V2.fingerprint();
    }

    /** The fingerprint in the header of the version 3 messages this codec writes (configurations). */
    public static long fingerprint() {
        return FORMAT.fingerprint();
    }

    private static void write(WalEntry e, BinaryEncoder out) throws IOException {
        writeV2(e, out);
        Configuration c = e.configuration();
        if (c == null) {
            out.writeIndex(0);
            return;
        }
        out.writeIndex(1);
        writeConfiguration(c, out);
    }

    /** A {@code GroupConfiguration} record (shared with {@link TableRecordCodec}). */
    static void writeConfiguration(Configuration c, BinaryEncoder out) throws IOException {
        out.writeLong(c.version());
        writeIds(c.voters(), out);
        writeIds(c.learners(), out);
    }

    private static void writeIds(List<Integer> ids, BinaryEncoder out) throws IOException {
        out.writeArrayStart();
        out.setItemCount(ids.size());
        for (int id : ids) {
            out.startItem();
            out.writeInt(id);
        }
        out.writeArrayEnd();
    }

    private static void writeV2(WalEntry e, BinaryEncoder out) throws IOException {
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

    private static WalEntry read(WireReader in, int version) throws IOException {
        long tableId = in.readLong();
        int partition = in.readInt();
        long slot = in.readLong();
        Ballot ballot = new Ballot(in.readLong(), in.readInt());
        WalEntry.Kind kind = WalEntry.Kind.fromWireId(in.readInt());
        byte[] storeKey = in.readBytes();
        if (kind == WalEntry.Kind.NOOP || kind == WalEntry.Kind.CONFIGURATION) {
            if (storeKey.length != 0) throw new WireFormatException("a " + kind + " entry with a " + storeKey.length + "-byte store key");
            storeKey = null;
        }
        Map<String, AttributeValue> newImage = OptionalFields.readItem(in);
        Map<String, AttributeValue> oldImage = OptionalFields.readItem(in);
        long timestampMs = in.readLong();
        String token = version >= 2 ? OptionalFields.readString(in) : null;
        Configuration configuration = version >= 3 && OptionalFields.present(in, "configuration") ? readConfiguration(in) : null;
        try {
            return new WalEntry(tableId, partition, slot, ballot, kind, storeKey, newImage, oldImage, timestampMs, token,
                    configuration);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new WireFormatException("not a valid WAL entry: " + e.getMessage());
        }
    }

    /** A {@code GroupConfiguration} record (shared with {@link TableRecordCodec}). */
    static Configuration readConfiguration(WireReader in) throws IOException {
        long version = in.readLong();
        List<Integer> voters = readIds(in);
        List<Integer> learners = readIds(in);
        try {
            return new Configuration(version, voters, learners);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException("not a valid configuration: " + e.getMessage());
        }
    }

    private static List<Integer> readIds(WireReader in) throws IOException {
        List<Integer> ids = new ArrayList<>();
        for (long count = in.readArrayStart(); count > 0; count = in.arrayNext()) {
            for (long i = 0; i < count; i++) ids.add(in.readInt());
        }
        return ids;
    }
}
