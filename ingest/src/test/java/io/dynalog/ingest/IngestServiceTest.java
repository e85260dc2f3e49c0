package io.dynalog.ingest;

import static io.dynalog.ingest.IngestFixtures.failure;
import static io.dynalog.ingest.IngestFixtures.item;
import static io.dynalog.ingest.IngestFixtures.key;
import static io.dynalog.ingest.IngestFixtures.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.ingest.IngestException.Reason;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link IngestService}: one leader per partition led, routing, and shutting leaders down. */
class IngestServiceTest {
    private static final int NODE_ID = 2;
    private static final TableDescriptor ORDERS = IngestFixtures.table("orders", 0x2a, 3, TableStatus.ACTIVE);
    private static final TableDescriptor USERS = IngestFixtures.table("users", 0x2b, 1, TableStatus.ACTIVE);

    private final Replica replica = new Replica();
    private final FakeWalAppender appender = new FakeWalAppender();
    private final DeterministicExecutor executor = new DeterministicExecutor(false);
    private final IngestService service = new IngestService(NODE_ID, replica, appender, executor,
            (task, delayMs) -> executor.execute(task), () -> 1_000L);

    /** A replica of every partition: items per table, catch-ups completed by the test. */
    private static final class Replica implements LocalReplica {
        final Map<Long, Map<StoreKey, Map<String, AttributeValue>>> items = new HashMap<>();
        final Map<String, List<CompletableFuture<Position>>> catchUps = new HashMap<>();

        @Override
        public Map<String, AttributeValue> read(long tableId, byte[] storeKey) {
            return items.getOrDefault(tableId, Map.of()).get(new StoreKey(storeKey));
        }

        @Override
        public CompletableFuture<Position> catchUp(long tableId, int partition) {
            CompletableFuture<Position> f = new CompletableFuture<>();
            catchUps.computeIfAbsent(tableId + "/" + partition, k -> new ArrayList<>()).add(f);
            return f;
        }

        @Override
        public CompletableFuture<Void> whenApplied(long tableId, int partition, long slot) {
            return CompletableFuture.completedFuture(null);
        }

        void catchUp(TableDescriptor table, int partition) {
            List<CompletableFuture<Position>> calls = catchUps.get(table.tableId() + "/" + partition);
            calls.get(calls.size() - 1).complete(new Position(0, Ballot.ZERO));
        }

        int catchUpCalls(TableDescriptor table, int partition) {
            return catchUps.getOrDefault(table.tableId() + "/" + partition, List.of()).size();
        }
    }

    private CompletableFuture<Void> leadAndServe(TableDescriptor table) {
        CompletableFuture<Void> serving = service.lead(table);
        for (int p = 0; p < table.partitionCount(); p++) replica.catchUp(table, p);
        executor.drain();
        assertThat(serving).isCompleted();
        return serving;
    }

    @Test
    void withoutALeaderEveryCallFailsNotLeader() {
        assertThat(failure(service.write(ORDERS, 0, key("a"), put(item("a", 1))))).isInstanceOfSatisfying(
                IngestException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_LEADER));
        assertThat(failure(service.consistentGet(ORDERS, 0, key("a")))).isInstanceOfSatisfying(
                IngestException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_LEADER));
        assertThat(failure(service.readBarrier(ORDERS, 0))).isInstanceOfSatisfying(
                IngestException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_LEADER));
    }

    @Test
    void leadingCompletesWhenEveryPartitionServes() {
        CompletableFuture<Void> serving = service.lead(ORDERS);
        for (int p = 0; p < 3; p++) assertThat(replica.catchUpCalls(ORDERS, p)).isEqualTo(1);

        replica.catchUp(ORDERS, 0);
        replica.catchUp(ORDERS, 2);
        executor.drain();
        assertThat(serving).isNotDone();

        replica.catchUp(ORDERS, 1);
        executor.drain();
        assertThat(serving).isCompleted();
    }

    @Test
    void leadingATableAgainIsHarmless() {
        leadAndServe(ORDERS);
        CompletableFuture<Void> again = service.lead(ORDERS);
        executor.drain();
        assertThat(again).isCompleted();
        for (int p = 0; p < 3; p++) assertThat(replica.catchUpCalls(ORDERS, p)).isEqualTo(1);
    }

    @Test
    void writesGoToTheirPartitionsLeaderAndWalTopic() {
        leadAndServe(ORDERS);
        leadAndServe(USERS);

        service.write(ORDERS, 2, key("a"), put(item("a", 1)));
        service.write(ORDERS, 0, key("a"), put(item("a", 2)));
        service.write(USERS, 0, key("a"), put(item("a", 3)));

        assertThat(appender.appends()).extracting(FakeWalAppender.Append::topic)
                .containsExactly(ORDERS.walTopic(), ORDERS.walTopic(), USERS.walTopic());
        assertThat(appender.appended()).extracting(WalEntry::tableId).containsExactly(0x2aL, 0x2aL, 0x2bL);
        assertThat(appender.appended()).extracting(WalEntry::partition).containsExactly(2, 0, 0);
        assertThat(appender.appended()).extracting(WalEntry::slot).as("slots are per partition").containsExactly(1L, 1L, 1L);
        assertThat(appender.appended()).extracting(e -> e.ballot()).containsOnly(new Ballot(1, NODE_ID));
        assertThat(failure(service.write(ORDERS, 3, key("a"), put(item("a", 1))))).isInstanceOfSatisfying(
                IngestException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_LEADER));
    }

    @Test
    void consistentReadsAndAppliedNoticesReachTheirPartition() {
        leadAndServe(ORDERS);
        service.write(ORDERS, 1, key("a"), put(item("a", 1)));
        appender.completeNext();
        executor.drain();
        replica.items.computeIfAbsent(ORDERS.tableId(), k -> new HashMap<>()).put(new StoreKey(key("a")), item("a", 99));

        CompletableFuture<Map<String, AttributeValue>> fromOverlay = service.consistentGet(ORDERS, 1, key("a"));
        CompletableFuture<Map<String, AttributeValue>> otherPartition = service.consistentGet(ORDERS, 0, key("a"));
        executor.drain();
        assertThat(fromOverlay).isCompletedWithValue(item("a", 1));
        assertThat(otherPartition).as("partition 0 has no overlay entry").isCompletedWithValue(item("a", 99));

        service.onApplied(ORDERS.tableId(), 0, 1);
        service.onApplied(USERS.tableId(), 1, 1);
        executor.drain();
        assertThat(service.consistentGet(ORDERS, 1, key("a"))).isCompletedWithValue(item("a", 1));

        service.onApplied(ORDERS.tableId(), 1, 1);
        executor.drain();
        assertThat(service.consistentGet(ORDERS, 1, key("a"))).isCompletedWithValue(item("a", 99));
        assertThat(service.readBarrier(ORDERS, 1)).isCompleted();
    }

    @Test
    void abandoningATableClosesItsLeadersOnly() {
        leadAndServe(ORDERS);
        leadAndServe(USERS);
        CompletableFuture<WriteOutcome> inFlight = service.write(ORDERS, 0, key("a"), put(item("a", 1)));
        CompletableFuture<WriteOutcome> queued = service.write(ORDERS, 0, key("a"), put(item("a", 2)));

        service.abandon(ORDERS.tableId(), ORDERS.partitionCount());

        assertThat(failure(inFlight)).isInstanceOfSatisfying(IngestException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.OUTCOME_UNKNOWN));
        assertThat(failure(queued)).isInstanceOfSatisfying(IngestException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.CLOSED));
        assertThat(failure(service.write(ORDERS, 0, key("a"), put(item("a", 3))))).isInstanceOfSatisfying(
                IngestException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_LEADER));
        assertThat(service.write(USERS, 0, key("a"), put(item("a", 1)))).isNotDone();
        service.abandon(ORDERS.tableId(), ORDERS.partitionCount());
    }

    @Test
    void aTableLedAgainAfterAbandonGetsNewLeaders() {
        leadAndServe(ORDERS);
        service.abandon(ORDERS.tableId(), ORDERS.partitionCount());

        CompletableFuture<Void> serving = service.lead(ORDERS);
        assertThat(replica.catchUpCalls(ORDERS, 0)).isEqualTo(2);
        assertThat(serving).isNotDone();
        for (int p = 0; p < 3; p++) replica.catchUp(ORDERS, p);
        executor.drain();
        assertThat(serving).isCompleted();
    }

    @Test
    void closingClosesEveryLeader() {
        service.lead(ORDERS);
        CompletableFuture<WriteOutcome> queued = service.write(ORDERS, 1, key("a"), put(item("a", 1)));

        service.close();

        assertThat(failure(queued)).isInstanceOfSatisfying(IngestException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.CLOSED));
        assertThat(failure(service.consistentGet(ORDERS, 1, key("a")))).isInstanceOfSatisfying(IngestException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.NOT_LEADER));
        assertThat(appender.closed()).as("the appender belongs to the node").isFalse();
    }
}
