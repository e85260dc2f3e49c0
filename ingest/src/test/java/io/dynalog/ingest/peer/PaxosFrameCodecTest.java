package io.dynalog.ingest.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.ingest.paxos.AcceptedEntry;
import io.dynalog.ingest.paxos.PaxosMessage;
import io.dynalog.ingest.paxos.SlotRange;
import io.dynalog.ingest.paxos.SlotValue;
import io.dynalog.topology.wal.Ballot;
import java.util.List;
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
    }

    @Test
    void garbageIsRejectedNotMisread() {
        assertThatThrownBy(() -> PaxosFrameCodec.decode(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
        byte[] frame = PaxosFrameCodec.encode(1, 0, 1, new PaxosMessage.Prepare(B, 1));
        frame[3] ^= 0x55; // the schema fingerprint
        assertThatThrownBy(() -> PaxosFrameCodec.decode(frame)).isInstanceOf(IllegalArgumentException.class);
    }
}
