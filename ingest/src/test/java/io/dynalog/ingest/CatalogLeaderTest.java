package io.dynalog.ingest;

import static io.dynalog.ingest.IngestFixtures.done;
import static io.dynalog.ingest.IngestFixtures.failure;
import static io.dynalog.ingest.IngestFixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.ingest.CatalogConflictException.Kind;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.topology.wire.TableRecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * {@link CatalogLeader} over a MockProducer, a catalog view that reads back what the test says, and
 * an executor the test drains (changes are checked and sent there, never on the read-back thread).
 */
class CatalogLeaderTest {
    private static final String META_TOPIC = "dynalog.meta";

    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final View view = new View();
    private final DeterministicExecutor executor = new DeterministicExecutor(false);
    private final CatalogLeader leader = new CatalogLeader(producer, META_TOPIC, view, executor);

    /** The node's catalog: it changes only when the test has it read back a produced record. */
    private static final class View implements CatalogView {
        final Map<String, TableDescriptor> tables = new HashMap<>();
        final List<String> lookups = new ArrayList<>();
        final List<Long> waits = new ArrayList<>();
        private final List<Map.Entry<Long, CompletableFuture<Void>>> waiters = new ArrayList<>();
        private long consumedTo;

        @Override
        public TableDescriptor table(String name) {
            lookups.add(name);
            return tables.get(name);
        }

        @Override
        public CompletableFuture<Void> whenConsumedTo(long offset) {
            waits.add(offset);
            if (consumedTo >= offset) return CompletableFuture.completedFuture(null);
            CompletableFuture<Void> f = new CompletableFuture<>();
            waiters.add(Map.entry(offset, f));
            return f;
        }

        /**
         * Reads the record at {@code offset} (MockProducer numbers the records of partition 0 in
         * send order, failed ones included) and every offset below it into the view.
         */
        void readBack(long offset, ProducerRecord<byte[], byte[]> record) {
            String name = new String(record.key(), StandardCharsets.UTF_8);
            if (record.value() == null) tables.remove(name); else tables.put(name, TableRecordCodec.decode(record.value()));
            consumedTo = offset + 1;
            for (Iterator<Map.Entry<Long, CompletableFuture<Void>>> it = waiters.iterator(); it.hasNext(); ) {
                Map.Entry<Long, CompletableFuture<Void>> w = it.next();
                if (w.getKey() <= consumedTo) {
                    it.remove();
                    w.getValue().complete(null);
                }
            }
        }
    }

    /** The view reads back the record at {@code offset}. */
    private void readBack(int offset) {
        view.readBack(offset, producer.history().get(offset));
    }

    /** Kafka acknowledges the next record and the view reads it back; then queued changes run. */
    private void ackAndReadBack() {
        int offset = (int) view.consumedTo;
        producer.completeNext();
        readBack(offset);
        executor.drain();
    }

    private CompletableFuture<TableDescriptor> create(TableDescriptor table) {
        CompletableFuture<TableDescriptor> f = leader.create(table);
        executor.drain();
        return f;
    }

    private CompletableFuture<TableDescriptor> update(TableDescriptor table) {
        CompletableFuture<TableDescriptor> f = leader.update(table);
        executor.drain();
        return f;
    }

    private CompletableFuture<TableDescriptor> delete(String name) {
        CompletableFuture<TableDescriptor> f = leader.delete(name);
        executor.drain();
        return f;
    }

    @Test
    void aCreateIsProducedAndCompletesOnlyOnceReadBack() {
        TableDescriptor orders = table("orders", 1, 2, TableStatus.CREATING);
        CompletableFuture<TableDescriptor> created = create(orders);

        assertThat(producer.history()).hasSize(1);
        ProducerRecord<byte[], byte[]> record = producer.history().get(0);
        assertThat(record.topic()).isEqualTo(META_TOPIC);
        assertThat(record.partition()).isEqualTo(0);
        assertThat(record.key()).isEqualTo("orders".getBytes(StandardCharsets.UTF_8));
        assertThat(record.value()).isEqualTo(TableRecordCodec.encode(orders));

        producer.completeNext();
        assertThat(view.waits).as("the record at offset 0 is read once the view is at 1").containsExactly(1L);
        assertThat(created).isNotDone();

        readBack(0);
        executor.drain();
        assertThat(created).isCompletedWithValue(orders);
    }

    @Test
    void creatingAnExistingTableFailsWithoutProducing() {
        view.tables.put("orders", table("orders", 1, 2, TableStatus.ACTIVE));
        CompletableFuture<TableDescriptor> created = create(table("orders", 2, 2, TableStatus.CREATING));

        assertThat(failure(created)).isInstanceOfSatisfying(CatalogConflictException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.ALREADY_EXISTS);
            assertThat(e.tableName()).isEqualTo("orders");
        });
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void changesAreSerialisedEachCheckedAfterThePreviousWasReadBack() {
        CompletableFuture<TableDescriptor> first = create(table("orders", 1, 2, TableStatus.CREATING));
        CompletableFuture<TableDescriptor> second = create(table("orders", 2, 2, TableStatus.CREATING));
        assertThat(view.lookups).as("the second create is not checked yet").containsExactly("orders");
        assertThat(producer.history()).hasSize(1);

        producer.completeNext();
        executor.drain();
        assertThat(view.lookups).as("acknowledged but not read back").hasSize(1);

        readBack(0);
        assertThat(first).isCompleted();
        assertThat(view.lookups).as("not checked on the read-back thread").hasSize(1);
        executor.drain();

        assertThat(view.lookups).hasSize(2);
        assertThat(failure(second)).isInstanceOfSatisfying(CatalogConflictException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.ALREADY_EXISTS));
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void aChangeIsCheckedOnTheExecutor() {
        CompletableFuture<TableDescriptor> created = leader.create(table("orders", 1, 2, TableStatus.CREATING));
        assertThat(view.lookups).isEmpty();
        assertThat(producer.history()).isEmpty();
        executor.drain();
        assertThat(view.lookups).containsExactly("orders");
        assertThat(producer.history()).hasSize(1);
        ackAndReadBack();
        assertThat(created).isCompleted();
    }

    @Test
    void aSendThatThrowsFailsTheChangeAndNotTheNext() {
        producer.sendException = new IllegalStateException("producer closed");
        CompletableFuture<TableDescriptor> first = create(table("orders", 1, 2, TableStatus.CREATING));
        assertThat(failure(first)).hasMessage("producer closed");

        producer.sendException = null;
        CompletableFuture<TableDescriptor> second = create(table("orders", 1, 2, TableStatus.CREATING));
        ackAndReadBack();
        assertThat(second).isCompleted();
    }

    @Test
    void aFailedChangeDoesNotBlockTheNext() {
        CompletableFuture<TableDescriptor> first = create(table("orders", 1, 2, TableStatus.CREATING));
        CompletableFuture<TableDescriptor> second = create(table("users", 2, 1, TableStatus.CREATING));

        producer.errorNext(new NotEnoughReplicasException("1 in sync, 2 needed"));
        executor.drain();

        assertThat(failure(first)).isInstanceOf(NotEnoughReplicasException.class);
        assertThat(producer.history()).hasSize(2);
        producer.completeNext();
        readBack(1);
        executor.drain();
        assertThat(view.waits).as("offset 0 went to the failed record").containsExactly(2L);
        assertThat(done(second).name()).isEqualTo("users");
    }

    @Test
    void deleteProducesATombstoneAndReturnsTheDescriptorAsDeleting() {
        TableDescriptor orders = table("orders", 1, 2, TableStatus.ACTIVE);
        view.tables.put("orders", orders);

        CompletableFuture<TableDescriptor> deleted = delete("orders");

        ProducerRecord<byte[], byte[]> record = producer.history().get(0);
        assertThat(record.key()).isEqualTo("orders".getBytes(StandardCharsets.UTF_8));
        assertThat(record.value()).isNull();
        ackAndReadBack();
        assertThat(deleted).isCompletedWithValue(orders.withStatus(TableStatus.DELETING));
        assertThat(view.tables).doesNotContainKey("orders");
    }

    @Test
    void deletingATableBeingCreatedFailsInUse() {
        view.tables.put("orders", table("orders", 1, 2, TableStatus.CREATING));
        assertThat(failure(delete("orders"))).isInstanceOfSatisfying(CatalogConflictException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.IN_USE));
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void deletingAMissingTableFailsNotFound() {
        assertThat(failure(delete("orders"))).isInstanceOfSatisfying(CatalogConflictException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void aCreateThenDeleteIsCheckedAgainstTheCreatedTable() {
        CompletableFuture<TableDescriptor> created = create(table("orders", 1, 2, TableStatus.CREATING));
        CompletableFuture<TableDescriptor> deleted = delete("orders");
        ackAndReadBack();
        assertThat(created).isCompleted();
        assertThat(failure(deleted)).isInstanceOfSatisfying(CatalogConflictException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.IN_USE));
    }

    @Test
    void anUpdateNeedsTheSameIncarnation() {
        TableDescriptor orders = table("orders", 1, 2, TableStatus.CREATING);
        view.tables.put("orders", orders);

        CompletableFuture<TableDescriptor> wrongIncarnation = update(table("orders", 9, 2, TableStatus.ACTIVE));
        assertThat(failure(wrongIncarnation)).isInstanceOfSatisfying(CatalogConflictException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
        assertThat(failure(update(table("users", 1, 2, TableStatus.ACTIVE)))).isInstanceOfSatisfying(
                CatalogConflictException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));

        CompletableFuture<TableDescriptor> activated = update(orders.withStatus(TableStatus.ACTIVE));
        assertThat(producer.history().get(0).value()).isEqualTo(TableRecordCodec.encode(orders.withStatus(TableStatus.ACTIVE)));
        ackAndReadBack();
        assertThat(activated).isCompletedWithValue(orders.withStatus(TableStatus.ACTIVE));
        assertThat(view.tables.get("orders").status()).isEqualTo(TableStatus.ACTIVE);
    }
}
