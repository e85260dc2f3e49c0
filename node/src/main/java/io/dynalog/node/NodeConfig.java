package io.dynalog.node;

import io.dynalog.topology.keys.ItemCollections;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a node is configured with.
 *
 * @param nodeId this node's id, unique in the cluster (part of every ballot it uses)
 * @param zone the availability zone the node is in
 * @param host the address other nodes and clients reach this node at (it also listens there)
 * @param apiPort the DynamoDB API port (0 = pick a free one)
 * @param peerPort the port replica groups talk on (0 = pick a free one)
 * @param kafkaBootstrapServers the Kafka cluster holding the WAL and the catalog
 * @param dataDir where the node keeps its RocksDB stores
 * @param topicPrefix the prefix of every Kafka topic this cluster uses
 * @param defaultPartitions partitions of a new table
 * @param topicReplicationFactor replication factor of the topics the node creates
 * @param pointInTimeWindowMs how long the WAL keeps the uncompacted history
 * @param region the region reported in ARNs
 * @param expectedNodes how many nodes the cluster starts with (itself included): the catalog is
 *     placed once this many are known (or after {@code DynalogNode.EXPECTED_NODES_WAIT_MS}), so
 *     that it gets replicas in every zone the cluster will have
 * @param itemCollectionLimitBytes the most an item collection (the items of one partition key, with
 *     their local index rows, in a table with local indexes) may hold; DynamoDB's 10 GB by default
 * @param requestPartitions partitions of the Kafka write path's request topic, when the node creates it
 * @param idempotencyWindowMs how long a client request token of the Kafka write path is remembered:
 *     a request retried with it within this time takes effect once
 * @param replaceAfterMs how long a node may go unheard before its replicas are replaced on other
 *     nodes (issue 15's re-replication)
 */
public record NodeConfig(
        int nodeId,
        String zone,
        String host,
        int apiPort,
        int peerPort,
        String kafkaBootstrapServers,
        Path dataDir,
        String topicPrefix,
        int defaultPartitions,
        short topicReplicationFactor,
        long pointInTimeWindowMs,
        String region,
        int expectedNodes,
        long itemCollectionLimitBytes,
        int requestPartitions,
        long idempotencyWindowMs,
        long replaceAfterMs) {

    public static final int DEFAULT_REQUEST_PARTITIONS = 4;
    public static final long DEFAULT_IDEMPOTENCY_WINDOW_MS = 10 * 60 * 1000L;
    /**
     * Five minutes: long enough that a node restarted, or rebooted, comes back in time and keeps its
     * replicas (a replacement copies the data), short enough that a group is back at three full
     * replicas within minutes of a loss, as DynamoDB's are.
     */
    public static final long DEFAULT_REPLACE_AFTER_MS = 5 * 60 * 1000L;
    /** The least {@code replaceAfterMs}: a node is not judged dead before it could be judged silent. */
    public static final long MIN_REPLACE_AFTER_MS = 10_000;

    /** A configuration with the Kafka write path's defaults. */
    public NodeConfig(int nodeId, String zone, String host, int apiPort, int peerPort, String kafkaBootstrapServers,
                      Path dataDir, String topicPrefix, int defaultPartitions, short topicReplicationFactor,
                      long pointInTimeWindowMs, String region, int expectedNodes, long itemCollectionLimitBytes) {
        this(nodeId, zone, host, apiPort, peerPort, kafkaBootstrapServers, dataDir, topicPrefix, defaultPartitions,
                topicReplicationFactor, pointInTimeWindowMs, region, expectedNodes, itemCollectionLimitBytes,
                DEFAULT_REQUEST_PARTITIONS, DEFAULT_IDEMPOTENCY_WINDOW_MS, DEFAULT_REPLACE_AFTER_MS);
    }

    public NodeConfig {
        if (nodeId < 1) throw new IllegalArgumentException("node ids start at 1, got " + nodeId);
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        if (defaultPartitions < 1) throw new IllegalArgumentException("defaultPartitions must be >= 1");
        if (topicReplicationFactor < 1) throw new IllegalArgumentException("topicReplicationFactor must be >= 1");
        if (expectedNodes < 1) throw new IllegalArgumentException("expectedNodes must be >= 1");
        if (itemCollectionLimitBytes < 1) throw new IllegalArgumentException("itemCollectionLimitBytes must be >= 1");
        if (requestPartitions < 1) throw new IllegalArgumentException("requestPartitions must be >= 1");
        if (idempotencyWindowMs < 1) throw new IllegalArgumentException("idempotencyWindowMs must be >= 1");
        if (replaceAfterMs < MIN_REPLACE_AFTER_MS) {
            throw new IllegalArgumentException("replaceAfterMs must be >= " + MIN_REPLACE_AFTER_MS + ", got " + replaceAfterMs);
        }
    }

    /** A one-node configuration with the defaults, on the loopback address. */
    public static NodeConfig singleNode(int apiPort, String kafkaBootstrapServers, Path dataDir) {
        return new NodeConfig(1, "az1", "127.0.0.1", apiPort, 0, kafkaBootstrapServers, dataDir, "dynalog", 4, (short) 1,
                24L * 3600 * 1000, "local", 1,
                ItemCollections.DEFAULT_LIMIT_BYTES);
    }

    public NodeConfig withTopicPrefix(String prefix) {
        return new NodeConfig(nodeId, zone, host, apiPort, peerPort, kafkaBootstrapServers, dataDir, prefix,
                defaultPartitions, topicReplicationFactor, pointInTimeWindowMs, region, expectedNodes,
                itemCollectionLimitBytes, requestPartitions, idempotencyWindowMs, replaceAfterMs);
    }

    public NodeConfig withDefaultPartitions(int partitions) {
        return new NodeConfig(nodeId, zone, host, apiPort, peerPort, kafkaBootstrapServers, dataDir, topicPrefix,
                partitions, topicReplicationFactor, pointInTimeWindowMs, region, expectedNodes,
                itemCollectionLimitBytes, requestPartitions, idempotencyWindowMs, replaceAfterMs);
    }

    public NodeConfig withDataDir(Path dir) {
        return new NodeConfig(nodeId, zone, host, apiPort, peerPort, kafkaBootstrapServers, dir, topicPrefix,
                defaultPartitions, topicReplicationFactor, pointInTimeWindowMs, region, expectedNodes,
                itemCollectionLimitBytes, requestPartitions, idempotencyWindowMs, replaceAfterMs);
    }

    public NodeConfig withExpectedNodes(int nodes) {
        return new NodeConfig(nodeId, zone, host, apiPort, peerPort, kafkaBootstrapServers, dataDir, topicPrefix,
                defaultPartitions, topicReplicationFactor, pointInTimeWindowMs, region, nodes,
                itemCollectionLimitBytes, requestPartitions, idempotencyWindowMs, replaceAfterMs);
    }

    public NodeConfig withItemCollectionLimitBytes(long limitBytes) {
        return new NodeConfig(nodeId, zone, host, apiPort, peerPort, kafkaBootstrapServers, dataDir, topicPrefix,
                defaultPartitions, topicReplicationFactor, pointInTimeWindowMs, region, expectedNodes, limitBytes,
                requestPartitions, idempotencyWindowMs, replaceAfterMs);
    }

    /** The Kafka write path's request topic partitions and idempotency window. */
    public NodeConfig withKafkaWritePath(int partitions, long windowMs) {
        return new NodeConfig(nodeId, zone, host, apiPort, peerPort, kafkaBootstrapServers, dataDir, topicPrefix,
                defaultPartitions, topicReplicationFactor, pointInTimeWindowMs, region, expectedNodes,
                itemCollectionLimitBytes, partitions, windowMs, replaceAfterMs);
    }

    /** How long a node may go unheard before its replicas are replaced. */
    public NodeConfig withReplaceAfterMs(long ms) {
        return new NodeConfig(nodeId, zone, host, apiPort, peerPort, kafkaBootstrapServers, dataDir, topicPrefix,
                defaultPartitions, topicReplicationFactor, pointInTimeWindowMs, region, expectedNodes,
                itemCollectionLimitBytes, requestPartitions, idempotencyWindowMs, ms);
    }

    /** The same configuration as another node of the cluster. */
    public NodeConfig asNode(int id, String nodeZone, int nodeApiPort, int nodePeerPort, Path dir) {
        return new NodeConfig(id, nodeZone, host, nodeApiPort, nodePeerPort, kafkaBootstrapServers, dir, topicPrefix,
                defaultPartitions, topicReplicationFactor, pointInTimeWindowMs, region, expectedNodes,
                itemCollectionLimitBytes, requestPartitions, idempotencyWindowMs, replaceAfterMs);
    }
}
