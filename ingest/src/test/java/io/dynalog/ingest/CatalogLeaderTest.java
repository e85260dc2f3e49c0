package io.dynalog.ingest;

import static io.dynalog.ingest.IngestFixtures.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.ingest.CatalogConflictException.Kind;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.topology.wire.TableRecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CatalogLeader} over transactional MockProducers (a new one each time the leader becomes
 * the writer again) and a view that has read every committed record whenever the leader asks.
 * The fencing itself is Kafka's; {@code CatalogWriterRaceTest} runs it against a real broker.
 */
class CatalogLeaderTest {
    private static final String META_TOPIC = "dynalog.meta";

    private final List<MockProducer<byte[], byte[]>> producers = new CopyOnWriteArrayList<>();
    /** Runs when the leader creates its n-th producer (index n - 1): what another node did meanwhile. */
    private final List<Consumer<MockProducer<byte[], byte[]>>> onNewProducer = new ArrayList<>();
    private final View view = new View();
    private final CatalogLeader leader = new CatalogLeader(() -> {
        MockProducer<byte[], byte[]> p = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        int index = producers.size();
        producers.add(p);
        if (index < onNewProducer.size()) onNewProducer.get(index).accept(p);
        return p;
    }, META_TOPIC, view);

    /** The catalog as committed records left it (other nodes' changes are put in directly). */
    private final class View implements CatalogView {
        final Map<String, TableDescriptor> tables = new ConcurrentHashMap<>();
        int caughtUp;

        @Override
        public TableDescriptor table(String name) {
            return tables.get(name);
        }

        @Override
        public CompletableFuture<Void> whenConsumedTo(long offset) {
            readCommitted();
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> whenCaughtUp() {
            caughtUp++;
            readCommitted();
            return CompletableFuture.completedFuture(null);
        }

        private final java.util.Set<ProducerRecord<byte[], byte[]>> read = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

        private void readCommitted() {
            for (MockProducer<byte[], byte[]> p : producers) {
                for (ProducerRecord<byte[], byte[]> r : p.history()) {
                    if (!read.add(r)) continue;
                    String name = new String(r.key(), StandardCharsets.UTF_8);
                    if (r.value() == null) tables.remove(name); else tables.put(name, TableRecordCodec.decode(r.value()));
                }
            }
        }
    }

    @AfterEach
    void close() {
        leader.close();
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private List<ProducerRecord<byte[], byte[]>> committed() {
        List<ProducerRecord<byte[], byte[]>> all = new ArrayList<>();
        for (MockProducer<byte[], byte[]> p : producers) all.addAll(p.history());
        return all;
    }

    @Test
    void aCreateIsWrittenInACommittedTransactionAndReadBack() throws Exception {
        TableDescriptor orders = table("orders", 1, 2, TableStatus.CREATING);
        assertThat(await(leader.create(orders))).isEqualTo(orders);

        assertThat(producers).hasSize(1);
        assertThat(producers.get(0).transactionInitialized()).isTrue();
        assertThat(producers.get(0).transactionCommitted()).isTrue();
        ProducerRecord<byte[], byte[]> record = committed().get(0);
        assertThat(record.topic()).isEqualTo(META_TOPIC);
        assertThat(record.partition()).isZero();
        assertThat(record.key()).isEqualTo("orders".getBytes(StandardCharsets.UTF_8));
        assertThat(record.value()).isEqualTo(TableRecordCodec.encode(orders));
        assertThat(view.tables).containsEntry("orders", orders);
    }

    @Test
    void theWriterIsKeptWhileNobodyFencesIt() throws Exception {
        await(leader.create(table("orders", 1, 2, TableStatus.CREATING)));
        await(leader.create(table("users", 2, 2, TableStatus.CREATING)));
        assertThat(producers).hasSize(1);
        assertThat(committed()).hasSize(2);
        assertThat(view.caughtUp).as("each change is checked against a caught-up view").isEqualTo(2);
    }

    @Test
    void creatingAnExistingTableFailsWithoutWriting() {
        view.tables.put("orders", table("orders", 1, 2, TableStatus.ACTIVE));
        assertThatThrownBy(() -> await(leader.create(table("orders", 2, 2, TableStatus.CREATING))))
                .isInstanceOfSatisfying(CatalogConflictException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.ALREADY_EXISTS);
                    assertThat(e.tableName()).isEqualTo("orders");
                });
        assertThat(committed()).isEmpty();
    }

    @Test
    void aFencedCommitStartsOverAsANewWriterAndIsCheckedAgain() throws Exception {
        TableDescriptor theirs = table("orders", 7, 2, TableStatus.CREATING);
        // Another node became the writer and created the table after this node checked it.
        onNewProducer.add(p -> p.commitTransactionException = new ProducerFencedException("fenced by another node"));
        onNewProducer.add(p -> view.tables.put("orders", theirs));

        assertThatThrownBy(() -> await(leader.create(table("orders", 1, 2, TableStatus.CREATING))))
                .isInstanceOfSatisfying(CatalogConflictException.class, e -> assertThat(e.kind()).isEqualTo(Kind.ALREADY_EXISTS));
        assertThat(producers).hasSize(2);
        assertThat(producers.get(0).closed()).as("the fenced writer is closed").isTrue();
        assertThat(committed()).isEmpty();
        assertThat(view.tables).containsEntry("orders", theirs);
    }

    @Test
    void aWriterFencedAgainAndAgainGivesUpWithARetryableError() {
        for (int i = 0; i < CatalogLeader.MAX_FENCED_ATTEMPTS; i++) {
            onNewProducer.add(p -> p.commitTransactionException = new ProducerFencedException("fenced"));
        }
        assertThatThrownBy(() -> await(leader.create(table("orders", 1, 2, TableStatus.CREATING))))
                .isInstanceOfSatisfying(IngestException.class,
                        e -> assertThat(e.reason()).isEqualTo(IngestException.Reason.LEADER_UNAVAILABLE));
        assertThat(producers).hasSize(CatalogLeader.MAX_FENCED_ATTEMPTS);
    }

    @Test
    void aFailedWriteFailsTheChangeAndNotTheNext() throws Exception {
        onNewProducer.add(p -> p.sendException = new NotEnoughReplicasException("1 in sync, 2 needed"));
        assertThatThrownBy(() -> await(leader.create(table("orders", 1, 2, TableStatus.CREATING))))
                .isInstanceOf(NotEnoughReplicasException.class);
        assertThat(await(leader.create(table("users", 2, 1, TableStatus.CREATING))).name()).isEqualTo("users");
        assertThat(producers).as("a writer whose transaction failed is replaced").hasSize(2);
        assertThat(committed()).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly("users");
    }

    @Test
    void deleteWritesATombstoneAndReturnsTheDescriptorAsDeleting() throws Exception {
        TableDescriptor orders = table("orders", 1, 2, TableStatus.ACTIVE);
        view.tables.put("orders", orders);
        assertThat(await(leader.delete("orders"))).isEqualTo(orders.withStatus(TableStatus.DELETING));
        assertThat(committed().get(0).value()).isNull();
        assertThat(view.tables).doesNotContainKey("orders");
    }

    @Test
    void deletingATableBeingCreatedFailsInUseAndAMissingOneNotFound() {
        view.tables.put("orders", table("orders", 1, 2, TableStatus.CREATING));
        assertThatThrownBy(() -> await(leader.delete("orders"))).isInstanceOfSatisfying(CatalogConflictException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.IN_USE));
        assertThatThrownBy(() -> await(leader.delete("users"))).isInstanceOfSatisfying(CatalogConflictException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
        assertThat(committed()).isEmpty();
    }

    @Test
    void anUpdateNeedsTheSameIncarnationAndWritesOnlyAChange() throws Exception {
        TableDescriptor orders = table("orders", 1, 2, TableStatus.CREATING);
        view.tables.put("orders", orders);

        assertThatThrownBy(() -> await(leader.update(table("orders", 9, 2, TableStatus.ACTIVE))))
                .isInstanceOfSatisfying(CatalogConflictException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
        assertThat(await(leader.update(orders))).as("no change").isEqualTo(orders);
        assertThat(committed()).isEmpty();

        TableDescriptor active = orders.withStatus(TableStatus.ACTIVE);
        assertThat(await(leader.update(active))).isEqualTo(active);
        assertThat(committed()).hasSize(1);
        assertThat(view.tables).containsEntry("orders", active);
    }
}
