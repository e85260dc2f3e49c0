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
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's part in deriving change streams: one {@link ChangeStreamDerivation} per enabled
 * stream incarnation of the catalog (every node runs one; Kafka shares the WAL partitions among
 * them), and the changes topics.
 *
 * <p>A stream that is disabled stops being derived and stays readable; one that is replaced (a
 * new stream enabled) or whose table is deleted loses its topic and consumer group too.
 * Called from the table lifecycle's thread only.
 */
final class ChangeStreams implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChangeStreams.class);
    private static final long ADMIN_TIMEOUT_MS = 10_000;
    /**
     * How long a missing WAL slot is waited for before the stream skips it: far beyond the time a
     * new leader takes to append what it recovered, so only a slot compaction removed is skipped.
     */
    static final long GAP_TIMEOUT_MS = 120_000;

    private final Properties kafkaConfig;
    private final String topicPrefix;
    private final Path stateRoot;
    private final Admin admin;
    private final WalTopics topics;
    private final Map<Long, WalDerivation> derivations = new ConcurrentHashMap<>();

    ChangeStreams(Properties kafkaConfig, String topicPrefix, Path stateRoot, Admin admin, WalTopics topics) {
        this.kafkaConfig = kafkaConfig;
        this.topicPrefix = topicPrefix;
        this.stateRoot = stateRoot;
        this.admin = admin;
        this.topics = topics;
    }

    /** The Streams application (and consumer group) of a stream incarnation: the same on every node. */
    String applicationId(TableStream stream) {
        return topicPrefix + ".changes-derivation." + Long.toHexString(stream.streamId());
    }

    /** Makes this node's part of the table's streams match its record: idempotent. */
    void apply(TableDescriptor previous, TableDescriptor current) {
        TableStream before = previous == null ? null : previous.stream();
        TableStream now = current == null ? null : current.stream();
        if (before != null && (now == null || now.streamId() != before.streamId())) remove(before);
        if (now == null) return;
        if (now.enabled()) {
            topics.ensureChangesTopic(now.topic(), current.partitionCount());
            derivations.computeIfAbsent(now.streamId(), id -> {
                WalDerivation d = ChangeStreamDerivation.create(kafkaConfig, applicationId(now),
                        stateRoot.resolve(Long.toHexString(id)), current, GAP_TIMEOUT_MS);
                d.start();
                return d;
            });
        } else {
            stop(now);
        }
    }

    /** The stream's table is deleted, or the stream replaced: it is derived no more and its topic goes. */
    void remove(TableStream stream) {
        stop(stream);
        topics.delete(stream.topic());
        log.info("change stream {} removed (topic {})", stream.label(), stream.topic());
    }

    /** Stops deriving a stream here, with its local state and consumer group (best effort: another node may still be in it). */
    private void stop(TableStream stream) {
        WalDerivation d = derivations.remove(stream.streamId());
        if (d == null) return;
        d.closeAndCleanUp();
        try {
            admin.deleteConsumerGroups(List.of(applicationId(stream))).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.debug("consumer group {} not deleted yet: {}", applicationId(stream), e.toString());
        }
    }

    @Override
    public void close() {
        derivations.values().forEach(WalDerivation::close);
        derivations.clear();
    }
}
