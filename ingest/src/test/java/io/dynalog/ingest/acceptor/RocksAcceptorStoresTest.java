package io.dynalog.ingest.acceptor;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.ingest.paxos.AcceptedEntry;
import io.dynalog.ingest.paxos.AcceptorStore;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durable acceptor state in a real RocksDB: what a sync covers survives, groups are separate, syncs are shared. */
class RocksAcceptorStoresTest {
    @TempDir
    Path dir;

    static byte[] v(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void syncedStateSurvivesAReopenAndGroupsAreSeparate() throws Exception {
        ConcurrentLinkedQueue<Long> synced = new ConcurrentLinkedQueue<>();
        try (RocksAcceptorStores stores = RocksAcceptorStores.open(dir, (why, cause) -> { throw new AssertionError(why, cause); })) {
            AcceptorStore a = stores.forGroup(7, 0, synced::add);
            AcceptorStore b = stores.forGroup(7, 1, t -> { });
            a.promise(new Ballot(3, 2));
            a.accept(5, new Ballot(3, 2), v("five"));
            a.accept(6, new Ballot(3, 2), v("six"));
            a.accept(7, new Ballot(3, 2), v("seven"));
            a.truncateThrough(5, new Ballot(3, 2), new Configuration(2, List.of(1, 2, 4), List.of(5)));
            b.accept(1, new Ballot(1, 1), v("other"));
            long token = a.requestSync();
            b.requestSync();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> synced.contains(token));
        }
        try (RocksAcceptorStores stores = RocksAcceptorStores.open(dir, (why, cause) -> { throw new AssertionError(why, cause); })) {
            AcceptorStore.DurableState state = stores.forGroup(7, 0, t -> { }).load();
            assertThat(state.promisedBallot()).isEqualTo(new Ballot(3, 2));
            assertThat(state.archivedSlot()).isEqualTo(5);
            assertThat(state.archivedMaxOrigin()).isEqualTo(new Ballot(3, 2));
            assertThat(state.archivedConfiguration()).isEqualTo(new Configuration(2, List.of(1, 2, 4), List.of(5)));
            assertThat(state.accepted()).containsExactly(
                    new AcceptedEntry(6, new Ballot(3, 2), v("six")), new AcceptedEntry(7, new Ballot(3, 2), v("seven")));
            assertThat(stores.forGroup(7, 1, t -> { }).load().accepted()).containsExactly(new AcceptedEntry(1, new Ballot(1, 1), v("other")));
            assertThat(stores.forGroup(8, 0, t -> { }).load()).isEqualTo(AcceptorStore.DurableState.EMPTY);
        }
    }

    @Test
    void aLaterAcceptReplacesAnEarlierOneForTheSameSlot() throws Exception {
        try (RocksAcceptorStores stores = RocksAcceptorStores.open(dir, (why, cause) -> { throw new AssertionError(why, cause); })) {
            CountDownLatch done = new CountDownLatch(1);
            AcceptorStore a = stores.forGroup(1, 0, t -> done.countDown());
            a.accept(1, new Ballot(1, 1), v("old"));
            a.accept(1, new Ballot(2, 3), v("new"));
            a.requestSync();
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(a.load().accepted()).containsExactly(new AcceptedEntry(1, new Ballot(2, 3), v("new")));
        }
    }

    /**
     * A group's writes are held until it requests a sync, then written as one batch: a handle
     * opened meanwhile (a restarted member) reads none of them, and all of them after.
     */
    @Test
    void writesAreHeldUntilASyncIsRequestedAndThenWrittenTogether() throws Exception {
        try (RocksAcceptorStores stores = RocksAcceptorStores.open(dir, FAIL)) {
            AcceptorStore a = stores.forGroup(3, 0, t -> { });
            a.promise(new Ballot(2, 1));
            a.accept(1, new Ballot(2, 1), v("one"));
            a.accept(2, new Ballot(2, 1), v("two"));
            a.truncateThrough(1, new Ballot(2, 1), Configuration.initial(List.of(1, 2, 3)));
            assertThat(stores.forGroup(3, 0, t -> { }).load()).isEqualTo(AcceptorStore.DurableState.EMPTY);
            a.requestSync();
            AcceptorStore.DurableState written = stores.forGroup(3, 0, t -> { }).load();
            assertThat(written.promisedBallot()).isEqualTo(new Ballot(2, 1));
            assertThat(written.archivedSlot()).isEqualTo(1);
            assertThat(written.archivedConfiguration()).as("the first configuration is known to all, not stored").isNull();
            assertThat(written.accepted()).containsExactly(new AcceptedEntry(2, new Ballot(2, 1), v("two")));
        }
    }

    @Test
    void concurrentSyncRequestsShareFsyncs() throws Exception {
        int groups = 8;
        int syncsPerGroup = 200;
        try (RocksAcceptorStores stores = RocksAcceptorStores.open(dir, (why, cause) -> { throw new AssertionError(why, cause); })) {
            CountDownLatch all = new CountDownLatch(groups * syncsPerGroup);
            List<Thread> threads = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                AcceptorStore s = stores.forGroup(1, g, t -> all.countDown());
                threads.add(new Thread(() -> {
                    for (int i = 1; i <= syncsPerGroup; i++) {
                        s.accept(i, new Ballot(1, 1), v("value-" + i));
                        s.requestSync();
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) t.join();
            assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(stores.fsyncCount()).isLessThan(groups * syncsPerGroup);
        }
    }

    @Test
    void aStoreKeepsTheIdentityOfItsFirstStartAndANewOneHasAnother() throws Exception {
        String first;
        long created;
        try (RocksAcceptorStores stores = RocksAcceptorStores.open(dir, FAIL)) {
            first = stores.storeId();
            created = stores.createdAtMs();
            assertThat(stores.refusesGroupsCreatedBeforeMs()).isEqualTo(io.dynalog.ingest.AmnesiaGuard.NEVER);
            stores.refuseGroupsCreatedBefore(1234);
        }
        try (RocksAcceptorStores stores = RocksAcceptorStores.open(dir, FAIL)) {
            assertThat(stores.storeId()).isEqualTo(first);
            assertThat(stores.createdAtMs()).isEqualTo(created);
            assertThat(stores.refusesGroupsCreatedBeforeMs()).isEqualTo(1234);
            assertThat(stores.forGroup(0, 0, t -> { }).load()).as("no group sees the store's own keys")
                    .isEqualTo(AcceptorStore.DurableState.EMPTY);
        }
        try (RocksAcceptorStores replaced = RocksAcceptorStores.open(dir.resolve("replaced-disk"), FAIL)) {
            assertThat(replaced.storeId()).isNotEqualTo(first);
        }
    }

    /** An fsync that fails stops the node (fail-stop), and no sync completes: no vote leaves. */
    @Test
    void aFailedFsyncStopsTheNodeAndCompletesNoSync() throws Exception {
        ConcurrentLinkedQueue<String> stops = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> synced = new ConcurrentLinkedQueue<>();
        try (RocksAcceptorStores stores = RocksAcceptorStores.open(dir, (why, cause) -> stops.add(why), db -> {
            throw new org.rocksdb.RocksDBException("EIO");
        })) {
            AcceptorStore a = stores.forGroup(1, 0, synced::add);
            a.promise(new Ballot(1, 1));
            a.requestSync();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !stops.isEmpty());
            assertThat(stops).singleElement().asString().contains("cannot make its votes durable");
            a.accept(1, new Ballot(1, 1), v("x"));
            a.requestSync();
            Thread.sleep(100);
            assertThat(synced).isEmpty();
        }
    }

    static final io.dynalog.ingest.FatalErrors FAIL = (why, cause) -> {
        throw new AssertionError(why, cause);
    };
}
