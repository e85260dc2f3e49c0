package io.dynalog.ingest.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.ingest.paxos.AcceptedEntry;
import io.dynalog.ingest.paxos.PaxosMessage;
import io.dynalog.ingest.paxos.SlotRange;
import io.dynalog.ingest.paxos.SlotValue;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class PaxosFrameCodecTest {
    static final Ballot B = new Ballot(7, 2);

    static PaxosMessage roundTrip(PaxosMessage m) {
        PaxosFrameCodec.Frame f = PaxosFrameCodec.decode(PaxosFrameCodec.encode(42L, 3, 2, m));
        assertThat(f.tableId()).isEqualTo(42L);
        assertThat(f.partition()).isEqualTo(3);
        assertThat(f.fromNode()).isEqualTo(2);
        return f.message();
    }

    @Test
    void everyMessageKindRoundTrips() {
        assertThat(roundTrip(new PaxosMessage.Prepare(B, 11))).isEqualTo(new PaxosMessage.Prepare(B, 11));
        PaxosMessage.Promise promise = new PaxosMessage.Promise(B, 10, List.of(
                new AcceptedEntry(11, new Ballot(6, 1), new byte[] {1, 2}), new AcceptedEntry(12, B, new byte[0])));
        assertThat(roundTrip(promise)).isEqualTo(promise);
        assertThat(roundTrip(new PaxosMessage.Reject(B, new Ballot(9, 3), 3))).isEqualTo(new PaxosMessage.Reject(B, new Ballot(9, 3), 3));
        PaxosMessage.Accept accept = (PaxosMessage.Accept) roundTrip(new PaxosMessage.Accept(B, 123_456L,
                List.of(new SlotValue(13, new byte[] {9}), new SlotValue(14, new byte[] {8, 7})), 12, 10));
        assertThat(accept.sentAtMs()).isEqualTo(123_456L);
        assertThat(accept.entries()).extracting(SlotValue::slot).containsExactly(13L, 14L);
        assertThat(accept.entries().get(1).value()).containsExactly(8, 7);
        assertThat(accept.chosenUpTo()).isEqualTo(12);
        assertThat(accept.archivedSlot()).isEqualTo(10);
        PaxosMessage.Accepted accepted = new PaxosMessage.Accepted(B, 123_456L, List.of(new SlotRange(13, 14)), 14);
        assertThat(roundTrip(accepted)).isEqualTo(accepted);
        PaxosMessage.Promise page = new PaxosMessage.Promise(B, 10, List.of(new AcceptedEntry(11, B, new byte[] {3})), 12);
        assertThat(roundTrip(page)).isEqualTo(page);
        assertThat(roundTrip(new PaxosMessage.PreVote(B))).isEqualTo(new PaxosMessage.PreVote(B));
        PaxosMessage.PreVoteReply reply = new PaxosMessage.PreVoteReply(B, true, new Ballot(6, 1), -1);
        assertThat(roundTrip(reply)).isEqualTo(reply);
        assertThat(roundTrip(new PaxosMessage.Relinquish(B, 3))).isEqualTo(new PaxosMessage.Relinquish(B, 3));
    }

    /** Promises and Accepts carry the configuration in force after their archived slot; null stands for the group's first. */
    @Test
    void archivedConfigurationsRoundTrip() {
        Configuration c = new Configuration(4, List.of(1, 3, 5), List.of(7));
        PaxosMessage.Promise promise = new PaxosMessage.Promise(B, 10, List.of(), 0, new Ballot(6, 1), c);
        assertThat(roundTrip(promise)).isEqualTo(promise);
        PaxosMessage.Accept accept = (PaxosMessage.Accept) roundTrip(new PaxosMessage.Accept(B, 5L, List.of(), 12, 10,
                new Ballot(6, 1), c));
        assertThat(accept.archivedConfiguration()).isEqualTo(c);
        assertThat(((PaxosMessage.Accept) roundTrip(new PaxosMessage.Accept(B, 5L, List.of(), 12, 10))).archivedConfiguration())
                .isNull();
    }

    /** A node of the version before membership changes writes version 2 frames: they decode, with the group's first configuration. */
    @Test
    void framesOfVersionTwoStillDecode() throws Exception {
        Schema v2;
        try (java.io.InputStream in = getClass().getResourceAsStream("/avro/PaxosFrame.v2.avsc")) {
            v2 = new Schema.Parser().parse(in);
        }
        Schema body = v2.getField("body").schema().getTypes().get(3);
        GenericRecord ballot = new GenericData.Record(body.getField("ballot").schema());
        ballot.put("round", 7L);
        ballot.put("nodeId", 2);
        GenericRecord accept = new GenericData.Record(body);
        accept.put("ballot", ballot);
        accept.put("sentAtMs", 5L);
        accept.put("entries", List.of());
        accept.put("chosenUpTo", 12L);
        accept.put("archivedSlot", 10L);
        accept.put("archivedMaxOrigin", ballot);
        assertThat(PaxosFrameCodec.decode(frameOf(v2, accept)).message()).isEqualTo(new PaxosMessage.Accept(B, 5L, List.of(), 12, 10, B, null));
    }

    /** A node of the version before pre-votes writes version 1 frames: they decode, a promise as a complete report. */
    @Test
    void framesOfVersionOneStillDecode() throws Exception {
        Schema v1;
        try (java.io.InputStream in = getClass().getResourceAsStream("/avro/PaxosFrame.v1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        Schema body = v1.getField("body").schema().getTypes().get(1);
        GenericRecord ballot = new GenericData.Record(body.getField("ballot").schema());
        ballot.put("round", 7L);
        ballot.put("nodeId", 2);
        GenericRecord promise = new GenericData.Record(body);
        promise.put("ballot", ballot);
        promise.put("archivedSlot", 10L);
        promise.put("accepted", List.of());
        assertThat(PaxosFrameCodec.decode(frameOf(v1, promise)).message()).isEqualTo(new PaxosMessage.Promise(B, 10, List.of()));
    }

    /** A frame of group 42, partition 3, from node 2, written with an older version's schema. */
    private static byte[] frameOf(Schema schema, GenericRecord body) throws java.io.IOException {
        GenericRecord frame = new GenericData.Record(schema);
        frame.put("tableId", 42L);
        frame.put("partition", 3);
        frame.put("fromNode", 2);
        frame.put("body", body);
        java.nio.ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(frame);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return bytes;
    }

    @Test
    void garbageIsRejectedNotMisread() {
        assertThatThrownBy(() -> PaxosFrameCodec.decode(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
        byte[] frame = PaxosFrameCodec.encode(1, 0, 1, new PaxosMessage.Prepare(B, 1));
        frame[3] ^= 0x55; // the schema fingerprint
        assertThatThrownBy(() -> PaxosFrameCodec.decode(frame)).isInstanceOf(IllegalArgumentException.class);
    }
}
