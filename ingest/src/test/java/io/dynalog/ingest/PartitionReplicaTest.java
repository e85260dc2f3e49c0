package io.dynalog.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.ingest.acceptor.RocksAcceptorStores;
import io.dynalog.ingest.paxos.PaxosConfig;
import io.dynalog.ingest.replication.ReplicationRuntime;
import io.dynalog.ingest.testing.NoPeers;
import io.dynalog.topology.keys.ItemCollections;
import io.dynalog.topology.keys.KeyCodec;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.IndexProjection;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.topology.time.Time;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition's write path over a real replication runtime (a group of one, RocksDB acceptor
 * store) with a WAL that fails some appends: writes are acknowledged once chosen, read-modify-
 * writes of one item are serialised, and the WAL ends up with every chosen slot, in order, with
 * no gap (a failed append is appended again; duplicates are allowed).
 */
class PartitionReplicaTest {
    static final KeySchema SCHEMA = KeySchema.hash("pk", ScalarType.S);
    static final PaxosConfig CONFIG = new PaxosConfig(500, 50, 400, 1_000, 64);
    static final long STALE_APPEND_WINDOW_MS = 300;

    @TempDir
    Path dir;
    RocksAcceptorStores stores;
    ReplicationRuntime runtime;
    ExecutorService completions;
    final FlakyWal wal = new FlakyWal();
    final MapReplica replica = new MapReplica();
    IngestService ingest;
    TableDescriptor table;

    @BeforeEach
    void start() throws Exception {
        stores = RocksAcceptorStores.open(dir, IngestFixtures.FAIL_TEST);
        completions = Executors.newFixedThreadPool(2);
        runtime = new ReplicationRuntime(1, new NoPeers(), stores, CONFIG, 2, Time.SYSTEM, new Random(1), IngestFixtures.FAIL_TEST).start();
        ingest = new IngestService(1, replica, wal, completions, runtime, Time.SYSTEM, STALE_APPEND_WINDOW_MS,
                COLLECTION_LIMIT_BYTES);
        replica.listener = ingest;
        table = new TableDescriptor("t", 42, SCHEMA, List.of(new TableDescriptor.AttributeDefinition("pk", ScalarType.S)),
                "PAY_PER_REQUEST", 0, 0, 1, 0, TableStatus.ACTIVE, "wal", List.of(List.of(1)));
        ingest.lead(table).get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        ingest.close();
        runtime.close();
        stores.close();
        completions.shutdownNow();
        wal.kafka.shutdownNow();
    }

    static byte[] key(String pk) {
        return KeyCodec.storeKey(SCHEMA, Map.of("pk", AttributeValue.s(pk)));
    }

    /** Adds one to the item's counter: correct only if each increment sees the one before it. */
    static Mutation increment(String pk) {
        return current -> {
            BigDecimal n = current == null ? BigDecimal.ZERO : ((AttributeValue.N) current.get("n")).value();
            return Mutation.Result.put(Map.of("pk", AttributeValue.s(pk), "n", new AttributeValue.N(n.add(BigDecimal.ONE))));
        };
    }

    @Test
    void thePartitionsOfANodeTogetherRefuseWritesPastTheNodesBudgetUntilKafkaCatchesUp() throws Exception {
        // Two partitions led here, a budget of 40 KB for both, 10 KB items, and Kafka refusing every append.
        ingest.close();
        runtime.close();
        runtime = new ReplicationRuntime(1, new NoPeers(), stores, CONFIG, 2, Time.SYSTEM, new Random(3), IngestFixtures.FAIL_TEST).start();
        ingest = new IngestService(1, replica, wal, completions, runtime, Time.SYSTEM, STALE_APPEND_WINDOW_MS, COLLECTION_LIMIT_BYTES,
                AmnesiaGuard.NONE, new HeldBytesBudget(40_000));
        replica.listener = ingest;
        TableDescriptor two = new TableDescriptor("two", 43, SCHEMA, List.of(new TableDescriptor.AttributeDefinition("pk", ScalarType.S)),
                "PAY_PER_REQUEST", 0, 0, 2, 0, TableStatus.ACTIVE, "wal", List.of(List.of(1), List.of(1)));
        ingest.lead(two).get(10, TimeUnit.SECONDS);
        wal.failuresLeft.set(Integer.MAX_VALUE);
        String blob = "x".repeat(10_000);
        int acknowledged = 0;
        IngestException refusal = null;
        for (int i = 0; i < 20 && refusal == null; i++) {
            Map<String, AttributeValue> item = Map.of("pk", AttributeValue.s("p0-" + i), "blob", AttributeValue.s(blob));
            try {
                ingest.write(two, 0, key("p0-" + i), current -> Mutation.Result.put(item)).get(10, TimeUnit.SECONDS);
                acknowledged++;
            } catch (java.util.concurrent.ExecutionException e) {
                refusal = (IngestException) e.getCause();
            }
        }
        assertThat(acknowledged).as("writes acknowledged while Kafka refuses appends, before the budget is spent").isBetween(3, 5);
        assertThat(refusal.reason()).isEqualTo(IngestException.Reason.OVERLOADED);
        assertThat(refusal).hasMessageContaining("over the node's budget of 40000");
        // The other partition holds nothing, and is refused too: the budget is the node's.
        Map<String, AttributeValue> other = Map.of("pk", AttributeValue.s("p1"), "blob", AttributeValue.s(blob));
        assertThat(ingest.write(two, 1, key("p1"), current -> Mutation.Result.put(other)))
                .failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(IngestException.class).withMessageContaining("budget");
        // Kafka is back: once the WAL holds the entries and the replica applied them, writes are taken again.
        wal.failuresLeft.set(0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                ingest.write(two, 1, key("p1"), current -> Mutation.Result.put(other)).get(10, TimeUnit.SECONDS);
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(((IngestException) e.getCause()).reason()).isEqualTo(IngestException.Reason.OVERLOADED);
                assertThat(System.nanoTime()).as("a write taken within 10 s of Kafka coming back").isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    @Test
    void aWriteRetriedWithItsTokenTakesEffectOnceAndReportsTheFirstOutcome() throws Exception {
        // Twice at once (the retry waits in the item's queue while the first is chosen: found in the overlay).
        CompletableFuture<WriteOutcome> first = ingest.write(table, 0, key("a"), increment("a"), "tok-1");
        CompletableFuture<WriteOutcome> again = ingest.write(table, 0, key("a"), increment("a"), "tok-1");
        WriteOutcome outcome = first.get(10, TimeUnit.SECONDS);
        assertThat(again.get(10, TimeUnit.SECONDS)).isEqualTo(outcome);
        assertThat(outcome.newImage()).containsEntry("n", new AttributeValue.N(BigDecimal.ONE));
        // Once the local replica applied it (the overlay is trimmed): found in its token table.
        ingest.readBarrier(table, 0).get(10, TimeUnit.SECONDS);
        assertThat(replica.tokens).containsKey("tok-1");
        WriteOutcome later = ingest.write(table, 0, key("a"), increment("a"), "tok-1").get(10, TimeUnit.SECONDS);
        assertThat(later.oldImage()).isNull();
        assertThat(later.newImage()).isEqualTo(outcome.newImage());
        assertThat(later.slot()).isEqualTo(outcome.slot());
        // Another token, and no token, take effect.
        assertThat(ingest.write(table, 0, key("a"), increment("a"), "tok-2").get(10, TimeUnit.SECONDS).slot()).isEqualTo(outcome.slot() + 1);
        assertThat(ingest.write(table, 0, key("a"), increment("a")).get(10, TimeUnit.SECONDS).slot()).isEqualTo(outcome.slot() + 2);
        Map<String, AttributeValue> item = ingest.consistentGet(table, 0, key("a")).get(10, TimeUnit.SECONDS);
        assertThat(item).containsEntry("n", new AttributeValue.N(new BigDecimal(3)));
        // The token of a write to another item is refused, and writes nothing.
        CompletableFuture<WriteOutcome> reused = ingest.write(table, 0, key("b"), increment("b"), "tok-1");
        assertThat(reused).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(RequestTokenMismatchException.class);
        assertThat(ingest.consistentGet(table, 0, key("b")).get(10, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void concurrentIncrementsAreSerialisedAndNothingIsLostDespiteFailedAndReorderedAppends() throws Exception {
        wal.failuresLeft.set(7);
        List<CompletableFuture<WriteOutcome>> writes = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String pk = "k" + (i % 3);
            writes.add(ingest.write(table, 0, key(pk), increment(pk)));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        for (int k = 0; k < 3; k++) {
            Map<String, AttributeValue> item = ingest.consistentGet(table, 0, key("k" + k)).get(10, TimeUnit.SECONDS);
            assertThat(((AttributeValue.N) item.get("n")).value()).isEqualByComparingTo("100");
        }
        // Once the read barrier passes, the replica's store holds every acknowledged write, though
        // the WAL holds some slots after later ones.
        long last = writes.stream().mapToLong(w -> w.join().slot()).max().orElseThrow();
        ingest.readBarrier(table, 0).get(30, TimeUnit.SECONDS);
        assertThat(wal.failuresLeft.get()).isZero();
        List<Long> landed = replica.landedSlots();
        assertThat(landed).contains(last);
        boolean reordered = false;
        for (int i = 1; i < landed.size(); i++) reordered |= landed.get(i) < landed.get(i - 1);
        assertThat(reordered).as("some slot landed after a later one: %s", landed).isTrue();
        for (int k = 0; k < 3; k++) {
            assertThat(replica.items.get(new StoreKey(key("k" + k)))).containsEntry("n", new AttributeValue.N(new BigDecimal(100)));
        }
    }

    static final KeySchema SIZED_KEY = KeySchema.hashRange("pk", ScalarType.S, "sk", ScalarType.S);
    static final IndexDescriptor BY_X = IndexDescriptor.local("byX", 43, KeySchema.hashRange("pk", ScalarType.S, "x", ScalarType.S),
            IndexProjection.ALL);
    static final ItemCollections SIZING = ItemCollections.of(SIZED_KEY, List.of(BY_X));
    /** Ten of {@link #sized}'s items, and half of one more. */
    static final long COLLECTION_LIMIT_BYTES = 10 * sizedItemBytes() + sizedItemBytes() / 2;

    /** An item of a table with a local index; all of one collection's items are the same size. */
    static Map<String, AttributeValue> sized(String pk, int sk) {
        return Map.of("pk", AttributeValue.s(pk), "sk", AttributeValue.s(String.format("%03d", sk)), "x", AttributeValue.s("x"),
                "payload", AttributeValue.s("p".repeat(200)));
    }

    static long sizedItemBytes() {
        return SIZING.bytesOf(sized("a", 0));
    }

    /**
     * Writes to one item collection, all in flight at once while the WAL refuses and reorders some
     * appends (so the replica lags and the leader counts chosen and proposed writes itself): those
     * that fit under the limit are acknowledged and the rest refused, whichever order they are
     * chosen in; another collection is not affected, and a delete makes room again.
     */
    /** Leads a table with a local index instead of {@link #table}. */
    TableDescriptor leadSizedTable() throws Exception {
        ingest.abandon(table.tableId(), 1);
        table = new TableDescriptor("s", 44, SIZED_KEY, List.of(), "PAY_PER_REQUEST", 0, 0, 1, 0,
                TableStatus.ACTIVE, "wal", List.of(List.of(1))).withIndexes(List.of(BY_X));
        replica.sizing = ItemCollections.of(table);
        ingest.lead(table).get(10, TimeUnit.SECONDS);
        return table;
    }

    @Test
    void writesThatWouldGrowAnItemCollectionPastTheLimitAreRefusedWhileOthersAreInFlight() throws Exception {
        TableDescriptor sizedTable = leadSizedTable();
        wal.failuresLeft.set(5);
        List<CompletableFuture<WriteOutcome>> full = new ArrayList<>();
        List<CompletableFuture<WriteOutcome>> other = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            full.add(ingest.write(sizedTable, 0, KeyCodec.storeKey(SIZED_KEY, sized("a", i)), IngestFixtures.put(sized("a", i))));
            if (i < 5) other.add(ingest.write(sizedTable, 0, KeyCodec.storeKey(SIZED_KEY, sized("b", i)), IngestFixtures.put(sized("b", i))));
        }
        List<WriteOutcome> acknowledged = new ArrayList<>();
        int refused = 0;
        for (CompletableFuture<WriteOutcome> f : full) {
            try {
                acknowledged.add(f.get(30, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(CollectionSizeLimitException.class)
                        .hasMessageContaining("over the limit of " + COLLECTION_LIMIT_BYTES + " bytes");
                refused++;
            }
        }
        assertThat(acknowledged).hasSize(10);
        assertThat(refused).isEqualTo(20);
        assertThat(acknowledged).extracting(WriteOutcome::collectionBytes)
                .containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.rangeClosed(1, 10).map(n -> n * sizedItemBytes()).boxed().toList());
        for (CompletableFuture<WriteOutcome> f : other) assertThat(f.get(30, TimeUnit.SECONDS).collectionBytes()).isPositive();

        ingest.readBarrier(sizedTable, 0).get(30, TimeUnit.SECONDS);
        byte[] a = SIZING.keyOf(sized("a", 0));
        assertThat(replica.collection(44, a, List.of()).bytes()).isEqualTo(10 * sizedItemBytes());
        // Rewriting an item at the same size is no growth; a bigger one is; a delete makes room.
        WriteOutcome first = acknowledged.get(0);
        Map<String, AttributeValue> kept = first.newImage();
        byte[] keptKey = KeyCodec.storeKey(SIZED_KEY, kept);
        assertThat(ingest.write(sizedTable, 0, keptKey, IngestFixtures.put(kept)).get(10, TimeUnit.SECONDS).collectionBytes())
                .isEqualTo(10 * sizedItemBytes());
        Map<String, AttributeValue> bigger = new HashMap<>(kept);
        bigger.put("more", AttributeValue.s("m".repeat(300))); // grows the item and its index row past half an item
        assertThat(failureOf(ingest.write(sizedTable, 0, keptKey, IngestFixtures.put(bigger)))).isInstanceOf(CollectionSizeLimitException.class);
        assertThat(ingest.write(sizedTable, 0, keptKey, IngestFixtures.delete()).get(10, TimeUnit.SECONDS).collectionBytes())
                .isEqualTo(9 * sizedItemBytes());
        assertThat(ingest.write(sizedTable, 0, KeyCodec.storeKey(SIZED_KEY, sized("a", 99)), IngestFixtures.put(sized("a", 99)))
                .get(10, TimeUnit.SECONDS).collectionBytes()).isEqualTo(10 * sizedItemBytes());
    }

    /**
     * A new leader sizes a collection with the entries it recovered (the old leader's appends all
     * failed), which are both in its overlay and in its replica: one count, never two.
     */
    @Test
    void aNewLeaderSizesCollectionsWithWhatItRecovered() throws Exception {
        TableDescriptor sizedTable = leadSizedTable();
        wal.failuresLeft.set(Integer.MAX_VALUE);
        for (int i = 0; i < 3; i++) {
            ingest.write(sizedTable, 0, KeyCodec.storeKey(SIZED_KEY, sized("a", i)), IngestFixtures.put(sized("a", i))).get(10, TimeUnit.SECONDS);
        }
        stopNode();
        assertThat(replica.items).as("nothing reached the replica").isEmpty();
        wal.failuresLeft.set(0);
        // The new leader serves once its replica has the recovered entries, which its overlay
        // holds too: each must be counted once.
        restartAsLeader(STALE_APPEND_WINDOW_MS, 3);
        assertThat(ingest.write(sizedTable, 0, KeyCodec.storeKey(SIZED_KEY, sized("a", 3)), IngestFixtures.put(sized("a", 3)))
                .get(10, TimeUnit.SECONDS).collectionBytes()).isEqualTo(4 * sizedItemBytes());
        ingest.readBarrier(sizedTable, 0).get(10, TimeUnit.SECONDS);
        assertThat(replica.collection(44, SIZING.keyOf(sized("a", 0)), List.of()).bytes()).isEqualTo(4 * sizedItemBytes());
        assertThat(ingest.write(sizedTable, 0, KeyCodec.storeKey(SIZED_KEY, sized("a", 4)), IngestFixtures.put(sized("a", 4)))
                .get(10, TimeUnit.SECONDS).collectionBytes()).isEqualTo(5 * sizedItemBytes());
    }

    /**
     * A leader elected while Kafka is down serves at once: its replica applied every slot the WAL
     * was known to hold, and everything chosen since is in its view. Before, it waited for its
     * replica to apply the recovered slots, which only Kafka could bring, gave its leadership up
     * after the recovery deadline, and the partition went unavailable until Kafka came back
     * (seen in KafkaOutageTest, after a leader change during the outage).
     */
    @Test
    void aLeaderElectedWhileKafkaIsDownServesAtOnce() throws Exception {
        ingest.write(table, 0, key("a"), increment("a")).get(10, TimeUnit.SECONDS);
        ingest.readBarrier(table, 0).get(10, TimeUnit.SECONDS);
        wal.failuresLeft.set(Integer.MAX_VALUE);
        ingest.write(table, 0, key("a"), increment("a")).get(10, TimeUnit.SECONDS); // chosen; never in the WAL
        stopNode();
        restartAsLeader(STALE_APPEND_WINDOW_MS, 4); // Kafka still refuses every append
        assertThat(ingest.consistentGet(table, 0, key("a")).get(10, TimeUnit.SECONDS)).containsEntry("n", new AttributeValue.N(new BigDecimal(2)));
        WriteOutcome third = ingest.write(table, 0, key("a"), increment("a")).get(10, TimeUnit.SECONDS);
        assertThat(third.newImage()).containsEntry("n", new AttributeValue.N(new BigDecimal(3)));
        assertThat(replica.items.get(new StoreKey(key("a")))).as("the replica has only what the WAL brought")
                .containsEntry("n", new AttributeValue.N(BigDecimal.ONE));
        // Kafka is back: the WAL gets everything, and the replica catches up.
        wal.failuresLeft.set(0);
        awaitLanded(third.slot(), 1);
        assertThat(replica.items.get(new StoreKey(key("a")))).containsEntry("n", new AttributeValue.N(new BigDecimal(3)));
    }

    /**
     * A deposed leader's append that a broker takes after any timeout (paused with the request in
     * its socket) lands after the item's newer records, and compaction would keep it. The replica
     * reports the item; the leader writes it again, unchanged, in a new slot, whose record covers
     * the stale one. A deleted item is written again as a delete of nothing.
     */
    @Test
    void aStaleRecordLandingLastIsCoveredByARewriteOfItsItem() throws Exception {
        WriteOutcome first = ingest.write(table, 0, key("a"), increment("a")).get(10, TimeUnit.SECONDS);
        WriteOutcome second = ingest.write(table, 0, key("a"), increment("a")).get(10, TimeUnit.SECONDS);
        WriteOutcome put = ingest.write(table, 0, key("b"), increment("b")).get(10, TimeUnit.SECONDS);
        WriteOutcome delete = ingest.write(table, 0, key("b"), current -> Mutation.Result.delete()).get(10, TimeUnit.SECONDS);
        awaitLanded(delete.slot(), 1);
        assertThat(replica.staleTails(42, 0)).isEmpty();

        // The stale records land last, as from a broker that resumed.
        replica.land(new WalEntry(42, 0, first.slot(), new Ballot(1, 1), WalEntry.Kind.PUT, key("a"), first.newImage(), null, 0, null));
        replica.land(new WalEntry(42, 0, put.slot(), new Ballot(1, 1), WalEntry.Kind.PUT, key("b"), put.newImage(), null, 0, null));
        assertThat(replica.staleTails(42, 0)).hasSize(2);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!replica.staleTails(42, 0).isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(replica.staleTails(42, 0)).as("every stale record is covered").isEmpty();
        List<Long> landed = replica.landedSlots();
        assertThat(landed.subList(landed.size() - 2, landed.size())).as("two rewrites, in new slots")
                .allSatisfy(slot -> assertThat(slot).isGreaterThan(delete.slot()));
        assertThat(replica.items.get(new StoreKey(key("a")))).isEqualTo(second.newImage());
        assertThat(replica.items.get(new StoreKey(key("b")))).isNull();
        assertThat(ingest.consistentGet(table, 0, key("a")).get(10, TimeUnit.SECONDS)).isEqualTo(second.newImage());
        assertThat(ingest.consistentGet(table, 0, key("b")).get(10, TimeUnit.SECONDS)).isNull();
    }

    static Throwable failureOf(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
    }

    /**
     * A leader that recovers entries it has no proof the WAL holds appends them again at once, and
     * once a deposed leader's appends can no longer land, appends each recovered item's latest
     * entry once more, so that it is the item's newest record (the one compaction keeps).
     */
    @Test
    void aNewLeaderAppendsRecoveredItemsLatestEntriesAgainAfterTheStaleWindow() throws Exception {
        long[] slots = writeUnarchivedAndStop(); // k1, k1 again, k2
        long k1First = slots[0];
        long k1Latest = slots[1];
        long k2 = slots[2];

        // The node comes back as leader: it recovers the three slots from its acceptor state.
        wal.failuresLeft.set(0);
        restartAsLeader(STALE_APPEND_WINDOW_MS, 2);
        awaitLanded(k1Latest, 2);
        awaitLanded(k2, 2);
        List<Long> landed = replica.landedSlots();
        assertThat(Collections.frequency(landed, k1Latest)).as("k1's latest entry, again: %s", landed).isEqualTo(2);
        assertThat(Collections.frequency(landed, k2)).as("k2's latest entry, again: %s", landed).isEqualTo(2);
        assertThat(Collections.frequency(landed, k1First)).as("an entry superseded by a later one of its item: %s", landed).isEqualTo(1);
        assertThat(replica.items.get(new StoreKey(key("k1")))).containsEntry("n", new AttributeValue.N(new BigDecimal(2)));
    }

    /**
     * Chained failovers: a leader that recovered items at risk is deposed before its stale-append
     * window ends. It reported nothing archived past where its leadership started, so the next
     * leader recovers those items again and appends their latest entries once its own window ends.
     * What its read-back found in the WAL it does not append at once: appended again, an entry
     * could land after a newer record of its item.
     */
    @Test
    void aLeaderDeposedBeforeItsStaleWindowEndsLeavesTheRecoveredItemsToItsSuccessor() throws Exception {
        long[] slots = writeUnarchivedAndStop();
        long k1First = slots[0];
        long k1Latest = slots[1];
        long k2 = slots[2];

        // The second leader appends what it recovered, but its window (a minute) never ends here.
        wal.failuresLeft.set(0);
        restartAsLeader(60_000, 2);
        awaitLanded(k2, 1);
        long written = ingest.write(table, 0, key("k3"), increment("k3")).get(10, TimeUnit.SECONDS).slot();
        awaitLanded(written, 1);
        stopNode();

        // The third leader recovers the at-risk items again; its read-back finds every slot in the
        // WAL, so it appends only the items' latest entries, after its own window.
        restartAsLeader(STALE_APPEND_WINDOW_MS, 3);
        awaitLanded(k1Latest, 2);
        awaitLanded(k2, 2);
        awaitLanded(written, 2);
        List<Long> landed = replica.landedSlots();
        assertThat(Collections.frequency(landed, k1Latest)).as("k1's latest entry: %s", landed).isEqualTo(2);
        assertThat(Collections.frequency(landed, k1First)).as("k1's first entry: %s", landed).isEqualTo(1);
        assertThat(Collections.frequency(landed, written)).as("written after the first failover: %s", landed).isEqualTo(2);
        assertThat(replica.items.get(new StoreKey(key("k1")))).containsEntry("n", new AttributeValue.N(new BigDecimal(2)));
    }

    /** Writes k1 twice and k2 once while nothing reaches the WAL, then stops the node; returns the three slots. */
    long[] writeUnarchivedAndStop() throws Exception {
        wal.failuresLeft.set(Integer.MAX_VALUE);
        long[] slots = new long[3];
        String[] keys = {"k1", "k1", "k2"};
        for (int i = 0; i < 3; i++) slots[i] = ingest.write(table, 0, key(keys[i]), increment(keys[i])).get(10, TimeUnit.SECONDS).slot();
        stopNode();
        return slots;
    }

    /** Stops the node, and lets the appends it already handed to the WAL finish (fail, here) first. */
    void stopNode() throws Exception {
        ingest.close();
        runtime.close();
        wal.kafka.submit(() -> { }).get(10, TimeUnit.SECONDS);
    }

    void restartAsLeader(long staleAppendWindowMs, int seed) throws Exception {
        runtime = new ReplicationRuntime(1, new NoPeers(), stores, CONFIG, 2, Time.SYSTEM, new Random(seed), IngestFixtures.FAIL_TEST).start();
        ingest = new IngestService(1, replica, wal, completions, runtime, Time.SYSTEM, staleAppendWindowMs,
                COLLECTION_LIMIT_BYTES);
        replica.listener = ingest;
        ingest.lead(table).get(10, TimeUnit.SECONDS);
    }

    void awaitLanded(long slot, int times) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Collections.frequency(replica.landedSlots(), slot) < times && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(Collections.frequency(replica.landedSlots(), slot)).as("slot %d landed %d times", slot, times)
                .isGreaterThanOrEqualTo(times);
    }

    /**
     * A WAL that refuses a few appends and, like an idempotent producer that re-sequences after a
     * failed batch, lets later appends land anyway: slot s+1 may land before s is appended again.
     * What lands is consumed by the replica at once.
     */
    final class FlakyWal implements WalAppender {
        final AtomicInteger failuresLeft = new AtomicInteger();
        final ExecutorService kafka = Executors.newSingleThreadExecutor();

        @Override
        public CompletableFuture<Long> append(String walTopic, WalEntry entry) {
            return CompletableFuture.supplyAsync(() -> {
                if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) throw new IllegalStateException("Kafka said no");
                return replica.land(entry);
            }, kafka);
        }

        @Override
        public void close() {}
    }

    /**
     * The WAL partition and the local replica that consumes it as {@code ReplicaProcessor} does:
     * an entry above the applied slot is applied; one at or below it only if its item has seen
     * nothing newer (a late slot); duplicates are skipped. An item whose newest record is older
     * than its version (a stale append landed last) is reported until a record covers it.
     */
    static final class MapReplica implements LocalReplica {
        final Map<StoreKey, Map<String, AttributeValue>> items = new ConcurrentHashMap<>();
        private final Map<StoreKey, Long> versions = new HashMap<>();
        private final Map<StoreKey, Long> staleTails = new HashMap<>();
        final List<Long> landed = new ArrayList<>();
        /** The request tokens of the entries applied, as ReplicaStore records them. */
        final Map<String, WalEntry> tokens = new ConcurrentHashMap<>();
        /** How the table's item collections are sized, when it has local indexes. */
        volatile ItemCollections sizing;
        private long appliedSlot;
        private final List<Map.Entry<Long, CompletableFuture<Void>>> waiters = new ArrayList<>();
        volatile IngestService listener;

        /** Appends to the WAL partition and consumes it; returns the entry's offset. */
        long land(WalEntry e) {
            long offset;
            synchronized (this) {
                offset = landed.size();
                landed.add(e.slot());
                StoreKey key = new StoreKey(e.storeKey());
                boolean late = e.slot() <= appliedSlot;
                if (e.kind() != WalEntry.Kind.NOOP && (!late || versions.getOrDefault(key, -1L) < e.slot())) {
                    if (e.kind() == WalEntry.Kind.PUT) items.put(key, e.newImage()); else items.remove(key);
                    versions.put(key, e.slot());
                }
                if (e.kind() != WalEntry.Kind.NOOP) {
                    long newest = versions.getOrDefault(key, -1L);
                    if (newest > e.slot()) staleTails.put(key, newest);
                    else if (e.slot() >= staleTails.getOrDefault(key, Long.MAX_VALUE)) staleTails.remove(key);
                }
                if (e.requestToken() != null) tokens.put(e.requestToken(), e);
                appliedSlot = Math.max(appliedSlot, e.slot());
                waiters.removeIf(w -> {
                    if (w.getKey() > appliedSlot) return false;
                    w.getValue().complete(null);
                    return true;
                });
            }
            IngestService l = listener;
            if (l != null) l.onApplied(e.tableId(), e.partition(), offset + 1);
            return offset;
        }

        @Override
        public synchronized List<StaleTail> staleTails(long tableId, int partition) {
            List<StaleTail> tails = new ArrayList<>();
            staleTails.forEach((key, coveredBy) -> tails.add(new StaleTail(key.bytes(), coveredBy)));
            return tails;
        }

        synchronized List<Long> landedSlots() {
            return List.copyOf(landed);
        }

        @Override
        public Map<String, AttributeValue> read(long tableId, byte[] storeKey) {
            return items.get(new StoreKey(storeKey));
        }

        @Override
        public WalEntry recordedWrite(long tableId, String requestToken) {
            return tokens.get(requestToken);
        }

        /** Sums the collection from the items, as they are now: what ReplicaStore keeps as it applies them. */
        @Override
        public synchronized CollectionSize collection(long tableId, byte[] collectionKey, List<byte[]> storeKeys) {
            long bytes = 0;
            for (Map.Entry<StoreKey, Map<String, AttributeValue>> e : items.entrySet()) {
                byte[] k = e.getKey().bytes();
                if (k.length >= collectionKey.length && java.util.Arrays.equals(k, 0, collectionKey.length, collectionKey, 0, collectionKey.length)) {
                    bytes += sizing.bytesOf(e.getValue());
                }
            }
            List<Map<String, AttributeValue>> images = new ArrayList<>();
            for (byte[] key : storeKeys) images.add(items.get(new StoreKey(key)));
            return new CollectionSize(bytes, images);
        }

        /** Every slot through the first that has not landed: this replica applies late slots too. */
        @Override
        public synchronized long appliedSlot(long tableId, int partition) {
            Set<Long> slots = new HashSet<>(landed);
            long through = 0;
            while (slots.contains(through + 1)) through++;
            return through;
        }

        @Override
        public synchronized CompletableFuture<Void> whenApplied(long tableId, int partition, long slot) {
            if (slot <= appliedSlot) return CompletableFuture.completedFuture(null);
            CompletableFuture<Void> f = new CompletableFuture<>();
            waiters.add(Map.entry(slot, f));
            return f;
        }

        @Override
        public CompletableFuture<Void> whenCaughtUp(long tableId, int partition) {
            return CompletableFuture.completedFuture(null); // consumed as it lands
        }

        /** Consumed as it lands: the slot through which every slot has landed. */
        @Override
        public synchronized CompletableFuture<Long> whenRead(long tableId, int partition) {
            return CompletableFuture.completedFuture(appliedSlot(tableId, partition));
        }
    }

}
