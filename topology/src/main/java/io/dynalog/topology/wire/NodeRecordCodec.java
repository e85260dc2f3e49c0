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
 * per node start, so the generic Avro API is fast enough.
 */
public final class NodeRecordCodec {
    private static final Schema SCHEMA = load();
    private static final BinaryMessageEncoder<GenericRecord> ENCODER = new BinaryMessageEncoder<>(GenericData.get(), SCHEMA);
    private static final BinaryMessageDecoder<GenericRecord> DECODER = new BinaryMessageDecoder<>(GenericData.get(), SCHEMA);

    private NodeRecordCodec() {}

    public static byte[] encode(NodeInfo node) {
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("nodeId", node.nodeId());
        r.put("zone", node.zone());
        r.put("apiHost", node.apiHost());
        r.put("apiPort", node.apiPort());
        r.put("peerHost", node.peerHost());
        r.put("peerPort", node.peerPort());
        try {
            ByteBuffer b = ENCODER.encode(r);
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
            return new NodeInfo((Integer) r.get("nodeId"), r.get("zone").toString(), r.get("apiHost").toString(),
                    (Integer) r.get("apiPort"), r.get("peerHost").toString(), (Integer) r.get("peerPort"));
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException("not a NodeRecord: " + e.getMessage());
        }
    }

    private static Schema load() {
        try (InputStream in = NodeRecordCodec.class.getResourceAsStream(WireSchemas.RESOURCE_DIRECTORY + "NodeRecord.avsc")) {
            if (in == null) throw new IllegalStateException("NodeRecord.avsc is not on the class path");
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
