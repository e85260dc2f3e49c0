package io.dynalog.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.replica.ReplicaStore.PartitionRef;
import io.dynalog.topology.keys.IndexKeys;
import io.dynalog.topology.keys.ItemCollections;
import io.dynalog.topology.keys.KeyCodec;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.IndexProjection;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.IndexRow;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wal.WalRecords;
import io.dynalog.topology.wire.IndexRowCodec;
import io.dynalog.topology.wire.ItemCodec;
import io.dynalog.topology.wire.WalEntryCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secondary index rows in a real RocksDB store, fed by Kafka's MockConsumer: local index rows
 * follow their item in the same batch; global index rows apply in source-slot order per row.
 */
class IndexMaterialisationTest {
    static final long TABLE = 42;
    static final String WAL = "dynalog.wal.T.2a";
    static final String GSI_TOPIC = "dynalog.gsi.T.byG.63";
    static final KeySchema TABLE_KEY = KeySchema.hashRange("pk", ScalarType.S, "sk", ScalarType.S);
    static final IndexDescriptor BY_RANK = IndexDescriptor.local("byRank", 62, KeySchema.hashRange("pk", ScalarType.S, "rank", ScalarType.N),
            new IndexProjection(IndexProjection.Type.INCLUDE, List.of("note")));
    static final IndexDescriptor BY_G = new IndexDescriptor("byG", 63, IndexDescriptor.Kind.GLOBAL, KeySchema.hash("g", ScalarType.S),
            IndexProjection.ALL, IndexDescriptor.IndexStatus.ACTIVE, false, 1, GSI_TOPIC, List.of(List.of(1)), 0, 0);

    @TempDir
    Path dir;
    ReplicaStore store;
    MockConsumer<byte[], byte[]> consumer;
    ReplicaProcessor processor;
    long walOffset;
    long gsiOffset;

    @BeforeEach
    void open() {
        store = ReplicaStore.open(dir.resolve("store"));
        consumer = new MockConsumer<>("earliest");
        processor = new ReplicaProcessor(store, consumer, "index-test", 60_000, 60_000, () -> 1_000_000L);
        processor.start();
        processor.assign(new PartitionRef(TABLE, 0), WAL, KeyCodec.hashBound(0), null, TABLE_KEY, List.of(BY_RANK));
        processor.assignIndex(new PartitionRef(BY_G.indexId(), 0), GSI_TOPIC, KeyCodec.hashBound(0), null);
    }

    @AfterEach
    void close() {
        processor.close();
        store.close();
    }

    static Map<String, AttributeValue> item(String sk, Object... attributes) {
        Map<String, AttributeValue> item = new java.util.LinkedHashMap<>();
        item.put("pk", AttributeValue.s("p"));
        item.put("sk", AttributeValue.s(sk));
        for (int i = 0; i < attributes.length; i += 2) {
            Object v = attributes[i + 1];
            item.put((String) attributes[i], v instanceof Integer n ? AttributeValue.n(Integer.toString(n)) : AttributeValue.s((String) v));
        }
        return item;
    }

    static byte[] key(String sk) {
        return KeyCodec.storeKey(TABLE_KEY, item(sk));
    }

    void write(long slot, String sk, Map<String, AttributeValue> newImage) {
        WalEntry e = new WalEntry(TABLE, 0, slot, new Ballot(1, 1), newImage == null ? WalEntry.Kind.DELETE : WalEntry.Kind.PUT,
                key(sk), newImage, null, 0);
        ConsumerRecord<byte[], byte[]> record = newImage == null
                ? new ConsumerRecord<>(WAL, 0, walOffset++, 0L, TimestampType.CREATE_TIME, 0, 0, e.storeKey(), null,
                        new RecordHeaders(List.of(new RecordHeader(WalRecords.ENTRY_HEADER, WalEntryCodec.encode(e)))), Optional.empty())
                : new ConsumerRecord<>(WAL, 0, walOffset++, e.storeKey(), WalEntryCodec.encode(e));
        consumer.schedulePollTask(() -> consumer.addRecord(record));
    }

    void row(long slot, byte[] rowKey, Map<String, AttributeValue> image) {
        byte[] encoded = IndexRowCodec.encode(new IndexRow(BY_G.indexId(), 0, slot, image));
        ConsumerRecord<byte[], byte[]> record = image == null
                ? new ConsumerRecord<>(GSI_TOPIC, 0, gsiOffset++, 0L, TimestampType.CREATE_TIME, 0, 0, rowKey, null,
                        new RecordHeaders(List.of(new RecordHeader(IndexRow.ROW_HEADER, encoded))), Optional.empty())
                : new ConsumerRecord<>(GSI_TOPIC, 0, gsiOffset++, rowKey, encoded);
        consumer.schedulePollTask(() -> consumer.addRecord(record));
    }

    List<Map<String, AttributeValue>> rows(long keySpace) {
        List<Map<String, AttributeValue>> rows = new ArrayList<>();
        try (ReplicaStore.RangeCursor c = store.range(keySpace, null, null, true)) {
            for (; c.valid(); c.next()) rows.add(ItemCodec.decode(c.encodedItem()));
        }
        return rows;
    }

    @Test
    void localIndexRowsFollowTheirItemInTheSameBatch() throws Exception {
        write(1, "a", item("a", "rank", 3, "note", "n", "other", "o"));
        write(2, "b", item("b", "rank", 1));
        write(3, "c", item("c", "other", "not indexed"));
        processor.whenApplied(new PartitionRef(TABLE, 0), 3).get(10, TimeUnit.SECONDS);
        assertThat(rows(BY_RANK.indexId())).as("sorted by rank, projected")
                .containsExactly(item("b", "rank", 1), item("a", "rank", 3, "note", "n"));

        write(4, "a", item("a", "rank", 0));      // the index key changes: the old row goes
        write(5, "b", null);                        // deleted: its row goes
        write(6, "c", item("c", "rank", 2, "note", "m"));
        processor.whenApplied(new PartitionRef(TABLE, 0), 6).get(10, TimeUnit.SECONDS);
        assertThat(rows(BY_RANK.indexId())).containsExactly(item("a", "rank", 0), item("c", "rank", 2, "note", "m"));
        assertThat(store.progress(BY_RANK.indexId(), 0).lastOffset()).as("recorded under the index id too").isEqualTo(5);
    }

    /**
     * A collection's size, kept in the items' batches, is the sum of what its items cost with
     * their local index rows, whatever the puts, index key changes and deletes, poll after poll;
     * dropping the partition drops it.
     */
    @Test
    void itemCollectionSizesAreTheSumOfTheirItemsAfterEveryPoll() throws Exception {
        ItemCollections sizing = ItemCollections.of(TABLE_KEY, List.of(BY_RANK));
        byte[] collection = sizing.keyOf(item("a"));
        java.util.Random random = new java.util.Random(5);
        Map<String, Map<String, AttributeValue>> items = new java.util.HashMap<>();
        long slot = 0;
        for (int poll = 0; poll < 10; poll++) {
            for (int i = 0; i < 20; i++) {
                String sk = "k" + random.nextInt(6);
                Map<String, AttributeValue> image = switch (random.nextInt(4)) {
                    case 0 -> null;
                    case 1 -> item(sk, "other", "x".repeat(random.nextInt(50)));
                    default -> item(sk, "rank", random.nextInt(5), "note", "n".repeat(random.nextInt(50)));
                };
                write(++slot, sk, image);
                if (image == null) items.remove(sk); else items.put(sk, image);
            }
            processor.whenApplied(new PartitionRef(TABLE, 0), slot).get(10, TimeUnit.SECONDS);
            long expected = items.values().stream().mapToLong(sizing::bytesOf).sum();
            assertThat(store.collection(TABLE, collection, List.of()).bytes()).as("after poll %d", poll).isEqualTo(expected);
        }
        assertThat(store.collection(TABLE, collection, List.of(key("k0"))).images())
                .containsExactly(items.get("k0"));

        store.dropPartition(TABLE, 0, KeyCodec.hashBound(0), null);
        assertThat(store.collection(TABLE, collection, List.of()).bytes()).isZero();
    }

    @Test
    void globalIndexRowsApplyOnlyOverOlderSlotsOfTheirRow() {
        Map<String, AttributeValue> a1 = item("a", "g", "x", "v", 1);
        Map<String, AttributeValue> a2 = item("a", "g", "x", "v", 2);
        byte[] rowA = IndexKeys.rowKey(BY_G, key("a"), a1);
        byte[] rowB = IndexKeys.rowKey(BY_G, key("b"), item("b", "g", "y"));
        row(2, rowA, a2);
        row(1, rowA, a1);                       // late: older than what the row has
        row(2, rowA, a2);                       // repeated
        row(1, rowB, item("b", "g", "y"));
        row(3, rowB, null);                     // b left the index
        row(2, rowB, item("b", "g", "y"));      // late put after the delete: stays deleted
        Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> store.progress(BY_G.indexId(), 0).lastOffset() == 5);
        assertThat(rows(BY_G.indexId())).containsExactly(a2);
    }
}
