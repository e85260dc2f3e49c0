package io.dynalog.topology.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.topology.placement.NodeInfo;
import org.junit.jupiter.api.Test;

class NodeRecordCodecTest {
    @Test
    void roundTripsAndRejectsGarbage() {
        NodeInfo n = new NodeInfo(3, "az3", "10.0.0.3", 8002, "10.0.0.3", 7002);
        assertThat(NodeRecordCodec.decode(NodeRecordCodec.encode(n))).isEqualTo(n);
        assertThatThrownBy(() -> NodeRecordCodec.decode(new byte[] {1, 2})).isInstanceOf(WireFormatException.class);
    }
}
