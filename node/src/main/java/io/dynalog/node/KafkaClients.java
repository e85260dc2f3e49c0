package io.dynalog.node;

import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The Kafka clients a node uses, configured once here. */
final class KafkaClients {
    private KafkaClients() {}

    /**
     * The producer of WAL appends (the catalog's too): idempotent with acks=all, so a retried batch is neither lost
     * nor doubled and the order of appends to a partition is kept. A write is acknowledged when
     * its replica group has chosen it, before its WAL append, so a short linger costs a client
     * nothing and batches appends: fewer produce requests for the broker, and fewer, fuller
     * fetches for every replica that consumes them.
     */
    static final int WAL_LINGER_MS = 2;
    /**
     * The longest an append may take to land, retries included, after send() returned: after
     * that it fails. A deposed leader's append can land this long after its lease ended (its
     * last send), so this bounds the stale-append window a new leader waits out.
     */
    static final int WAL_DELIVERY_TIMEOUT_MS = 10_000;
    /** A request to the broker times out after this (and is retried, within the delivery timeout). */
    static final int WAL_REQUEST_TIMEOUT_MS = 4_000;
    /**
     * The appends in flight of every partition this node leads, at most: a sixteenth of the heap,
     * between 8 and 64 MB. When Kafka comes back after an outage every leader hands it all it
     * held (up to the node's {@code HeldBytesBudget}, an eighth of the heap) at once; a buffer
     * that size on top of it, and of the replicas' fetches, is what a small heap cannot carry.
     */
    static final long WAL_BUFFER_BYTES = heapShare(16, 8L << 20, 64L << 20);
    /**
     * The most one fetch of the node's replicas brings (Kafka's default is 50 MB): a thirty-second
     * of the heap, between 8 and 50 MB, so a replica catching up on a backlog of large items does
     * not hold a tenth of a small heap in fetched records, and again in the entries decoded from them.
     */
    static final int REPLICA_FETCH_MAX_BYTES = (int) heapShare(32, 8L << 20, 50L << 20);

    /** {@code 1/fraction} of the JVM's maximum heap, within [min, max]. */
    static long heapShare(int fraction, long min, long max) {
        return Math.max(min, Math.min(max, Runtime.getRuntime().maxMemory() / fraction));
    }

    static KafkaProducer<byte[], byte[]> producer(NodeConfig config) {
        Properties p = idempotentProducer(config, "wal");
        p.put(ProducerConfig.LINGER_MS_CONFIG, WAL_LINGER_MS);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, WAL_DELIVERY_TIMEOUT_MS);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, WAL_REQUEST_TIMEOUT_MS);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, WAL_BUFFER_BYTES);
        // send() runs on the replication loop, which must never block: a full buffer or a topic
        // whose metadata is not known yet fails the append at once, and the leader tries again
        // after a pause (the failed send asked for the metadata).
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * The producer of the node's announcements and the catalog's placement (few records, sent
     * off the replication loop): unlike the WAL's, it may wait for a topic's metadata.
     */
    static KafkaProducer<byte[], byte[]> metaProducer(NodeConfig config) {
        Properties p = idempotentProducer(config, "meta");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** What every producer of a node shares: idempotent, acks=all, a client id naming its use. */
    private static Properties idempotentProducer(NodeConfig config, String purpose) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "dynalog-node-" + config.nodeId() + "-" + purpose);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return p;
    }

    /** A consumer for assigned partitions: no group, no committed offsets (progress lives in RocksDB). */
    static KafkaConsumer<byte[], byte[]> assignedConsumer(NodeConfig config, String purpose) {
        return assignedConsumer(config, purpose, "earliest");
    }

    /**
     * An assigned consumer that reports an offset no longer held instead of moving past it
     * ({@code OffsetOutOfRangeException}), for the DynamoDB Streams API's reads.
     */
    static KafkaConsumer<byte[], byte[]> changeLogConsumer(NodeConfig config) {
        return assignedConsumer(config, "change-streams", "none");
    }

    private static KafkaConsumer<byte[], byte[]> assignedConsumer(NodeConfig config, String purpose, String offsetReset) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "dynalog-node-" + config.nodeId() + "-" + purpose);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset);
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, REPLICA_FETCH_MAX_BYTES);
        // Global index topics are written in transactions (exactly-once derivation): rows of an
        // aborted one must never be applied. WAL topics have no transactions, so this changes nothing there.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Blocking calls (endOffsets) run on the apply loop: bound how long they can hold it.
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The most records one intake poll returns (what may run beyond the intake's bound on concurrency). */
    static final int INTAKE_MAX_POLL_RECORDS = 256;

    /** A member of the Kafka write path's intake group: offsets committed by the intake, after the replies. */
    static KafkaConsumer<byte[], byte[]> intakeConsumer(NodeConfig config, String groupId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "dynalog-node-" + config.nodeId() + "-intake");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A group that never committed starts with the requests already waiting.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, INTAKE_MAX_POLL_RECORDS);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The longest a reply may take to land, retries included. */
    static final int REPLY_DELIVERY_TIMEOUT_MS = 30_000;
    /** The longest a reply waits for its topic's metadata. */
    static final long REPLY_MAX_BLOCK_MS = 1_000;

    /**
     * The producer of the Kafka write path's replies: a reply topic that does not exist (and that
     * the broker does not create on first use) fails its reply within a second.
     */
    static KafkaProducer<byte[], byte[]> replyProducer(NodeConfig config) {
        Properties p = idempotentProducer(config, "replies");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, REPLY_MAX_BLOCK_MS);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, REPLY_DELIVERY_TIMEOUT_MS);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** What the node's Kafka Streams applications share: where Kafka is, and a client id naming the node. */
    static Properties streams(NodeConfig config) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, "dynalog-node-" + config.nodeId() + "-streams");
        // Their internal topics (state store changelogs) are replicated like the node's own topics.
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.topicReplicationFactor());
        return p;
    }

    static Admin admin(NodeConfig config) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "dynalog-node-" + config.nodeId() + "-admin");
        return Admin.create(p);
    }
}
