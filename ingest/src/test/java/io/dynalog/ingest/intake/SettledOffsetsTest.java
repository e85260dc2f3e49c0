package io.dynalog.ingest.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Offsets are committed only as far as every earlier request of the partition settled, whatever order they finish in. */
class SettledOffsetsTest {
    final TopicPartition p0 = new TopicPartition("requests", 0);
    final TopicPartition p1 = new TopicPartition("requests", 1);
    final SettledOffsets offsets = new SettledOffsets();

    @Test
    void aRequestSettledBeforeAnEarlierOneIsNotCommittedUntilThatOneIs() {
        SettledOffsets.Ticket a = offsets.started(p0, 10);
        SettledOffsets.Ticket b = offsets.started(p0, 11);
        SettledOffsets.Ticket c = offsets.started(p0, 12);
        SettledOffsets.Ticket other = offsets.started(p1, 5);
        b.settle();
        other.settle();
        assertThat(offsets.committable()).isEqualTo(Map.of(p1, new OffsetAndMetadata(6)));
        offsets.committed(Map.of(p1, new OffsetAndMetadata(6)));
        assertThat(offsets.allSettled(List.of(p0))).isFalse();
        a.settle();
        assertThat(offsets.committable()).isEqualTo(Map.of(p0, new OffsetAndMetadata(12)));
        offsets.committed(Map.of(p0, new OffsetAndMetadata(12)));
        assertThat(offsets.committable()).as("nothing new").isEmpty();
        c.settle();
        assertThat(offsets.allSettled(List.of(p0, p1))).isTrue();
        assertThat(offsets.committable()).isEqualTo(Map.of(p0, new OffsetAndMetadata(13)));
    }

    /** A commit that failed is made again, even on a partition that gets no more records. */
    @Test
    void anOffsetStaysCommittableUntilACommitOfItIsConfirmed() {
        offsets.started(p0, 7).settle();
        assertThat(offsets.committable()).isEqualTo(Map.of(p0, new OffsetAndMetadata(8)));
        assertThat(offsets.committable()).as("its commit failed, or is not confirmed yet").isEqualTo(Map.of(p0, new OffsetAndMetadata(8)));
        offsets.committed(Map.of(p0, new OffsetAndMetadata(8)));
        assertThat(offsets.committable()).isEmpty();
        offsets.started(p0, 8).settle();
        offsets.committed(Map.of(p0, new OffsetAndMetadata(8))); // a late confirmation of the earlier commit
        assertThat(offsets.committable()).isEqualTo(Map.of(p0, new OffsetAndMetadata(9)));
    }

    @Test
    void aForgottenPartitionIsNeitherWaitedForNorCommitted() {
        offsets.started(p0, 1);
        offsets.forget(List.of(p0));
        assertThat(offsets.allSettled(List.of(p0))).isTrue();
        assertThat(offsets.committable()).isEmpty();
    }
}
