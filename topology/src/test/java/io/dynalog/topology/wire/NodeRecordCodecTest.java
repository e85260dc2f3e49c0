package io.dynalog.topology.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.topology.placement.NodeInfo;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

class NodeRecordCodecTest {
    @Test
    void roundTripsAndRejectsGarbage() {
        NodeInfo n = new NodeInfo(3, "az3", "10.0.0.3", 8002, "10.0.0.3", 7002);
        assertThat(NodeRecordCodec.decode(NodeRecordCodec.encode(n))).isEqualTo(n);
        assertThat(NodeRecordCodec.decode(NodeRecordCodec.encode(n.withDraining(true)))).isEqualTo(n.withDraining(true));
        assertThatThrownBy(() -> NodeRecordCodec.decode(new byte[] {1, 2})).isInstanceOf(WireFormatException.class);
    }

    /**
     * A node that is not draining is written as version 1, which nodes from before drains read
     * during a rolling upgrade; a draining one as version 2. The header names the schema.
     */
    @Test
    void aNodeThatIsNotDrainingIsWrittenAsVersionOne() throws Exception {
        NodeInfo n = new NodeInfo(3, "az3", "10.0.0.3", 8002, "10.0.0.3", 7002);
        assertThat(fingerprint(NodeRecordCodec.encode(n))).isEqualTo(fingerprintOf("NodeRecord.v1.avsc"));
        assertThat(fingerprint(NodeRecordCodec.encode(n.withDraining(true)))).isEqualTo(fingerprintOf("NodeRecord.avsc"));
    }

    private static long fingerprint(byte[] message) {
        return java.nio.ByteBuffer.wrap(message, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static long fingerprintOf(String file) throws Exception {
        try (var in = NodeRecordCodecTest.class.getResourceAsStream(WireSchemas.RESOURCE_DIRECTORY + file)) {
            return SchemaNormalization.parsingFingerprint64(new Schema.Parser().parse(in));
        }
    }
}
