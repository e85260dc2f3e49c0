package io.dynalog.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.replica.ReplicaStore.PartitionRef;
import io.dynalog.topology.keys.KeyCodec;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wal.WalRecords;
import io.dynalog.topology.wire.ItemCodec;
import io.dynalog.topology.wire.WalEntryCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * The apply loop over a real RocksDB store, fed by Kafka's MockConsumer: slot order (entries held
 * until the gap before them fills, gaps skipped only when compaction may explain them), duplicate
 * skipping, tombstones, resuming from persisted progress, catch-up, and the safety stops.
 */
class ReplicaProcessorTest {
    static final long TABLE = 42;
    static final String TOPIC = "dynalog.wal.T.2a";
    static final KeySchema SCHEMA = KeySchema.hash("pk", ScalarType.S);
    static final PartitionRef P0 = new PartitionRef(TABLE, 0);
    static final TopicPartition TP0 = new TopicPartition(TOPIC, 0);
    static final long REBUILD_AFTER_MS = 60_000;
    static final long COMPACTION_LAG_MS = 30_000;

    @TempDir
    Path dir;
    ReplicaStore store;
    MockConsumer<byte[], byte[]> consumer;
    ReplicaProcessor processor;
    long nextOffset;
    volatile long nowMs = 1_000_000;
    long maxHeldBytes = ReplicaProcessor.MAX_HELD_BYTES;
    /** Every record appended, as the WAL partition holds them. */
    final List<ConsumerRecord<byte[], byte[]>> wal = new ArrayList<>();
    /** The offsets the processor reported to its listener, in order. */
    final List<Long> reported = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() {
        store = ReplicaStore.open(dir.resolve("store"));
        startProcessor();
    }

    void startProcessor() {
        consumer = new MockConsumer<>("earliest");
        processor = new ReplicaProcessor(store, consumer, "replica-test", REBUILD_AFTER_MS, COMPACTION_LAG_MS, maxHeldBytes, () -> nowMs);
        processor.addListener((table, partition, offset) -> reported.add(offset));
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

    /** Appends an entry at the WAL's next offset; the processor reads it at its next poll. */
    void append(WalEntry e) {
        append(e, nextOffset++);
    }

    /** Appends an entry at {@code offset} (a compacted WAL has holes in its offsets). */
    void append(WalEntry e, long offset) {
        nextOffset = Math.max(nextOffset, offset + 1);
        ConsumerRecord<byte[], byte[]> record = record(e, offset);
        wal.add(record);
        deliver(record);
    }

    static ConsumerRecord<byte[], byte[]> record(WalEntry e, long offset) {
        if (e.kind() == WalEntry.Kind.DELETE) {
            RecordHeaders headers = new RecordHeaders(List.of(new RecordHeader(WalRecords.ENTRY_HEADER, WalEntryCodec.encode(e))));
            return new ConsumerRecord<>(TOPIC, 0, offset, 0L, TimestampType.CREATE_TIME, 0, 0,
                    e.storeKey(), null, headers, Optional.empty());
        }
        return new ConsumerRecord<>(TOPIC, 0, offset, keyOf(e), WalEntryCodec.encode(e));
    }

    static byte[] keyOf(WalEntry e) {
        return switch (e.kind()) {
            case NOOP -> WalRecords.NOOP_KEY;
            case CONFIGURATION -> WalRecords.CONFIGURATION_KEY;
            case PUT, DELETE -> e.storeKey();
        };
    }

    /** Hands a record the WAL holds to the consumer, at its next poll. */
    void deliver(ConsumerRecord<byte[], byte[]> record) {
        consumer.schedulePollTask(() -> consumer.addRecord(record));
        consumer.updateEndOffsets(Map.of(TP0, nextOffset));
    }

    /** A put chosen now (by the test's clock). */
    WalEntry put(long slot, String pk, String v, Map<String, AttributeValue> old) {
        return put(slot, pk, v, old, nowMs);
    }

    static WalEntry put(long slot, String pk, String v, Map<String, AttributeValue> old, long atMs) {
        return new WalEntry(TABLE, 0, slot, new Ballot(1, 1), WalEntry.Kind.PUT, key(pk), item(pk, v), old, atMs);
    }

    WalEntry delete(long slot, String pk, Map<String, AttributeValue> old) {
        return delete(slot, pk, old, nowMs);
    }

    static WalEntry delete(long slot, String pk, Map<String, AttributeValue> old, long atMs) {
        return new WalEntry(TABLE, 0, slot, new Ballot(1, 1), WalEntry.Kind.DELETE, key(pk), null, old, atMs);
    }

    void awaitApplied(long slot) throws Exception {
        processor.whenApplied(P0, slot).get(10, TimeUnit.SECONDS);
    }

    /** Returns once the processor has dealt with every record delivered before (one poll task runs per poll). */
    void awaitPolled() throws Exception {
        CompletableFuture<Void> polled = new CompletableFuture<>();
        consumer.schedulePollTask(() -> polled.complete(null));
        polled.get(10, TimeUnit.SECONDS);
    }

    /** The partition's items, by primary key value, as the store holds them. */
    Map<String, Map<String, AttributeValue>> items() {
        Map<String, Map<String, AttributeValue>> items = new TreeMap<>();
        try (ReplicaStore.RangeCursor c = store.range(TABLE, null, null, true)) {
            for (; c.valid(); c.next()) {
                Map<String, AttributeValue> item = ItemCodec.decode(c.encodedItem());
                items.put(((AttributeValue.S) item.get("pk")).value(), item);
            }
        }
        return items;
    }

    /** The items after applying the entries of slots 1 through {@code through}, in slot order. */
    static Map<String, Map<String, AttributeValue>> stateAfter(Map<Long, WalEntry> bySlot, long through) {
        Map<String, Map<String, AttributeValue>> items = new TreeMap<>();
        for (long slot = 1; slot <= through; slot++) {
            WalEntry e = bySlot.get(slot);
            if (e == null || !e.changesItem()) continue;
            String pk = ((AttributeValue.S) KeyCodec.decodeKey(SCHEMA, e.storeKey()).get("pk")).value();
            if (e.kind() == WalEntry.Kind.PUT) items.put(pk, e.newImage()); else items.remove(pk);
        }
        return items;
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

    /**
     * Slot 2's append failed while slots 3 and 4 landed; the leader appended 2 again after them.
     * Until 2 comes, the store shows neither 3 nor 4 (it is the state after slots 1..1), nothing
     * waiting for slot 3 is told it is applied, and the offset reported stays at slot 3's record.
     */
    @Test
    void anEntryAheadOfAMissingSlotIsHeldUntilTheSlotComes() throws Exception {
        append(put(1, "a", "1", null));
        awaitApplied(1);
        append(put(3, "c", "3", null));
        awaitPolled();
        assertThat(items()).as("after slot 3's record").containsOnlyKeys("a");
        CompletableFuture<Void> applied3 = processor.whenApplied(P0, 3);
        assertThat(applied3).isNotDone();
        assertThat(store.progress(TABLE, 0).nextOffset()).as("slot 3's record").isEqualTo(1);
        assertThat(store.progress(TABLE, 0).appliedSlot()).isEqualTo(1);

        append(put(4, "d", "4", null));
        awaitPolled();
        assertThat(items()).as("after slot 4's record").containsOnlyKeys("a");
        assertThat(applied3).isNotDone();
        assertThat(store.progress(TABLE, 0).nextOffset()).isEqualTo(1);
        assertThat(reported).as("never past a record that is not applied").allMatch(offset -> offset <= 1);

        append(put(2, "b", "2", null));
        awaitApplied(4);
        awaitPolled(); // the listener is told just after the waiters
        assertThat(applied3).isDone();
        assertThat(items()).containsOnlyKeys("a", "b", "c", "d");
        assertThat(store.progress(TABLE, 0).appliedSlot()).isEqualTo(4);
        assertThat(store.progress(TABLE, 0).nextOffset()).isEqualTo(4);
        assertThat(reported).last().isEqualTo(4L);
    }

    /**
     * Whatever the WAL's order (failed appends made again after later slots, re-appends of
     * recovered entries), the store after every record is the state after a prefix of the slots:
     * every slot through the applied one, and nothing later.
     */
    @Test
    void theStoreIsAlwaysTheStateAfterAPrefixOfTheSlots() throws Exception {
        Random random = new Random(17);
        Map<Long, WalEntry> bySlot = new HashMap<>();
        Map<String, Map<String, AttributeValue>> current = new HashMap<>();
        List<WalEntry> order = new ArrayList<>();
        List<WalEntry> late = new ArrayList<>();
        for (long slot = 1; slot <= 150; slot++) {
            String pk = "k" + random.nextInt(8);
            WalEntry e = switch (random.nextInt(7)) {
                case 0 -> delete(slot, pk, current.get(pk));
                case 1 -> WalEntry.noop(TABLE, 0, slot, new Ballot(2, 1), nowMs);
                case 2 -> WalEntry.configuration(TABLE, 0, slot, new Ballot(2, 1), nowMs, Configuration.initial(List.of(1, 2, 3)));
                default -> put(slot, pk, Long.toString(slot), current.get(pk));
            };
            bySlot.put(slot, e);
            if (e.kind() == WalEntry.Kind.PUT) current.put(pk, e.newImage()); else if (e.kind() == WalEntry.Kind.DELETE) current.remove(pk);
            if (random.nextInt(5) == 0) {
                late.add(e);                        // its append fails: made again a little later
            } else {
                order.add(e);
                if (random.nextInt(3) == 0 && !late.isEmpty()) order.add(late.remove(0));
            }
            if (random.nextInt(10) == 0) order.add(bySlot.get(1 + (long) random.nextInt((int) slot))); // a re-append
        }
        order.addAll(late);
        for (WalEntry e : order) {
            append(e);
            awaitPolled();
            PartitionProgress progress = store.progress(TABLE, 0);
            assertThat(items()).as("after slot %d's record, applied through %d", e.slot(), progress.appliedSlot())
                    .isEqualTo(stateAfter(bySlot, progress.appliedSlot()));
        }
        awaitApplied(150);
        processor.whenCaughtUp(P0).get(10, TimeUnit.SECONDS);
        assertThat(items()).isEqualTo(stateAfter(bySlot, 150));
        assertThat(store.progress(TABLE, 0).nextOffset()).isEqualTo(nextOffset);
        assertThat(processor.slotsSkippedAsCompacted(P0)).isZero();
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
     * Duplicates of applied slots and of held ones are skipped; a write's request token is
     * recorded when its entry is applied, not while it is held, and a duplicate's is recorded too.
     */
    @Test
    void duplicatesOfAppliedAndOfHeldSlotsAreSkipped() throws Exception {
        WalEntry withToken = new WalEntry(TABLE, 0, 4, new Ballot(1, 1), WalEntry.Kind.PUT, key("b"), item("b", "4"),
                item("b", "3"), nowMs, "token-4");
        append(put(1, "a", "1", null));
        append(put(2, "a", "2", item("a", "1")));
        append(put(1, "a", "1", null));             // re-appended: a has slot 2, not slot 1's value
        append(withToken);                          // held: slot 3 is missing
        append(withToken);                          // re-appended while held
        awaitPolled();
        assertThat(store.get(TABLE, key("a"))).isEqualTo(item("a", "2"));
        assertThat(store.get(TABLE, key("b"))).isNull();
        assertThat(store.requestTokenEntry(TABLE, "token-4")).as("held, not applied").isNull();
        assertThat(store.progress(TABLE, 0).nextOffset()).as("the first record of slot 4").isEqualTo(3);

        append(put(3, "b", "3", null));
        append(withToken);                          // a duplicate now
        append(put(2, "a", "2", item("a", "1")));
        append(put(5, "a", "5", item("a", "2")));
        awaitApplied(5);
        processor.whenCaughtUp(P0).get(10, TimeUnit.SECONDS);
        assertThat(items()).containsOnlyKeys("a", "b");
        assertThat(store.get(TABLE, key("a"))).isEqualTo(item("a", "5"));
        assertThat(store.get(TABLE, key("b"))).isEqualTo(item("b", "4"));
        assertThat(store.requestTokenEntry(TABLE, "token-4").slot()).isEqualTo(4);
        assertThat(store.progress(TABLE, 0).nextOffset()).isEqualTo(9);
    }

    @Test
    void aDifferentValueForAHeldSlotStopsThePartition() throws Exception {
        append(put(1, "a", "1", null));
        append(put(3, "c", "3", null));
        append(put(3, "c", "other", null));
        append(put(2, "b", "2", null));
        assertThatThrownBy(() -> processor.whenApplied(P0, 2).get(10, TimeUnit.SECONDS))
                .hasMessageContaining("SAFETY VIOLATION").hasMessageContaining("slot 3");
        assertThat(items()).containsOnlyKeys("a");
        assertThat(store.progress(TABLE, 0).nextOffset()).isEqualTo(1);
    }

    /**
     * Compaction removes only entries older than its lag. A gap before an entry younger than that is
     * a late slot, waited for however long; once the entry after it is older than the lag (the
     * replica was that far behind), the gap is skipped.
     */
    @Test
    void onlyAGapCompactionCanExplainIsSkipped() throws Exception {
        append(put(1, "a", "1", null));
        append(put(3, "c", "3", null));
        awaitPolled();
        nowMs += COMPACTION_LAG_MS - 1;
        awaitPolled();
        awaitPolled();
        assertThat(items()).containsOnlyKeys("a");
        append(put(2, "b", "2", null));            // late, within the lag: applied in its place
        awaitApplied(3);
        assertThat(items()).containsOnlyKeys("a", "b", "c");
        assertThat(processor.slotsSkippedAsCompacted(P0)).isZero();

        // Slot 4 never comes; slot 5 was chosen now. Once it is older than the lag, compaction
        // may have removed slot 4: skipped (with a warning), with no other record to read.
        append(put(5, "e", "5", null));
        awaitPolled();
        assertThat(processor.whenApplied(P0, 5)).isNotDone();
        nowMs += COMPACTION_LAG_MS + 1;
        awaitApplied(5);
        assertThat(items()).containsOnlyKeys("a", "b", "c", "e");
        assertThat(processor.slotsSkippedAsCompacted(P0)).isEqualTo(1);
        assertThat(store.progress(TABLE, 0).nextOffset()).isEqualTo(4);

        // An entry read long after it was chosen, behind two compacted slots: skipped at once.
        append(put(8, "h", "8", null, nowMs - COMPACTION_LAG_MS - 1));
        awaitApplied(8);
        assertThat(processor.slotsSkippedAsCompacted(P0)).isEqualTo(3);
    }

    /**
     * A slot of a gap skipped as compacted that comes after all (it was late, not compacted) is
     * applied to its item if the item has seen nothing newer, and skipped if it has.
     */
    @Test
    void aSlotOfASkippedGapThatComesAfterAllIsAppliedToItsItemUnlessItHasSomethingNewer() throws Exception {
        long old = nowMs - COMPACTION_LAG_MS - 1;
        append(put(1, "a", "1", null, old));
        append(put(4, "c", "4", null, old));        // slots 2 and 3 look compacted
        awaitApplied(4);
        append(put(2, "b", "2", null, old));        // b has nothing newer: applied
        append(put(3, "c", "3", null, old));        // c has slot 4: skipped
        append(put(5, "d", "5", null));
        awaitApplied(5);
        processor.whenCaughtUp(P0).get(10, TimeUnit.SECONDS);
        assertThat(store.get(TABLE, key("b"))).isEqualTo(item("b", "2"));
        assertThat(store.get(TABLE, key("c"))).isEqualTo(item("c", "4"));
        assertThat(store.progress(TABLE, 0).nextOffset()).isEqualTo(5);
    }

    /**
     * A restart while entries are held: the persisted progress is the first held record, so the
     * new processor reads the held entries again (those it applied meanwhile are duplicates) and
     * ends in the same state.
     */
    @Test
    void aRestartWhileEntriesAreHeldReadsThemAgain() throws Exception {
        append(put(1, "a", "1", null));
        append(put(3, "c", "3", null));
        append(put(2, "b", "2", null));
        append(put(5, "e", "5", null));             // held: slot 4 is missing
        append(put(6, "f", "6", null));
        awaitApplied(3);
        awaitPolled();
        assertThat(store.progress(TABLE, 0).nextOffset()).as("slot 5's record").isEqualTo(3);
        processor.close();

        startProcessor();
        // The WAL from the persisted offset on.
        for (ConsumerRecord<byte[], byte[]> r : wal) if (r.offset() >= 3) deliver(r);
        awaitPolled();
        assertThat(consumer.position(TP0)).isEqualTo(5);
        assertThat(items()).containsOnlyKeys("a", "b", "c");
        assertThat(processor.whenApplied(P0, 5)).isNotDone();
        append(put(4, "d", "4", null));
        append(put(3, "c", "3", null));             // a re-append: skipped
        awaitApplied(6);
        processor.whenCaughtUp(P0).get(10, TimeUnit.SECONDS);
        assertThat(items()).containsOnlyKeys("a", "b", "c", "d", "e", "f");
        assertThat(store.progress(TABLE, 0).appliedSlot()).isEqualTo(6);
        assertThat(store.progress(TABLE, 0).nextOffset()).isEqualTo(7);
    }

    /**
     * An item's last WAL record is the one compaction keeps. When it is older than the item's
     * version (a stale append that landed after a newer record, applied or held ahead of a gap),
     * the partition reports the item, durably (a restarted replica still knows), until a record of
     * the covering slot or later comes.
     */
    @Test
    void anItemWhoseLastRecordIsStaleIsReportedUntilARecordCoversIt() throws Exception {
        append(put(1, "a", "1", null));
        append(put(2, "a", "2", null));
        append(put(3, "b", "3", null));
        awaitApplied(3);
        append(put(1, "a", "1", null));             // slot 1 lands again, after slot 2: stale
        append(put(5, "b", "5", null));             // held: slot 4 is missing
        append(put(3, "b", "3", null));             // b's slot 3 again, after its slot 5 (held): stale
        append(put(4, "c", "4", null));             // fills the gap: slot 5 is applied
        awaitApplied(5);
        awaitPolled();
        assertThat(tails()).containsOnly(Map.entry("a", 2L), Map.entry("b", 5L));

        processor.close();
        startProcessor();
        awaitPolled();
        assertThat(tails()).as("durable").containsOnly(Map.entry("a", 2L), Map.entry("b", 5L));
        for (ConsumerRecord<byte[], byte[]> r : wal) if (r.offset() >= store.progress(TABLE, 0).nextOffset()) deliver(r);
        append(put(2, "a", "2", null));             // slot 2 again: a's newest record, it covers a
        append(put(6, "b", "5", null));             // a rewrite of b in a new slot covers b
        awaitApplied(6);
        awaitPolled();
        assertThat(tails()).isEmpty();
        assertThat(items().get("a")).isEqualTo(item("a", "2"));
        assertThat(items().get("b")).isEqualTo(item("b", "5"));
        processor.close();
        startProcessor();
        awaitPolled();
        assertThat(tails()).isEmpty();
    }

    /** The partition's stale tails, by primary key value. */
    Map<String, Long> tails() {
        Map<String, Long> tails = new TreeMap<>();
        processor.staleTails(P0).forEach((key, coveredBy) -> {
            byte[] k = new byte[key.remaining()];
            key.duplicate().get(k);
            tails.put(((AttributeValue.S) KeyCodec.decodeKey(SCHEMA, k).get("pk")).value(), coveredBy);
        });
        return tails;
    }

    /**
     * A replica bootstraps from a compacted WAL: only the latest record of each key remains (and
     * the last no-op), at its original offset. It applies what is left in slot order, skipping the
     * gaps compaction made, and ends in the latest state: with the slots appended after later ones,
     * and with an entry whose only copy left is one a new leader appended again much later (its slot
     * was skipped as compacted by then).
     */
    @Test
    void bootstrapsFromACompactedWal() throws Exception {
        processor.close();
        long old = nowMs - COMPACTION_LAG_MS - 10_000;
        Random random = new Random(3);
        Map<Long, WalEntry> bySlot = new HashMap<>();
        Map<String, Map<String, AttributeValue>> current = new HashMap<>();
        List<WalEntry> order = new ArrayList<>();
        WalEntry failed = null;
        for (long slot = 1; slot <= 200; slot++) {
            // Slots 61 and 141 are appended after the slot that follows them (their first append
            // failed); their items are written once, so compaction keeps them.
            boolean lateAppend = slot == 61 || slot == 141;
            String pk = lateAppend ? "late" + slot : slot == 30 ? "again30" : "k" + random.nextInt(40);
            WalEntry e = lateAppend || slot == 30 ? put(slot, pk, Long.toString(slot), null, old + slot) : switch (random.nextInt(8)) {
                case 0 -> delete(slot, pk, current.get(pk), old + slot);
                case 1 -> WalEntry.noop(TABLE, 0, slot, new Ballot(2, 1), old + slot);
                default -> put(slot, pk, Long.toString(slot), current.get(pk), old + slot);
            };
            bySlot.put(slot, e);
            if (e.kind() == WalEntry.Kind.PUT) current.put(pk, e.newImage()); else if (e.kind() == WalEntry.Kind.DELETE) current.remove(pk);
            if (lateAppend) {
                failed = e;
                continue;
            }
            order.add(e);
            if (failed != null) order.add(failed);
            failed = null;
            if (random.nextInt(15) == 0) order.add(e);  // appended again by a new leader
            // A new leader appends an item it recovered again, long after (so that compaction keeps
            // its latest entry): the WAL keeps only that copy, well after the slots that follow it.
            if (slot == 190) order.add(bySlot.get(30L));
        }
        // Compaction keeps the last record of every key (a tombstone too, within its retention).
        Map<java.nio.ByteBuffer, Integer> last = new HashMap<>();
        for (int offset = 0; offset < order.size(); offset++) {
            WalEntry e = order.get(offset);
            last.put(java.nio.ByteBuffer.wrap(keyOf(e)), offset);
        }
        startProcessor();
        // Read in polls of up to 10 records, as a consumer reads a backlog.
        List<ConsumerRecord<byte[], byte[]>> kept = new ArrayList<>();
        for (int offset : new java.util.TreeSet<>(last.values())) kept.add(record(order.get(offset), offset));
        nextOffset = order.size();
        consumer.updateEndOffsets(Map.of(TP0, nextOffset));
        for (int i = 0; i < kept.size(); i += 10) {
            List<ConsumerRecord<byte[], byte[]>> poll = kept.subList(i, Math.min(kept.size(), i + 10));
            consumer.schedulePollTask(() -> poll.forEach(consumer::addRecord));
        }
        awaitApplied(200);
        processor.whenCaughtUp(P0).get(10, TimeUnit.SECONDS);
        assertThat(items()).isEqualTo(stateAfter(bySlot, 200)).containsKeys("late61", "late141", "again30");
        assertThat(processor.slotsSkippedAsCompacted(P0)).isPositive();
        assertThat(store.progress(TABLE, 0).appliedSlot()).isEqualTo(200);
    }

    /** A missing slot that never comes, while entries pile up behind it: the partition stops rather than grow without bound. */
    @Test
    void aPartitionHoldingTooMuchStops() throws Exception {
        processor.close();
        maxHeldBytes = 3 * (HeldEntries.ENTRY_OVERHEAD_BYTES + WalEntryCodec.encode(put(10, "x", "10", null)).length);
        startProcessor();
        append(put(1, "a", "1", null));
        for (long slot = 3; slot <= 6; slot++) append(put(slot, "x", Long.toString(slot), null));
        assertThatThrownBy(() -> processor.whenApplied(P0, 2).get(10, TimeUnit.SECONDS))
                .hasMessageContaining("holds 4 entries").hasMessageContaining("ahead of slot 2");
        assertThat(items()).containsOnlyKeys("a");
        assertThat(store.progress(TABLE, 0).nextOffset()).isEqualTo(1);
    }

    /**
     * Every record the WAL held when it was asked is applied, or was a duplicate, once caught up:
     * a record held behind a gap keeps it waiting until the gap fills.
     */
    @Test
    void caughtUpMeansEveryRecordTheWalHeldIsApplied() throws Exception {
        append(put(1, "a", "1", null));
        append(put(2, "b", "2", null));
        processor.whenCaughtUp(P0).get(10, TimeUnit.SECONDS);
        assertThat(store.progress(TABLE, 0).nextOffset()).isEqualTo(2);

        append(put(4, "d", "4", null));
        awaitPolled();
        CompletableFuture<Void> caughtUp = processor.whenCaughtUp(P0);
        awaitPolled();
        awaitPolled();
        assertThat(caughtUp).as("slot 4 is held behind slot 3").isNotDone();
        append(put(3, "c", "3", null));
        caughtUp.get(10, TimeUnit.SECONDS);
        assertThat(items()).containsOnlyKeys("a", "b", "c", "d");
    }

    /**
     * A new leader's read-back: it completes once every record the WAL held is read, held ones
     * too (unlike caught-up, it does not wait for a gap to fill), with the slot through which
     * every slot is applied.
     */
    @Test
    void readBackCountsHeldEntriesAsReadAndAnswersTheContiguousAppliedSlot() throws Exception {
        append(put(1, "a", "1", null));
        append(put(2, "b", "2", null));
        assertThat(processor.whenRead(P0).get(10, TimeUnit.SECONDS)).isEqualTo(2);

        append(put(4, "d", "4", null));
        append(put(5, "e", "5", null));
        assertThat(processor.whenRead(P0).get(10, TimeUnit.SECONDS)).as("slots 4 and 5 are held behind slot 3").isEqualTo(2);
        CompletableFuture<Void> caughtUp = processor.whenCaughtUp(P0);
        awaitPolled();
        assertThat(caughtUp).isNotDone();

        append(put(3, "c", "3", null));
        assertThat(processor.whenRead(P0).get(10, TimeUnit.SECONDS)).isEqualTo(5);
        caughtUp.get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> processor.whenRead(new PartitionRef(TABLE, 7)).get(10, TimeUnit.SECONDS))
                .hasMessageContaining("not on this replica");
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
    void tombstonesDeleteAndNoopsFillTheirSlots() throws Exception {
        append(put(1, "a", "1", null));
        append(WalEntry.noop(TABLE, 0, 3, new Ballot(2, 1), nowMs));   // held until slot 2
        append(delete(2, "a", item("a", "1")));
        awaitApplied(3);
        assertThat(store.get(TABLE, key("a"))).isNull();
        assertThat(store.progress(TABLE, 0).appliedBallot()).isEqualTo(new Ballot(2, 1));
        assertThat(store.progress(TABLE, 0).nextOffset()).isEqualTo(3);
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
        WalEntry a1 = put(1, "a", "1", null);
        WalEntry c3 = put(3, "c", "1", null);
        append(a1);
        append(put(2, "b", "1", null));
        awaitApplied(2);
        processor.close();
        // While it was away, compaction dropped b's delete: the WAL now holds only a's put and later entries.
        nowMs += REBUILD_AFTER_MS + 1;
        nextOffset = 0;
        startProcessor();
        append(a1);
        append(c3);
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
