package io.dynalog.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.replica.ReplicaStore.PartitionRef;
import io.dynalog.topology.keys.KeyCodec;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wal.WalRecords;
import io.dynalog.topology.wire.WalEntryCodec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The apply loop over a real RocksDB store, fed by Kafka's MockConsumer: slot order, duplicate
 * skipping, tombstones, resuming from persisted progress, catch-up, and the safety stop.
 */
class ReplicaProcessorTest {
    static final long TABLE = 42;
    static final String TOPIC = "dynalog.wal.T.2a";
    static final KeySchema SCHEMA = KeySchema.hash("pk", ScalarType.S);
    static final PartitionRef P0 = new PartitionRef(TABLE, 0);
    static final TopicPartition TP0 = new TopicPartition(TOPIC, 0);

    @TempDir
    Path dir;
    ReplicaStore store;
    MockConsumer<byte[], byte[]> consumer;
    ReplicaProcessor processor;
    long nextOffset;
    volatile long nowMs = 1_000_000;
    static final long REBUILD_AFTER_MS = 60_000;

    @BeforeEach
    void open() {
        store = ReplicaStore.open(dir.resolve("store"));
        startProcessor();
    }

    void startProcessor() {
        consumer = new MockConsumer<>("earliest");
        processor = new ReplicaProcessor(store, consumer, "replica-test", REBUILD_AFTER_MS, () -> nowMs);
        processor.start();
        processor.assign(P0, TOPIC, KeyCodec.hashBound(0), null);
    }

    @AfterEach
    void close() {
        processor.close();
        store.close();
    }

    static Map<String, AttributeValue> item(String pk, String v) {
        return Map.of("pk", AttributeValue.s(pk), "v", AttributeValue.s(v));
    }

    static byte[] key(String pk) {
        return KeyCodec.storeKey(SCHEMA, Map.of("pk", AttributeValue.s(pk)));
    }

    void append(WalEntry e) {
        ConsumerRecord<byte[], byte[]> record;
        if (e.kind() == WalEntry.Kind.DELETE) {
            RecordHeaders headers = new RecordHeaders(List.of(new RecordHeader(WalRecords.ENTRY_HEADER, WalEntryCodec.encode(e))));
            record = new ConsumerRecord<>(TOPIC, 0, nextOffset++, 0L, TimestampType.CREATE_TIME, 0, 0,
                    e.storeKey(), null, headers, Optional.empty());
        } else {
            record = new ConsumerRecord<>(TOPIC, 0, nextOffset++, e.kind() == WalEntry.Kind.NOOP ? WalRecords.NOOP_KEY : e.storeKey(),
                    WalEntryCodec.encode(e));
        }
        consumer.schedulePollTask(() -> consumer.addRecord(record));
        consumer.updateEndOffsets(Map.of(TP0, nextOffset));
    }

    static WalEntry put(long slot, String pk, String v, Map<String, AttributeValue> old) {
        return new WalEntry(TABLE, 0, slot, new Ballot(1, 1), WalEntry.Kind.PUT, key(pk), item(pk, v), old, 0);
    }

    void awaitApplied(long slot) throws Exception {
        processor.whenApplied(P0, slot).get(10, TimeUnit.SECONDS);
    }

    @Test
    void appliesEntriesInSlotOrderAndRecordsProgress() throws Exception {
        append(put(1, "a", "1", null));
        append(put(2, "b", "1", null));
        append(put(3, "a", "2", item("a", "1")));
        awaitApplied(3);
        assertThat(store.get(TABLE, key("a"))).isEqualTo(item("a", "2"));
        assertThat(store.get(TABLE, key("b"))).isEqualTo(item("b", "1"));
        PartitionProgress progress = store.progress(TABLE, 0);
        assertThat(progress.appliedSlot()).isEqualTo(3);
        assertThat(progress.lastOffset()).isEqualTo(2);
        assertThat(progress.appliedBallot()).isEqualTo(new Ballot(1, 1));
    }

    @Test
    void skipsDuplicateSlotsButAdvancesTheOffset() throws Exception {
        append(put(1, "a", "1", null));
        append(put(2, "a", "2", item("a", "1")));
        // A new leader re-appends slot 2 (and 1) after the archived slot: duplicates.
        append(put(1, "a", "1", null));
        append(put(2, "a", "2", item("a", "1")));
        append(put(3, "a", "3", item("a", "2")));
        awaitApplied(3);
        assertThat(store.get(TABLE, key("a"))).isEqualTo(item("a", "3"));
        assertThat(store.progress(TABLE, 0).lastOffset()).isEqualTo(4);
    }

    /**
     * Slot 2 failed to append while slot 3 landed; the leader appended 2 again after it. The late
     * slot is applied to its item unless the item has seen something newer.
     */
    @Test
    void aLateSlotIsAppliedToItsItemUnlessTheItemHasSomethingNewer() throws Exception {
        append(put(1, "a", "1", null));
        append(put(3, "b", "3", null));
        append(new WalEntry(TABLE, 0, 5, new Ballot(1, 1), WalEntry.Kind.DELETE, key("c"), null, item("c", "4"), 0));
        append(put(2, "a", "2", item("a", "1")));   // late, a has nothing newer: applied
        append(put(3, "b", "3", null));             // a duplicate: skipped
        append(put(4, "c", "4", null));             // late, but c was deleted at slot 5: skipped
        append(put(6, "d", "6", null));
        awaitApplied(6);
        processor.whenCaughtUp(P0).get(10, TimeUnit.SECONDS);
        assertThat(store.get(TABLE, key("a"))).isEqualTo(item("a", "2"));
        assertThat(store.get(TABLE, key("b"))).isEqualTo(item("b", "3"));
        assertThat(store.get(TABLE, key("c"))).isNull();
        assertThat(store.progress(TABLE, 0).appliedSlot()).as("a late slot does not move the applied slot").isEqualTo(6);
        assertThat(store.progress(TABLE, 0).lastOffset()).isEqualTo(6);
    }

    @Test
    void afterARestartVersionsTellALateSlotFromADuplicate() throws Exception {
        append(put(1, "a", "1", null));
        append(put(3, "a", "3", item("a", "1")));
        append(put(4, "b", "4", null));
        awaitApplied(4);
        processor.close();
        startProcessor();
        append(put(1, "a", "1", null));   // a duplicate: a is at slot 3
        append(put(2, "c", "2", null));   // late, never applied: applied
        append(put(5, "d", "5", null));
        awaitApplied(5);
        processor.whenCaughtUp(P0).get(10, TimeUnit.SECONDS);
        assertThat(store.get(TABLE, key("a"))).isEqualTo(item("a", "3"));
        assertThat(store.get(TABLE, key("c"))).isEqualTo(item("c", "2"));
    }

    @Test
    void afterARestartADifferentValueForAnAppliedSlotStillStopsThePartition() throws Exception {
        append(put(1, "a", "1", null));
        append(put(2, "b", "2", null));
        awaitApplied(2);
        processor.close();
        startProcessor(); // the checksums of recent slots are gone; the version rows are not
        append(put(2, "b", "other", null));
        append(put(3, "c", "3", null));
        assertThatThrownBy(() -> processor.whenApplied(P0, 3).get(10, TimeUnit.SECONDS))
                .hasMessageContaining("SAFETY VIOLATION").hasMessageContaining("slot 2");
        assertThat(store.get(TABLE, key("b"))).isEqualTo(item("b", "2"));
    }

    @Test
    void caughtUpMeansEveryRecordTheWalHeldWasConsumed() throws Exception {
        append(put(1, "a", "1", null));
        append(put(2, "b", "2", null));
        CompletableFuture<Void> caughtUp = processor.whenCaughtUp(P0);
        caughtUp.get(10, TimeUnit.SECONDS);
        assertThat(store.progress(TABLE, 0).nextOffset()).isEqualTo(2);
    }

    @Test
    void twoDifferentValuesForOneSlotStopThePartition() {
        append(put(1, "a", "1", null));
        append(put(2, "a", "2", item("a", "1")));
        append(put(2, "a", "other", item("a", "1")));
        append(put(3, "a", "3", item("a", "2")));
        assertThatThrownBy(() -> processor.whenApplied(P0, 3).get(10, TimeUnit.SECONDS))
                .hasMessageContaining("SAFETY VIOLATION").hasMessageContaining("slot 2");
        assertThat(store.get(TABLE, key("a"))).isEqualTo(item("a", "2"));
    }

    @Test
    void tombstonesDeleteAndNoopsOnlyAdvance() throws Exception {
        append(put(1, "a", "1", null));
        append(new WalEntry(TABLE, 0, 2, new Ballot(1, 1), WalEntry.Kind.DELETE, key("a"), null, item("a", "1"), 0));
        append(WalEntry.noop(TABLE, 0, 3, new Ballot(2, 1), 0));
        awaitApplied(3);
        assertThat(store.get(TABLE, key("a"))).isNull();
        assertThat(store.progress(TABLE, 0).appliedBallot()).isEqualTo(new Ballot(2, 1));
    }

    @Test
    void aRestartedProcessorResumesAfterThePersistedOffset() throws Exception {
        append(put(1, "a", "1", null));
        append(put(2, "b", "1", null));
        awaitApplied(2);
        processor.close();
        startProcessor();
        // The resumed consumer is positioned after offset 1; records below it are never re-read.
        append(put(3, "c", "1", null));
        consumer.schedulePollTask(() -> { });
        awaitApplied(3);
        assertThat(consumer.position(TP0)).isEqualTo(3);
        assertThat(store.get(TABLE, key("c"))).isEqualTo(item("c", "1"));
    }

    @Test
    void aReplicaAwayLongerThanTombstonesAreKeptRebuildsFromOffsetZero() throws Exception {
        append(put(1, "a", "1", null));
        append(put(2, "b", "1", null));
        awaitApplied(2);
        processor.close();
        // While it was away, compaction dropped b's delete: the WAL now holds only a's put and later entries.
        nowMs += REBUILD_AFTER_MS + 1;
        nextOffset = 0;
        startProcessor();
        append(put(1, "a", "1", null));
        append(put(3, "c", "1", null));
        awaitApplied(3);
        assertThat(store.get(TABLE, key("b"))).isNull();
        assertThat(store.get(TABLE, key("a"))).isEqualTo(item("a", "1"));
        assertThat(store.get(TABLE, key("c"))).isEqualTo(item("c", "1"));
    }

    @Test
    void anEntryOfAnotherTableStopsThePartition() {
        append(put(1, "a", "1", null));
        append(new WalEntry(TABLE + 1, 0, 2, new Ballot(1, 1), WalEntry.Kind.PUT, key("x"), item("x", "1"), null, 0));
        assertThatThrownBy(() -> processor.whenApplied(P0, 2).get(10, TimeUnit.SECONDS))
                .hasMessageContaining("holds an entry of table");
        assertThat(store.get(TABLE, key("x"))).isNull();
    }

    @Test
    void droppingATableDeletesItsRowsAndProgress() throws Exception {
        append(put(1, "a", "1", null));
        awaitApplied(1);
        processor.dropTable(TABLE).get(10, TimeUnit.SECONDS);
        assertThat(store.get(TABLE, key("a"))).isNull();
        assertThat(store.progress(TABLE, 0)).isEqualTo(PartitionProgress.EMPTY);
        assertThat(store.tableIdsWithProgress()).doesNotContain(TABLE);
    }
}
