package io.dynalog.node;

import io.dynalog.replica.WalDerivation;
import io.dynalog.replica.index.GlobalIndexDerivation;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.TableDescriptor;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's part in deriving global secondary indexes: one {@link GlobalIndexDerivation} per
 * index incarnation of the catalog (every node runs one; Kafka shares the WAL partitions among
 * them), and, for an index added to a table that has items, the watch over its backfill.
 *
 * <p>Backfill: the derivation reads the WAL from its start, so it has backfilled the index once its
 * consumer group's committed offsets reach the WAL's end offsets as they were when the index was
 * placed here. Every replica of the index's first partition watches, so that one node down does not
 * hold the index in CREATING: each logs the progress and then records the index ACTIVE in the
 * catalog (the second to do so changes nothing).
 *
 * <p>Called from the table lifecycle's thread; the watches run on a thread of their own.
 */
final class GlobalIndexes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GlobalIndexes.class);
    private static final long BACKFILL_POLL_MS = 500;
    private static final long BACKFILL_LOG_EVERY_MS = 5_000;
    private static final long ADMIN_TIMEOUT_MS = 10_000;

    private final int nodeId;
    private final Properties kafkaConfig;
    private final String topicPrefix;
    private final Path stateRoot;
    private final Admin admin;
    private final ScheduledExecutorService scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gsi-backfill");
        t.setDaemon(true);
        return t;
    });
    /** Records an index ACTIVE in the catalog (at the catalog's leader). */
    private final BiFunction<TableDescriptor, IndexDescriptor, CompletableFuture<Void>> markIndexActive;
    private final Map<Long, WalDerivation> derivations = new ConcurrentHashMap<>();
    private final Map<Long, ScheduledFuture<?>> watches = new ConcurrentHashMap<>();

    GlobalIndexes(int nodeId, Properties kafkaConfig, String topicPrefix, Path stateRoot, Admin admin,
                  BiFunction<TableDescriptor, IndexDescriptor, CompletableFuture<Void>> markIndexActive) {
        this.nodeId = nodeId;
        this.kafkaConfig = kafkaConfig;
        this.topicPrefix = topicPrefix;
        this.stateRoot = stateRoot;
        this.admin = admin;
        this.markIndexActive = markIndexActive;
    }

    /** The Streams application (and consumer group) of an index incarnation: the same on every node. */
    String applicationId(IndexDescriptor index) {
        return topicPrefix + ".gsi-derivation." + Long.toHexString(index.indexId());
    }

    /** Starts deriving the index here (idempotent), and watches its backfill if it is this node's to watch. */
    void start(TableDescriptor table, IndexDescriptor index) {
        derivations.computeIfAbsent(index.indexId(), id -> {
            WalDerivation d = GlobalIndexDerivation.create(kafkaConfig, applicationId(index),
                    stateRoot.resolve(Long.toHexString(id)), table, index);
            d.start();
            return d;
        });
        boolean watcher = index.replicasOf(0).contains(nodeId);
        if (index.status() == IndexDescriptor.IndexStatus.CREATING && watcher && !watches.containsKey(index.indexId())) {
            Map<TopicPartition, Long> target = walEnds(table);
            log.info("backfilling index {} of table {}: {} WAL records to derive", index.name(), table.name(),
                    target.values().stream().mapToLong(Long::longValue).sum());
            Backfill backfill = new Backfill(table, index, target);
            watches.put(index.indexId(), scheduler.scheduleWithFixedDelay(backfill::check, 0, BACKFILL_POLL_MS, TimeUnit.MILLISECONDS));
        }
    }

    /**
     * Stops deriving an index incarnation here (it is deleted), removes its local Streams state and
     * forgets its consumer group (best effort: another node may still be in it).
     */
    void stop(IndexDescriptor index) {
        ScheduledFuture<?> watch = watches.remove(index.indexId());
        if (watch != null) watch.cancel(false);
        WalDerivation d = derivations.remove(index.indexId());
        if (d == null) return;
        d.closeAndCleanUp();
        try {
            admin.deleteConsumerGroups(List.of(applicationId(index))).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.debug("consumer group {} not deleted yet: {}", applicationId(index), e.toString());
        }
    }

    private Map<TopicPartition, Long> walEnds(TableDescriptor table) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < table.partitionCount(); p++) latest.put(new TopicPartition(table.walTopic(), p), OffsetSpec.latest());
        try {
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
            return ends;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the end offsets of " + table.walTopic(), e);
        }
    }

    /** The watch over one index's backfill; runs on the scheduler. */
    private final class Backfill {
        private final TableDescriptor table;
        private final IndexDescriptor index;
        private final Map<TopicPartition, Long> target;
        private final long totalRecords;
        private long lastLogMs = System.currentTimeMillis();
        private volatile boolean marking;

        Backfill(TableDescriptor table, IndexDescriptor index, Map<TopicPartition, Long> target) {
            this.table = table;
            this.index = index;
            this.target = target;
            this.totalRecords = target.values().stream().mapToLong(Long::longValue).sum();
        }

        void check() {
            if (marking) return;
            try {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId(index))
                        .partitionsToOffsetAndMetadata().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                long derived = 0;
                for (Map.Entry<TopicPartition, Long> t : target.entrySet()) {
                    OffsetAndMetadata c = committed.get(t.getKey());
                    derived += Math.min(t.getValue(), c == null ? 0 : c.offset());
                }
                if (derived < totalRecords) {
                    if (System.currentTimeMillis() - lastLogMs >= BACKFILL_LOG_EVERY_MS) {
                        lastLogMs = System.currentTimeMillis();
                        log.info("backfilling index {} of table {}: {}% ({} of {} WAL records derived)", index.name(), table.name(),
                                derived * 100 / totalRecords, derived, totalRecords);
                    }
                    return;
                }
                marking = true;
                log.info("index {} of table {} is backfilled ({} WAL records derived); marking it ACTIVE", index.name(), table.name(),
                        totalRecords);
                markIndexActive.apply(table, index).whenComplete((v, e) -> {
                    if (e == null) {
                        ScheduledFuture<?> watch = watches.remove(index.indexId());
                        if (watch != null) watch.cancel(false);
                    } else {
                        log.warn("index {} of table {} not marked ACTIVE yet ({}); retrying", index.name(), table.name(), e.toString());
                    }
                    marking = false;
                });
            } catch (Exception e) {
                log.warn("cannot read the backfill progress of index {} of table {} yet: {}", index.name(), table.name(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        watches.values().forEach(w -> w.cancel(false));
        derivations.values().forEach(WalDerivation::close);
        derivations.clear();
    }
}
