package io.dynalog.ingest;

import static io.dynalog.ingest.IngestFixtures.failure;
import static io.dynalog.ingest.IngestFixtures.item;
import static io.dynalog.ingest.IngestFixtures.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wal.WalRecords;
import io.dynalog.topology.wire.WalEntryCodec;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** {@link KafkaWalAppender}: the record layout of {@link WalRecords}, and acknowledgement. */
class KafkaWalAppenderTest {
    private static final String TOPIC = "dynalog.wal.orders.2a";
    private static final Ballot BALLOT = new Ballot(3, 1);

    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final KafkaWalAppender appender = new KafkaWalAppender(producer);

    private static WalEntry put(long slot) {
        return new WalEntry(42, 2, slot, BALLOT, WalEntry.Kind.PUT, key("a"), item("a", 2), item("a", 1), 1_000);
    }

    private static WalEntry delete(long slot) {
        return new WalEntry(42, 2, slot, BALLOT, WalEntry.Kind.DELETE, key("a"), null, item("a", 1), 1_000);
    }

    @Test
    void aPutIsKeyedByTheStoreKeyWithTheEncodedEntryAsValue() {
        WalEntry entry = put(7);
        CompletableFuture<Long> acked = appender.append(TOPIC, entry);

        ProducerRecord<byte[], byte[]> record = producer.history().get(0);
        assertThat(record.topic()).isEqualTo(TOPIC);
        assertThat(record.partition()).isEqualTo(2);
        assertThat(record.key()).isEqualTo(key("a"));
        assertThat(record.value()).isEqualTo(WalEntryCodec.encode(entry));
        assertThat(record.headers().toArray()).isEmpty();
        WalEntry decoded = WalEntryCodec.decode(record.value());
        assertThat(decoded.slot()).isEqualTo(7);
        assertThat(decoded.ballot()).isEqualTo(BALLOT);
        assertThat(decoded.newImage()).isEqualTo(item("a", 2));
        assertThat(acked).as("acks=all: only when Kafka acknowledged").isNotDone();

        producer.completeNext();
        assertThat(acked).isCompletedWithValue(0L);
    }

    @Test
    void aDeleteIsATombstoneCarryingTheEntryInAHeader() {
        WalEntry entry = delete(8);
        appender.append(TOPIC, entry);

        ProducerRecord<byte[], byte[]> record = producer.history().get(0);
        assertThat(record.partition()).isEqualTo(2);
        assertThat(record.key()).isEqualTo(key("a"));
        assertThat(record.value()).isNull();
        Header header = record.headers().lastHeader(WalRecords.ENTRY_HEADER);
        assertThat(header).isNotNull();
        assertThat(header.value()).isEqualTo(WalEntryCodec.encode(entry));
        WalEntry decoded = WalEntryCodec.decode(header.value());
        assertThat(decoded.kind()).isEqualTo(WalEntry.Kind.DELETE);
        assertThat(decoded.oldImage()).isEqualTo(item("a", 1));
        assertThat(decoded.newImage()).isNull();
    }

    @Test
    void aNoopUsesTheNoopKey() {
        WalEntry entry = WalEntry.noop(42, 2, 9, BALLOT, 1_000);
        appender.append(TOPIC, entry);

        ProducerRecord<byte[], byte[]> record = producer.history().get(0);
        assertThat(record.key()).isEqualTo(WalRecords.NOOP_KEY);
        assertThat(record.value()).isEqualTo(WalEntryCodec.encode(entry));
        assertThat(WalEntryCodec.decode(record.value()).kind()).isEqualTo(WalEntry.Kind.NOOP);
    }

    @Test
    void appendsAreSentInTheOrderMadeAndAcknowledgedInThatOrder() {
        CompletableFuture<Long> first = appender.append(TOPIC, put(1));
        CompletableFuture<Long> second = appender.append(TOPIC, delete(2));
        assertThat(producer.history()).extracting(r -> WalEntryCodec.decode(
                r.value() != null ? r.value() : r.headers().lastHeader(WalRecords.ENTRY_HEADER).value()).slot())
                .containsExactly(1L, 2L);
        producer.completeNext();
        assertThat(first).isCompleted();
        assertThat(second).isNotDone();
    }

    @Test
    void aFailedSendFailsTheAppend() {
        NotEnoughReplicasException notEnough = new NotEnoughReplicasException("1 in sync, 2 needed");
        CompletableFuture<Long> acked = appender.append(TOPIC, put(1));

        producer.errorNext(notEnough);

        assertThat(failure(acked)).isSameAs(notEnough);
    }

    @Test
    void aSendThatThrowsFailsTheAppendInsteadOfThrowing() {
        producer.sendException = new IllegalStateException("Cannot perform operation after producer has been closed");
        CompletableFuture<Long> acked = appender.append(TOPIC, put(1));
        assertThat(failure(acked)).hasMessageContaining("closed");
    }

    @Test
    void closingTheAppenderClosesTheProducer() {
        appender.close();
        assertThat(producer.closed()).isTrue();
    }
}
