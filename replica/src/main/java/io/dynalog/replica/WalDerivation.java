package io.dynalog.replica;

import io.dynalog.topology.keys.KeyCodec;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wal.WalRecords;
import io.dynalog.topology.wire.WalEntryCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Streams application deriving from a table's WAL (a global index, a change stream), as
 * every node runs it: one stream thread, exactly once (exactly_once_v2), committing every 100 ms,
 * which bounds how late its output becomes visible to read_committed readers; a node that dies
 * hands its WAL partitions to the others within its session timeout. Also how such applications
 * read a WAL record.
 */
public final class WalDerivation implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WalDerivation.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** The largest record a derivation writes: as large as a WAL record may be. */
    private static final int MAX_RECORD_BYTES = 4 * 1024 * 1024;

    private final KafkaStreams streams;
    private final String description;

    /**
     * @param kafkaConfig the bootstrap servers and any client settings shared by the node's clients
     * @param applicationId the Streams application id (and consumer group), the same on every node
     * @param stateDir a directory of this node's own
     * @param description what it derives, for the log
     */
    public WalDerivation(Topology topology, Properties kafkaConfig, String applicationId, Path stateDir, String description) {
        this.description = description;
        Properties config = new Properties();
        config.putAll(kafkaConfig);
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.producerPrefix("linger.ms"), 5);
        config.put(StreamsConfig.consumerPrefix("fetch.max.wait.ms"), 50);
        config.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10_000);
        config.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), 1_000);
        // Output records and state store changelog records can be as large as a WAL record (two
        // 400 KB images): larger than the clients' and topics' 1 MB defaults.
        config.put(StreamsConfig.producerPrefix("max.request.size"), MAX_RECORD_BYTES * 2);
        config.put(StreamsConfig.topicPrefix("max.message.bytes"), MAX_RECORD_BYTES);
        this.streams = new KafkaStreams(topology, config);
        // Exactly-once: a replaced thread resumes from the last commit, so nothing is skipped or
        // repeated; a transient Kafka error heals, and a record that cannot be read fails again,
        // loudly, rather than be passed over.
        streams.setUncaughtExceptionHandler(e -> {
            log.error("{} failed; resuming from its last commit: {}", description, e.toString(), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    public void start() {
        streams.start();
        log.info("started {} from its WAL", description);
    }

    @Override
    public void close() {
        streams.close(CLOSE_TIMEOUT);
    }

    /**
     * Stops the derivation for good (what it derived is gone): leaves its consumer group at once,
     * so the group can be deleted, and removes its local state directory.
     */
    public void closeAndCleanUp() {
        boolean stopped = streams.close(CloseOptions.timeout(CLOSE_TIMEOUT)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        if (!stopped) {
            log.warn("{} did not stop within {}; its local state is left in place", description, CLOSE_TIMEOUT);
            return;
        }
        streams.cleanUp();
    }

    /** The encoded WAL entry a WAL record holds (a tombstone, in its header). */
    public static byte[] encodedWalEntry(Record<byte[], byte[]> record) {
        return WalRecordEntries.encodedValue(record.value(), record.headers(), WalRecords.ENTRY_HEADER,
                () -> "a WAL record of timestamp " + record.timestamp());
    }

    /**
     * Sends each output record to the partition of its key's hash: for a store key, the table
     * partition it belongs to; for an index row key, its index partition.
     */
    public static final StreamPartitioner<byte[], byte[]> BY_KEY_HASH = (topic, key, value, partitions) ->
            Optional.of(Set.of(KeyCodec.partitionOf(KeyCodec.hashOf(key), partitions)));

    /** Decodes an entry of table {@code tableId}'s WAL; an entry of another table is an error. */
    public static WalEntry walEntry(byte[] encoded, long tableId) {
        WalEntry entry = WalEntryCodec.decode(encoded);
        if (entry.tableId() != tableId) {
            throw new IllegalStateException("the WAL of table " + Long.toHexString(tableId) + " holds an entry of table "
                    + Long.toHexString(entry.tableId()));
        }
        return entry;
    }
}
