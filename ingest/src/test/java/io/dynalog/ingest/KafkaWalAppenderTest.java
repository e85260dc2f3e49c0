package io.dynalog.ingest;

import static io.dynalog.ingest.IngestFixtures.item;
import static io.dynalog.ingest.IngestFixtures.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wal.WalRecords;
import io.dynalog.topology.wire.WalEntryCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link KafkaWalAppender} over transactional MockProducers: the record layout of
 * {@link WalRecords}, appends committed in transactions in the order made, and a failed
 * transaction that lets nothing later of its partitions land until a new sequence starts.
 */
class KafkaWalAppenderTest {
    private static final String TOPIC = "dynalog.wal.orders.2a";
    private static final Ballot BALLOT = new Ballot(3, 1);

    private final List<MockProducer<byte[], byte[]>> producers = new CopyOnWriteArrayList<>();
    /** Runs when the appender creates its n-th producer (index n - 1). */
    private final List<Consumer<MockProducer<byte[], byte[]>>> onNewProducer = new ArrayList<>();
    private final List<String> transactionalIds = new CopyOnWriteArrayList<>();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final KafkaWalAppender appender = new KafkaWalAppender(id -> {
        MockProducer<byte[], byte[]> p = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        int index = producers.size();
        producers.add(p);
        transactionalIds.add(id);
        if (index < onNewProducer.size()) onNewProducer.get(index).accept(p);
        return p;
    }, executor);

    @AfterEach
    void close() {
        appender.close();
        executor.shutdownNow();
    }

    private static WalEntry put(int partition, long slot) {
        return new WalEntry(42, partition, slot, BALLOT, WalEntry.Kind.PUT, key("a"), item("a", 2), item("a", 1), 1_000);
    }

    private static WalEntry delete(long slot) {
        return new WalEntry(42, 2, slot, BALLOT, WalEntry.Kind.DELETE, key("a"), null, item("a", 1), 1_000);
    }

    private static void acked(CompletableFuture<Void> f) throws Exception {
        f.get(5, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<Void> f) {
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the append succeeded");
    }

    private List<ProducerRecord<byte[], byte[]>> committed() {
        List<ProducerRecord<byte[], byte[]>> all = new ArrayList<>();
        for (MockProducer<byte[], byte[]> p : producers) all.addAll(p.history());
        return all;
    }

    private static long slot(ProducerRecord<byte[], byte[]> r) {
        return WalEntryCodec.decode(r.value() != null ? r.value() : r.headers().lastHeader(WalRecords.ENTRY_HEADER).value()).slot();
    }

    @Test
    void aPutIsKeyedByTheStoreKeyWithTheEncodedEntryAsValueAndCommitted() throws Exception {
        WalEntry entry = put(2, 7);
        acked(appender.append(TOPIC, entry, true));

        assertThat(producers.get(0).transactionCommitted()).isTrue();
        ProducerRecord<byte[], byte[]> record = committed().get(0);
        assertThat(record.topic()).isEqualTo(TOPIC);
        assertThat(record.partition()).isEqualTo(2);
        assertThat(record.key()).isEqualTo(key("a"));
        assertThat(record.value()).isEqualTo(WalEntryCodec.encode(entry));
        assertThat(record.headers().toArray()).isEmpty();
        WalEntry decoded = WalEntryCodec.decode(record.value());
        assertThat(decoded.slot()).isEqualTo(7);
        assertThat(decoded.ballot()).isEqualTo(BALLOT);
        assertThat(decoded.newImage()).isEqualTo(item("a", 2));
    }

    @Test
    void aDeleteIsATombstoneCarryingTheEntryInAHeader() throws Exception {
        WalEntry entry = delete(8);
        acked(appender.append(TOPIC, entry, true));

        ProducerRecord<byte[], byte[]> record = committed().get(0);
        assertThat(record.partition()).isEqualTo(2);
        assertThat(record.key()).isEqualTo(key("a"));
        assertThat(record.value()).isNull();
        Header header = record.headers().lastHeader(WalRecords.ENTRY_HEADER);
        assertThat(header).isNotNull();
        WalEntry decoded = WalEntryCodec.decode(header.value());
        assertThat(decoded.kind()).isEqualTo(WalEntry.Kind.DELETE);
        assertThat(decoded.oldImage()).isEqualTo(item("a", 1));
        assertThat(decoded.newImage()).isNull();
    }

    @Test
    void aNoopUsesTheNoopKey() throws Exception {
        WalEntry entry = WalEntry.noop(42, 2, 9, BALLOT, 1_000);
        acked(appender.append(TOPIC, entry, true));
        ProducerRecord<byte[], byte[]> record = committed().get(0);
        assertThat(record.key()).isEqualTo(WalRecords.NOOP_KEY);
        assertThat(WalEntryCodec.decode(record.value()).kind()).isEqualTo(WalEntry.Kind.NOOP);
    }

    @Test
    void appendsLandInTheOrderMade() throws Exception {
        List<CompletableFuture<Void>> appends = new ArrayList<>();
        for (int slot = 1; slot <= 50; slot++) appends.add(appender.append(TOPIC, put(2, slot), slot == 1));
        for (CompletableFuture<Void> a : appends) acked(a);
        assertThat(committed()).extracting(KafkaWalAppenderTest::slot)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 50).boxed().toList());
        assertThat(producers).as("one producer while nothing fails").hasSize(1);
    }

    @Test
    void afterAFailedTransactionNothingOfItsPartitionLandsUntilANewSequenceStarts() throws Exception {
        onNewProducer.add(p -> p.commitTransactionException = new NotEnoughReplicasException("1 in sync, 2 needed"));
        CompletableFuture<Void> first = appender.append(TOPIC, put(2, 1), true);
        assertThat(failure(first)).isInstanceOf(NotEnoughReplicasException.class);
        assertThat(producers.get(0).closed()).as("the failed producer is replaced").isTrue();

        // Chosen meanwhile and appended before the leader learned of the failure: it must not land.
        assertThat(failure(appender.append(TOPIC, put(2, 2), false))).isInstanceOf(KafkaException.class)
                .hasMessageContaining("earlier append");
        // The leader starts again from its first unacknowledged slot.
        acked(appender.append(TOPIC, put(2, 1), true));
        acked(appender.append(TOPIC, put(2, 2), false));

        assertThat(committed()).extracting(KafkaWalAppenderTest::slot).containsExactly(1L, 2L);
    }

    @Test
    void eachPartitionHasItsOwnTransactionalIdAndIsNotHeldBackByAnother() throws Exception {
        onNewProducer.add(p -> p.commitTransactionException = new NotEnoughReplicasException("1 in sync, 2 needed"));
        assertThat(failure(appender.append(TOPIC, put(2, 1), true))).isInstanceOf(NotEnoughReplicasException.class);
        acked(appender.append(TOPIC, put(3, 1), true));
        assertThat(transactionalIds).containsExactly(TOPIC + ".2.writer", TOPIC + ".3.writer");
        assertThat(committed()).extracting(r -> r.partition() + "/" + slot(r)).containsExactly("3/1");
    }

    @Test
    void releasingAPartitionClosesItsProducerAndALaterLeadershipStartsAnother() throws Exception {
        acked(appender.append(TOPIC, put(2, 1), true));
        appender.release(TOPIC, 2);
        assertThat(producers.get(0).closed()).isTrue();
        acked(appender.append(TOPIC, put(2, 2), true));
        assertThat(producers).hasSize(2);
        assertThat(transactionalIds).containsOnly(TOPIC + ".2.writer");
    }

    @Test
    void aSendThatThrowsFailsTheAppendsOfItsTransaction() {
        onNewProducer.add(p -> p.sendException = new IllegalStateException("Cannot perform operation after producer has been closed"));
        assertThat(failure(appender.append(TOPIC, put(2, 1), true))).hasMessageContaining("closed");
        assertThat(committed()).isEmpty();
    }

    @Test
    void closingTheAppenderClosesTheProducerAndFailsLaterAppends() throws Exception {
        acked(appender.append(TOPIC, put(2, 1), true));
        appender.close();
        assertThat(producers.get(0).closed()).isTrue();
        assertThatThrownBy(() -> appender.append(TOPIC, put(2, 2), false).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalStateException.class);
    }
}
