package io.dynalog.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.topology.catalog.CatalogTable;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.topology.placement.NodeInfo;
import io.dynalog.topology.wal.Configuration;
import io.dynalog.topology.wire.TableRecordCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Catalog changes as the catalog group's leader decides them (a write path that resolves each
 * mutation against the chosen catalog, as a leader does), and the placement of the catalog
 * itself: proposed once, the first proposal read back wins.
 */
class CatalogWriterTest {
    static final List<NodeInfo> NODES = List.of(new NodeInfo(1, "az1", "h", 8000, "h", 9000),
            new NodeInfo(2, "az2", "h", 8001, "h", 9001), new NodeInfo(3, "az3", "h", 8002, "h", 9002));

    /** The catalog partition's chosen state; a write is resolved against it, as the leader does. */
    static final class ChosenCatalog implements WritePath {
        final Map<ByteBuffer, Map<String, AttributeValue>> items = new HashMap<>();
        final List<TableDescriptor> writtenTo = new ArrayList<>();
        long slot;

        @Override
        public CompletableFuture<WriteOutcome> write(TableDescriptor table, int partition, byte[] storeKey, Mutation mutation,
                                                     String requestToken) {
            writtenTo.add(table);
            Map<String, AttributeValue> current = items.get(ByteBuffer.wrap(storeKey));
            Mutation.Result r;
            try {
                r = mutation.resolve(current);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            if (!r.changed()) return CompletableFuture.completedFuture(new WriteOutcome(current, current, 0));
            if (r.newImage() == null) items.remove(ByteBuffer.wrap(storeKey)); else items.put(ByteBuffer.wrap(storeKey), r.newImage());
            return CompletableFuture.completedFuture(new WriteOutcome(current, r.newImage(), ++slot));
        }

        @Override
        public CompletableFuture<Map<String, AttributeValue>> consistentGet(TableDescriptor table, int partition, byte[] storeKey) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<ReadLease> readBarrier(TableDescriptor table, int partition) {
            throw new UnsupportedOperationException();
        }
    }

    final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    final CatalogPlacement placement = new CatalogPlacement(producer, "p.catalog-placement", "p.catalog", 2, () -> NODES, () -> 5L, 3, 60_000);
    final ChosenCatalog chosen = new ChosenCatalog();
    final CatalogWriter writer = new CatalogWriter(chosen, placement);

    static TableDescriptor table(String name, long id) {
        return new TableDescriptor(name, id, KeySchema.hash("pk", ScalarType.S),
                List.of(new TableDescriptor.AttributeDefinition("pk", ScalarType.S)), "PAY_PER_REQUEST", 0, 0, 2, 0,
                TableStatus.CREATING, "p.wal." + name, List.of(List.of(1, 2, 3), List.of(2, 3, 1)));
    }

    /** The node's placement reader hands every proposal it reads back, in topic order. */
    void readBackProposals() {
        producer.history().forEach(r -> placement.onProposal(TableRecordCodec.decode(r.value())));
    }

    @Test
    void theCatalogIsPlacedOnceOverThreeZonesAndTheFirstProposalWins() throws Exception {
        CompletableFuture<TableDescriptor> first = placement.placement();
        CompletableFuture<TableDescriptor> second = placement.placement();
        assertThat(producer.history()).as("one proposal while one is pending").hasSize(1);
        assertThat(first).isNotDone();
        TableDescriptor other = CatalogTable.descriptor("p.catalog", List.of(3, 1, 2), 1);
        assertThat(placement.onProposal(other)).as("another node's proposal, read first").isTrue();
        readBackProposals();
        assertThat(first.get(1, TimeUnit.SECONDS)).isEqualTo(other);
        assertThat(second.get(1, TimeUnit.SECONDS)).isEqualTo(other);
        assertThat(placement.known()).isEqualTo(other);
        TableDescriptor own = TableRecordCodec.decode(producer.history().get(0).value());
        assertThat(own.replicasOf(0)).containsExactly(1, 2, 3);
        assertThat(CatalogTable.isCatalog(own)).isTrue();
    }

    @Test
    void aFailedProposalIsMadeAgainByTheNextChange() {
        MockProducer<byte[], byte[]> failing = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        CatalogPlacement p = new CatalogPlacement(failing, "t", "p.catalog", 1, () -> NODES, () -> 5L, 3, 60_000);
        CompletableFuture<TableDescriptor> attempt = p.placement();
        failing.errorNext(new org.apache.kafka.common.errors.TimeoutException("broker away"));
        assertThatThrownBy(attempt::join).hasCauseInstanceOf(IngestException.class);
        p.placement();
        assertThat(failing.history()).hasSize(2);
    }

    @Test
    void noProposalIsMadeBeforeTheNodesTheClusterStartsWithAreKnownUnlessTheyNeverCome() {
        List<NodeInfo> known = new ArrayList<>(NODES.subList(0, 1));
        long[] nowMs = {0};
        CatalogPlacement p = new CatalogPlacement(producer, "t", "p.catalog", 1, () -> known, () -> nowMs[0], 3, 60_000);
        assertThatThrownBy(() -> p.placement().join()).cause().isInstanceOfSatisfying(IngestException.class,
                e -> assertThat(e.reason()).isEqualTo(IngestException.Reason.LEADER_UNAVAILABLE));
        known.add(NODES.get(1));
        nowMs[0] = 59_999;
        assertThat(p.placement()).isCompletedExceptionally();
        assertThat(producer.history()).isEmpty();
        known.add(NODES.get(2));
        p.placement();
        assertThat(TableRecordCodec.decode(producer.history().get(0).value()).replicasOf(0)).containsExactly(1, 2, 3);

        List<NodeInfo> alone = List.of(NODES.get(0));
        CatalogPlacement late = new CatalogPlacement(producer, "t", "p.catalog", 1, () -> alone, () -> nowMs[0], 3, 60_000);
        nowMs[0] += 60_000;
        late.placement();
        assertThat(TableRecordCodec.decode(producer.history().get(1).value()).replicasOf(0)).as("a seed that never came").containsExactly(1);
    }

    @Test
    void createIsDecidedAgainstTheChosenCatalog() {
        placeCatalog();
        TableDescriptor music = table("Music", 7);
        assertThat(writer.create(music).join()).isEqualTo(music);
        assertThat(writer.create(music).join()).as("the same incarnation again (a retried create)").isEqualTo(music);
        assertThatThrownBy(() -> writer.create(table("Music", 8)).join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(CatalogConflictException.class,
                        e -> assertThat(e.kind()).isEqualTo(CatalogConflictException.Kind.ALREADY_EXISTS));
        assertThat(chosen.writtenTo).allSatisfy(t -> assertThat(CatalogTable.isCatalog(t)).isTrue());
        assertThat(chosen.slot).as("only the first create took a slot").isEqualTo(1);
    }

    @Test
    void aTableIsMarkedActiveOnceAndOnlyItsOwnIncarnation() {
        placeCatalog();
        TableDescriptor music = table("Music", 7);
        writer.create(music).join();
        assertThatThrownBy(() -> writer.delete("Music").join()).cause().isInstanceOfSatisfying(CatalogConflictException.class,
                e -> assertThat(e.kind()).isEqualTo(CatalogConflictException.Kind.IN_USE));
        assertThatThrownBy(() -> writer.markActive("Music", 8).join()).cause().isInstanceOfSatisfying(CatalogConflictException.class,
                e -> assertThat(e.kind()).isEqualTo(CatalogConflictException.Kind.NOT_FOUND));
        assertThat(writer.markActive("Music", 7).join().status()).isEqualTo(TableStatus.ACTIVE);
        assertThat(writer.markActive("Music", 7).join().status()).isEqualTo(TableStatus.ACTIVE);
        assertThat(chosen.slot).isEqualTo(2);
        assertThat(writer.delete("Music").join()).isEqualTo(music.withStatus(TableStatus.DELETING));
        assertThat(chosen.items).isEmpty();
        assertThatThrownBy(() -> writer.delete("Music").join()).cause().isInstanceOfSatisfying(CatalogConflictException.class,
                e -> assertThat(e.kind()).isEqualTo(CatalogConflictException.Kind.NOT_FOUND));
    }

    /**
     * The catalog's group changes configuration like a table partition's; its placement then
     * follows the newest configuration recorded, and a node that starts acts on the placement as it
     * is (it is told once, after the topic was read), not on every configuration it went through.
     */
    @Test
    void theCatalogsPlacementFollowsItsGroupsNewestConfiguration() {
        List<String> told = new ArrayList<>();
        placement.onChanges((before, after) -> told.add((before == null ? "-" : before.replicasOf(0).toString()) + " -> "
                + after.replicasOf(0)));
        placeCatalog();
        Configuration withLearner = new Configuration(1, List.of(1, 2, 3), List.of(4));
        Configuration swapped = new Configuration(2, List.of(1, 2, 4), List.of());
        placement.recordConfiguration(withLearner).join();
        placement.recordConfiguration(swapped).join();
        readBackProposals();
        assertThat(told).as("nothing before the topic was read to its end").isEmpty();
        placement.loaded();
        assertThat(told).containsExactly("- -> [1, 2, 4]");
        assertThat(placement.known().configurationOf(0)).isEqualTo(swapped);

        TableDescriptor stale = placement.known().withConfiguration(0, withLearner);
        assertThat(placement.onProposal(stale)).as("a late record of an older configuration").isFalse();
        Configuration next = new Configuration(3, List.of(1, 2, 4), List.of(5));
        assertThat(placement.onProposal(placement.known().withConfiguration(0, next))).isTrue();
        assertThat(told).containsExactly("- -> [1, 2, 4]", "[1, 2, 4] -> [1, 2, 4, 5]");
        assertThat(placement.placement().join().replicasOf(0)).as("catalog writes go to the group as it is").containsExactly(1, 2, 4, 5);
    }

    @Test
    void aPartitionsConfigurationIsRecordedOnlyWhenNewer() {
        placeCatalog();
        TableDescriptor music = table("Music", 7);
        writer.create(music).join();
        Configuration v2 = new Configuration(2, List.of(1, 2, 4), List.of());
        assertThat(writer.recordConfiguration("Music", 7, 1, v2).join().replicasOf(1)).containsExactly(1, 2, 4);
        TableDescriptor again = writer.recordConfiguration("Music", 7, 1, new Configuration(1, List.of(1, 2, 3), List.of(4))).join();
        assertThat(again.configurationOf(1)).as("an older one is no change").isEqualTo(v2);
        assertThat(again.replicasOf(0)).containsExactly(1, 2, 3);
        assertThatThrownBy(() -> writer.recordConfiguration("Music", 8, 1, v2).join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(CatalogConflictException.class);
    }

    private void placeCatalog() {
        placement.placement();
        readBackProposals();
        assertThat(placement.known()).isNotNull();
    }
}
