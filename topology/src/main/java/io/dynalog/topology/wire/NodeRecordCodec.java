package io.dynalog.topology.wire;

import io.dynalog.topology.placement.NodeInfo;
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
 * {@link NodeInfo} in Avro single-object encoding ({@code io.dynalog.avro.NodeRecord}, schema in
 * {@code /avro/NodeRecord.avsc}): how a node announces itself in the nodes topic. A few records
 * per node every few seconds, so the generic Avro API is fast enough. A node that is not draining
 * is written as version 1 ({@code NodeRecord.v1.avsc}), which nodes of earlier versions read;
 * both versions are read (version 1 as ACTIVE).
 */
public final class NodeRecordCodec {
    private static final Schema SCHEMA = load("NodeRecord.avsc");
    private static final Schema SCHEMA_V1 = load("NodeRecord.v1.avsc");
    private static final BinaryMessageEncoder<GenericRecord> ENCODER = new BinaryMessageEncoder<>(GenericData.get(), SCHEMA);
    private static final BinaryMessageEncoder<GenericRecord> ENCODER_V1 = new BinaryMessageEncoder<>(GenericData.get(), SCHEMA_V1);
    private static final BinaryMessageDecoder<GenericRecord> DECODER = decoder();
    private static final String ACTIVE = "ACTIVE";
    private static final String DRAINING = "DRAINING";

    private NodeRecordCodec() {}

    private static BinaryMessageDecoder<GenericRecord> decoder() {
        BinaryMessageDecoder<GenericRecord> d = new BinaryMessageDecoder<>(GenericData.get(), SCHEMA);
        d.addSchema(SCHEMA_V1);
        return d;
    }

    public static byte[] encode(NodeInfo node) {
        GenericRecord r = new GenericData.Record(node.draining() ? SCHEMA : SCHEMA_V1);
        r.put("nodeId", node.nodeId());
        r.put("zone", node.zone());
        r.put("apiHost", node.apiHost());
        r.put("apiPort", node.apiPort());
        r.put("peerHost", node.peerHost());
        r.put("peerPort", node.peerPort());
        if (node.draining()) r.put("state", DRAINING);
        try {
            ByteBuffer b = (node.draining() ? ENCODER : ENCODER_V1).encode(r);
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static NodeInfo decode(byte[] bytes) {
        try {
            GenericRecord r = DECODER.decode(bytes);
            String state = r.get("state").toString();
            if (!state.equals(ACTIVE) && !state.equals(DRAINING)) throw new IllegalArgumentException("unknown node state " + state);
            return new NodeInfo((Integer) r.get("nodeId"), r.get("zone").toString(), r.get("apiHost").toString(),
                    (Integer) r.get("apiPort"), r.get("peerHost").toString(), (Integer) r.get("peerPort"), state.equals(DRAINING));
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException("not a NodeRecord: " + e.getMessage());
        }
    }

    private static Schema load(String file) {
        try (InputStream in = NodeRecordCodec.class.getResourceAsStream(WireSchemas.RESOURCE_DIRECTORY + file)) {
            if (in == null) throw new IllegalStateException(file + " is not on the class path");
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
