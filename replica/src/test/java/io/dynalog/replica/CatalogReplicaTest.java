package io.dynalog.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.catalog.CatalogTable;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wal.WalRecords;
import io.dynalog.topology.wire.WalEntryCodec;
import java.util.ArrayList;
import java.util.Collections;
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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every node's copy of the catalog, read from the catalog's WAL as Kafka's MockConsumer hands it
 * over: changes in slot order, duplicates and late slots that must not undo newer changes, a
 * delete that a late entry must not revive, and the stop at a second value for one slot.
 */
class CatalogReplicaTest {
    static final String TOPIC = "dynalog.catalog";
    static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    MockConsumer<byte[], byte[]> consumer;
    CatalogReplica catalog;
    long nextOffset;
    final List<String> changes = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws Exception {
        consumer = new MockConsumer<>("earliest");
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        consumer.updateEndOffsets(Map.of(TP, 0L));
        catalog = new CatalogReplica(consumer, TOPIC);
        catalog.addListener((previous, current) -> changes.add(describe(previous) + " -> " + describe(current)));
        catalog.start().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        catalog.close();
    }

    static String describe(TableDescriptor t) {
        return t == null ? "none" : t.name() + "/" + t.status();
    }

    static TableDescriptor table(String name, long id, TableStatus status) {
        return new TableDescriptor(name, id, KeySchema.hash("pk", ScalarType.S),
                List.of(new TableDescriptor.AttributeDefinition("pk", ScalarType.S)), "PAY_PER_REQUEST", 0, 0, 1, 0,
                status, "dynalog.wal." + name, List.of(List.of(1, 2, 3)));
    }

    static WalEntry put(long slot, TableDescriptor t, TableDescriptor before) {
        return new WalEntry(CatalogTable.TABLE_ID, 0, slot, new Ballot(1, 1), WalEntry.Kind.PUT, CatalogTable.storeKey(t.name()),
                CatalogTable.item(t), before == null ? null : CatalogTable.item(before), 0);
    }

    static WalEntry delete(long slot, TableDescriptor before) {
        return new WalEntry(CatalogTable.TABLE_ID, 0, slot, new Ballot(1, 1), WalEntry.Kind.DELETE,
                CatalogTable.storeKey(before.name()), null, CatalogTable.item(before), 0);
    }

    void append(WalEntry e) {
        ConsumerRecord<byte[], byte[]> record = switch (e.kind()) {
            case DELETE -> new ConsumerRecord<>(TOPIC, 0, nextOffset++, 0L, TimestampType.CREATE_TIME, 0, 0, e.storeKey(), null,
                    new RecordHeaders(List.of(new RecordHeader(WalRecords.ENTRY_HEADER, WalEntryCodec.encode(e)))), Optional.empty());
            case PUT -> new ConsumerRecord<>(TOPIC, 0, nextOffset++, e.storeKey(), WalEntryCodec.encode(e));
            case NOOP -> new ConsumerRecord<>(TOPIC, 0, nextOffset++, WalRecords.NOOP_KEY, WalEntryCodec.encode(e));
            case CONFIGURATION -> new ConsumerRecord<>(TOPIC, 0, nextOffset++, WalRecords.CONFIGURATION_KEY, WalEntryCodec.encode(e));
        };
        consumer.schedulePollTask(() -> consumer.addRecord(record));
    }

    void awaitRead() throws Exception {
        catalog.whenConsumedTo(nextOffset).get(5, TimeUnit.SECONDS);
    }

    @Test
    void appliesCreatesUpdatesAndDeletesInSlotOrder() throws Exception {
        TableDescriptor music = table("Music", 7, TableStatus.CREATING);
        TableDescriptor books = table("Books", 8, TableStatus.CREATING);
        append(put(1, music, null));
        append(WalEntry.noop(CatalogTable.TABLE_ID, 0, 2, new Ballot(2, 1), 0));
        append(put(3, books, null));
        append(put(4, music.withStatus(TableStatus.ACTIVE), music));
        append(delete(5, books));
        awaitRead();
        assertThat(catalog.tables()).containsExactly(music.withStatus(TableStatus.ACTIVE));
        assertThat(catalog.table("Books")).isNull();
        assertThat(changes).containsExactly("none -> Music/CREATING", "none -> Books/CREATING",
                "Music/CREATING -> Music/ACTIVE", "Books/CREATING -> none");
    }

    @Test
    void duplicatesAndLateSlotsNeverUndoANewerChange() throws Exception {
        TableDescriptor music = table("Music", 7, TableStatus.CREATING);
        TableDescriptor gone = table("Gone", 9, TableStatus.ACTIVE);
        append(put(1, gone, null));
        append(put(3, music.withStatus(TableStatus.ACTIVE), music));
        append(delete(4, gone));
        // Appended again by a new leader, or landed late after an append that was made again.
        append(put(2, music, null));
        append(put(3, music.withStatus(TableStatus.ACTIVE), music));
        append(put(1, gone, null));
        awaitRead();
        assertThat(catalog.table("Music")).isEqualTo(music.withStatus(TableStatus.ACTIVE));
        assertThat(catalog.table("Gone")).as("a late entry does not revive a deleted table").isNull();
        assertThat(changes).containsExactly("none -> Gone/ACTIVE", "none -> Music/ACTIVE", "Gone/ACTIVE -> none");
    }

    @Test
    void aDeleteWhoseCreateWasCompactedAwayStillTellsWhatWasRemoved() throws Exception {
        append(delete(12, table("Old", 3, TableStatus.ACTIVE)));
        awaitRead();
        assertThat(changes).containsExactly("Old/ACTIVE -> none");
    }

    @Test
    void aSecondValueForAnAppliedSlotStopsTheViewThere() throws Exception {
        TableDescriptor music = table("Music", 7, TableStatus.ACTIVE);
        List<ConsumerRecord<byte[], byte[]>> records = List.of(put(1, music, null),
                put(1, table("Music", 99, TableStatus.ACTIVE), null), // another value for slot 1
                put(2, table("Later", 8, TableStatus.ACTIVE), null)).stream()
                .map(e -> new ConsumerRecord<>(TOPIC, 0, nextOffset++, e.storeKey(), WalEntryCodec.encode(e))).toList();
        consumer.schedulePollTask(() -> records.forEach(consumer::addRecord)); // one poll hands over all three
        catalog.whenConsumedTo(1).get(5, TimeUnit.SECONDS);
        // The bad record is read again and again, never past: the later change stays unseen.
        Awaitility.await().during(java.time.Duration.ofMillis(1_500)).atMost(java.time.Duration.ofSeconds(3))
                .until(() -> catalog.table("Later") == null && !catalog.whenConsumedTo(2).isDone());
        assertThat(catalog.table("Music").tableId()).isEqualTo(7);
    }

    @Test
    void aWaiterIsReleasedByTheChangeItWaitsForOrByItsTimeout() throws Exception {
        TableDescriptor music = table("Music", 7, TableStatus.CREATING);
        CompletableFuture<Void> created = catalog.awaitTable("Music", t -> t != null, 10_000);
        CompletableFuture<Void> neverDeleted = catalog.awaitTable("Music", t -> t == null && false, 300);
        assertThat(created).isNotDone();
        append(put(1, music, null));
        created.get(5, TimeUnit.SECONDS);
        neverDeleted.get(5, TimeUnit.SECONDS); // the timeout completes it normally
        assertThat(catalog.awaitTable("Music", t -> t != null, 0)).isDone();
    }
}
