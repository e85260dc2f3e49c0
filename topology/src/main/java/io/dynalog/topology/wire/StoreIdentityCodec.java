package io.dynalog.topology.wire;

import io.dynalog.topology.placement.StoreIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * {@link StoreIdentity} in Avro single-object encoding ({@code io.dynalog.avro.StoreIdentity},
 * schema in {@code /avro/StoreIdentity.avsc}): how a node records its acceptor store in the
 * acceptor-stores topic. One record per node start: the generic Avro API is fast enough.
 */
public final class StoreIdentityCodec {
    private static final Schema SCHEMA = load();
    private static final BinaryMessageEncoder<GenericRecord> ENCODER = new BinaryMessageEncoder<>(GenericData.get(), SCHEMA);
    private static final BinaryMessageDecoder<GenericRecord> DECODER = new BinaryMessageDecoder<>(GenericData.get(), SCHEMA);

    private StoreIdentityCodec() {}

    public static byte[] encode(StoreIdentity identity) {
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("nodeId", identity.nodeId());
        r.put("storeId", identity.storeId());
        r.put("createdAtMs", identity.createdAtMs());
        try {
            ByteBuffer b = ENCODER.encode(r);
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static StoreIdentity decode(byte[] bytes) {
        try {
            GenericRecord r = DECODER.decode(bytes);
            return new StoreIdentity((Integer) r.get("nodeId"), r.get("storeId").toString(), (Long) r.get("createdAtMs"));
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException("not a StoreIdentity: " + e.getMessage());
        }
    }

    private static Schema load() {
        try (InputStream in = StoreIdentityCodec.class.getResourceAsStream(WireSchemas.RESOURCE_DIRECTORY + "StoreIdentity.avsc")) {
            if (in == null) throw new IllegalStateException("StoreIdentity.avsc is not on the class path");
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
