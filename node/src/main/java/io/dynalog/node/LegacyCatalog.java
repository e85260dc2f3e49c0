package io.dynalog.node;

import io.dynalog.replica.CompactedTopicView;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.wire.TableRecordCodec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables an earlier version of Dynalog recorded in its catalog topic {@code <prefix>.meta}
 * (descriptors keyed by table name, written by the nodes themselves, before the catalog was a
 * replica group): each is brought into the replicated catalog once, unchanged (same incarnation,
 * WAL topic and placement, so its data is served as it was), and the old topic is deleted once
 * every one of them is there, so a table deleted afterwards is never brought back.
 */
final class LegacyCatalog {
    private static final Logger log = LoggerFactory.getLogger(LegacyCatalog.class);
    private static final long ADMIN_TIMEOUT_MS = 30_000;

    private final Admin admin;
    private final String topic;
    /** Emptied once every one is in the catalog: a table deleted after that is never brought back. */
    private volatile List<TableDescriptor> tables;

    private LegacyCatalog(Admin admin, String topic, List<TableDescriptor> tables) {
        this.admin = admin;
        this.topic = topic;
        this.tables = tables;
    }

    static String topic(String prefix) {
        return prefix + ".meta";
    }

    /** Reads the old catalog topic, if there is one (none: no tables). */
    static LegacyCatalog read(Admin admin, String prefix, Supplier<Consumer<byte[], byte[]>> consumers) {
        String topic = topic(prefix);
        boolean exists;
        try {
            exists = admin.listTopics().names().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS).contains(topic);
        } catch (Exception e) {
            throw new IllegalStateException("cannot list Kafka topics to look for " + topic, e);
        }
        if (!exists) return new LegacyCatalog(admin, topic, List.of());
        try (CompactedTopicView<TableDescriptor> view = new CompactedTopicView<>(consumers.get(), topic, TableRecordCodec::decode,
                "legacy-catalog")) {
            view.start().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            List<TableDescriptor> tables = view.values();
            if (!tables.isEmpty()) {
                log.info("{} holds {} tables of an earlier version's catalog: {}", topic, tables.size(),
                        tables.stream().map(TableDescriptor::name).toList());
            }
            return new LegacyCatalog(admin, topic, tables);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the earlier catalog topic " + topic, e);
        }
    }

    /** The tables the old topic holds, until they are all in the catalog. */
    List<TableDescriptor> tables() {
        return tables;
    }

    /**
     * Records every old table the replicated catalog lacks ({@code create}: idempotent for one
     * incarnation), then deletes the old topic. A table whose name the catalog gives to another
     * incarnation is left out, and said so.
     */
    CompletableFuture<Void> bringInto(Function<String, TableDescriptor> catalog, Function<TableDescriptor, CompletableFuture<?>> create) {
        List<TableDescriptor> earlier = tables;
        CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
        for (TableDescriptor t : earlier) {
            all = all.thenCompose(v -> {
                TableDescriptor current = catalog.apply(t.name());
                if (current != null) {
                    if (current.tableId() != t.tableId()) {
                        log.warn("table {} of the earlier catalog is left out: the catalog has another table of that name", t.name());
                    }
                    return CompletableFuture.completedFuture(null);
                }
                return create.apply(t).thenRun(() -> log.info("table {} of the earlier catalog is in the catalog", t.name()));
            });
        }
        return all.thenRun(() -> {
            if (earlier.isEmpty()) return;
            tables = List.of();
            try {
                admin.deleteTopics(List.of(topic)).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                log.info("every table of the earlier catalog is in the catalog; {} deleted", topic);
            } catch (Exception e) {
                log.warn("the earlier catalog topic {} could not be deleted ({}); the next start tries again", topic, e.toString());
            }
        });
    }
}
