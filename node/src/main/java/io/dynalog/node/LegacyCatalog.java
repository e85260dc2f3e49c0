package io.dynalog.node;

import io.dynalog.replica.CompactedTopicView;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.wire.TableRecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables an earlier version of Dynalog recorded in its catalog topic {@code <prefix>.meta}
 * (descriptors keyed by table name, written by the nodes themselves, before the catalog was a
 * replica group): each is brought into the replicated catalog once, unchanged (same incarnation,
 * WAL topic and placement, so its data is served as it was).
 *
 * <p>A table brought in is removed from the old topic (a tombstone), and the topic is deleted once
 * it holds none: so a table deleted afterwards is never brought back, and the topic is read again
 * right before each import, so a node that read it earlier cannot bring one back either. A table
 * whose name the catalog gives to another incarnation stays in the old topic, with its rows on
 * the nodes, and is reported at every start.
 */
final class LegacyCatalog {
    private static final Logger log = LoggerFactory.getLogger(LegacyCatalog.class);
    private static final long KAFKA_TIMEOUT_MS = 30_000;

    private final Admin admin;
    private final String topic;
    private final Supplier<Consumer<byte[], byte[]>> consumers;

    LegacyCatalog(Admin admin, String prefix, Supplier<Consumer<byte[], byte[]>> consumers) {
        this.admin = admin;
        this.topic = prefix + ".meta";
        this.consumers = consumers;
    }

    /** The tables the old topic holds now (none when there is no such topic). */
    List<TableDescriptor> tables() {
        boolean exists;
        try {
            exists = admin.listTopics().names().get(KAFKA_TIMEOUT_MS, TimeUnit.MILLISECONDS).contains(topic);
        } catch (Exception e) {
            throw new IllegalStateException("cannot list Kafka topics to look for " + topic, e);
        }
        if (!exists) return List.of();
        try (CompactedTopicView<TableDescriptor> view = new CompactedTopicView<>(consumers.get(), topic, TableRecordCodec::decode,
                "legacy-catalog")) {
            view.start().get(KAFKA_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return view.values();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the earlier catalog topic " + topic, e);
        }
    }

    /**
     * Records every old table the replicated catalog lacks ({@code create} completes once the
     * catalog's leader has; it is idempotent for one incarnation). Blocks: run it on a thread of
     * its own. Throws when a table could not be brought in (try again later).
     */
    void bringInto(Function<String, TableDescriptor> catalog, Function<TableDescriptor, java.util.concurrent.CompletableFuture<?>> create,
                   Producer<byte[], byte[]> producer) throws Exception {
        List<TableDescriptor> earlier = tables();
        if (earlier.isEmpty()) return;
        int conflicts = 0;
        for (TableDescriptor t : earlier) {
            TableDescriptor current = catalog.apply(t.name());
            if (current != null && current.tableId() != t.tableId()) {
                log.warn("table {} of the earlier catalog ({}) is not brought in: the catalog has another table of that name; "
                        + "its data stays in {} and on the nodes", t.name(), topic, t.walTopic());
                conflicts++;
                continue;
            }
            if (current == null) create.apply(t).get(KAFKA_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            producer.send(new ProducerRecord<>(topic, 0, t.name().getBytes(StandardCharsets.UTF_8), null))
                    .get(KAFKA_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            log.info("table {} of the earlier catalog is in the catalog", t.name());
        }
        if (conflicts > 0) return;
        admin.deleteTopics(List.of(topic)).all().get(KAFKA_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        log.info("every table of the earlier catalog is in the catalog; {} deleted", topic);
    }
}
