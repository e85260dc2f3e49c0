package io.dynalog.node;

import io.dynalog.ingest.WalTopics;
import io.dynalog.replica.WalDerivation;
import io.dynalog.replica.stream.ChangeStreamDerivation;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's part in deriving change streams: one derivation ({@link ChangeStreamDerivation}) per
 * stream incarnation the catalog holds (every node runs one; Kafka shares the WAL partitions among
 * them), and the changes topics.
 *
 * <p>A disabled stream is still derived: changes chosen before it was disabled may not be
 * derived yet, and the sequencer carries nothing chosen after. A stream that is replaced (a new
 * one enabled) or whose table is deleted stops being derived and loses its topic, its state store
 * changelogs and its consumer group. Only the stream the catalog holds now is started: a retried
 * or replayed step may name one that has been replaced since, which must not come back.
 * Called from the table lifecycle's thread only.
 */
final class ChangeStreams implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChangeStreams.class);
    private static final long ADMIN_TIMEOUT_MS = 10_000;

    private final Properties kafkaConfig;
    private final String topicPrefix;
    private final Path stateRoot;
    private final Admin admin;
    private final WalTopics topics;
    private final long compactionLagMs;
    private final Function<String, TableDescriptor> currentTable;
    private final Map<Long, WalDerivation> derivations = new ConcurrentHashMap<>();

    /**
     * @param compactionLagMs how old a WAL entry must be before compaction may remove it (the point-in-time window)
     * @param currentTable the catalog as this node now knows it, by name
     */
    ChangeStreams(Properties kafkaConfig, String topicPrefix, Path stateRoot, Admin admin, WalTopics topics, long compactionLagMs,
                  Function<String, TableDescriptor> currentTable) {
        this.kafkaConfig = kafkaConfig;
        this.topicPrefix = topicPrefix;
        this.stateRoot = stateRoot;
        this.admin = admin;
        this.topics = topics;
        this.compactionLagMs = compactionLagMs;
        this.currentTable = currentTable;
    }

    /** The Streams application (and consumer group) of a stream incarnation: the same on every node. */
    String applicationId(TableStream stream) {
        return topicPrefix + ".changes-derivation." + Long.toHexString(stream.streamId());
    }

    /** Makes this node's part of the table's stream match its record: idempotent. */
    void apply(TableDescriptor previous, TableDescriptor current) {
        TableStream before = previous == null ? null : previous.stream();
        TableStream now = current == null ? null : current.stream();
        if (before != null && (now == null || now.streamId() != before.streamId())) remove(before);
        if (now == null || derivations.containsKey(now.streamId())) return;
        TableDescriptor latest = currentTable.apply(current.name());
        if (latest == null || latest.tableId() != current.tableId() || latest.stream() == null
                || latest.stream().streamId() != now.streamId()) {
            return;
        }
        topics.ensureChangesTopic(now.topic(), current.partitionCount());
        WalDerivation d = ChangeStreamDerivation.create(kafkaConfig, applicationId(now), stateRoot.resolve(Long.toHexString(now.streamId())),
                current, compactionLagMs);
        d.start();
        derivations.put(now.streamId(), d);
    }

    /**
     * The stream's table is deleted, or the stream replaced: it is derived no more, and its topic,
     * state store changelogs and consumer group go (best effort for the group: another node may
     * still be in it until it sees the change).
     */
    void remove(TableStream stream) {
        WalDerivation d = derivations.remove(stream.streamId());
        if (d != null) d.closeAndCleanUp();
        String applicationId = applicationId(stream);
        try {
            admin.deleteConsumerGroups(List.of(applicationId)).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.debug("consumer group {} not deleted yet: {}", applicationId, e.toString());
        }
        for (String changelog : ChangeStreamDerivation.changelogTopics(applicationId)) topics.delete(changelog);
        topics.delete(stream.topic());
        log.info("change stream {} removed (topic {})", stream.label(), stream.topic());
    }

    @Override
    public void close() {
        derivations.values().forEach(WalDerivation::close);
        derivations.clear();
    }
}
