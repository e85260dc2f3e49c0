package io.dynalog.ingest;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates and deletes the Kafka topics the write path appends to (DESIGN.md section 5).
 *
 * <p>WAL topics are compacted: compaction keeps the latest entry of every item, so a replica can
 * bootstrap from offset 0; {@code min.compaction.lag.ms} keeps the recent tail uncompacted as the
 * point-in-time window. The lag counts from when a record landed ({@code LogAppendTime}), not from
 * when its producer made it: a deposed leader's append that a broker takes late is stale (its
 * partition's leader writes the item again once a replica reads it) and must stay uncompacted,
 * with the newer record before it, for the whole lag. Creation is idempotent, so a node that crashed half way through creating
 * a table finishes the job on restart.
 */
public final class WalTopics {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WalTopics.class);
    private static final long ADMIN_TIMEOUT_MS = 30_000;
    /**
     * How long compaction keeps a delete's tombstone. A replica that was away longer cannot trust
     * the compacted WAL to tell it about every delete and rebuilds its partitions from offset 0.
     */
    public static final long TOMBSTONE_RETENTION_MS = 24L * 3600 * 1000;
    /** Largest WAL record: an entry holds two images of up to 400 KB each, plus headers. */
    static final int MAX_WAL_RECORD_BYTES = 4 * 1024 * 1024;

    private final Admin admin;
    private final short replicationFactor;
    private final long pointInTimeWindowMs;

    public WalTopics(Admin admin, short replicationFactor, long pointInTimeWindowMs) {
        this.admin = admin;
        this.replicationFactor = replicationFactor;
        this.pointInTimeWindowMs = pointInTimeWindowMs;
    }

    public void ensureWalTopic(String topic, int partitions) {
        boolean created = ensure(new NewTopic(topic, partitions, replicationFactor).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Long.toString(pointInTimeWindowMs),
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime",
                TopicConfig.DELETE_RETENTION_MS_CONFIG, Long.toString(TOMBSTONE_RETENTION_MS),
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_WAL_RECORD_BYTES),
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.min(2, replicationFactor)))));
        if (!created) countCompactionLagFromLanding(topic);
    }

    /**
     * A WAL topic created by an earlier version (CreateTime) gets LogAppendTime too; setting it again
     * changes nothing. Not fatal when refused (the topic then keeps the weaker bound: a stale
     * record's lag counts from when its producer made it), but said in the log.
     */
    private void countCompactionLagFromLanding(String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        AlterConfigOp op = new AlterConfigOp(new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"),
                AlterConfigOp.OpType.SET);
        try {
            admin.incrementalAlterConfigs(Map.of(resource, List.of(op))).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            log.warn("cannot set {} to LogAppendTime on WAL topic {}: its compaction lag counts from when records were made",
                    TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, topic, e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            log.warn("cannot set {} to LogAppendTime on WAL topic {}", TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, topic, e);
        }
    }

    /**
     * A global index's topic: compacted like a WAL (a replica bootstraps an index partition from
     * offset 0; deletes are tombstones), without a point-in-time window.
     */
    public void ensureIndexTopic(String topic, int partitions) {
        ensure(new NewTopic(topic, partitions, replicationFactor).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.DELETE_RETENTION_MS_CONFIG, Long.toString(TOMBSTONE_RETENTION_MS),
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_WAL_RECORD_BYTES),
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.min(2, replicationFactor)))));
    }

    /**
     * A change stream's topic: one partition per table partition, records deleted after 24 hours
     * (DynamoDB Streams keeps a stream's records for 24 hours).
     */
    public void ensureChangesTopic(String topic, int partitions) {
        ensure(new NewTopic(topic, partitions, replicationFactor).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(CHANGES_RETENTION_MS),
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime",
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_WAL_RECORD_BYTES),
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.min(2, replicationFactor)))));
    }

    /** How long a change stream's records are kept. */
    public static final long CHANGES_RETENTION_MS = 24L * 3600 * 1000;

    public void ensureMetaTopic(String topic) {
        ensure(new NewTopic(topic, 1, replicationFactor).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.min(2, replicationFactor)))));
    }

    /** The Kafka write path's request topic: deleted after a day (requests are not history). */
    public void ensureRequestTopic(String topic, int partitions) {
        ensure(new NewTopic(topic, partitions, replicationFactor).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(REQUEST_RETENTION_MS),
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.min(2, replicationFactor)))));
    }

    static final long REQUEST_RETENTION_MS = 24L * 3600 * 1000;

    public void delete(String topic) {
        try {
            admin.deleteTopics(List.of(topic)).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) throw new IllegalStateException("cannot delete topic " + topic, e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("cannot delete topic " + topic, e);
        }
    }

    /** Creates the topic unless it exists; true when it was created here. */
    private boolean ensure(NewTopic topic) {
        try {
            admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + topic.name(), e.getCause());
            }
            return false;
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + topic.name(), e);
        }
    }
}
