package io.dynalog.replica;

import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wal.WalRecords;
import io.dynalog.topology.wire.WalEntryCodec;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;

/**
 * What the Kafka Streams applications deriving from a table's WAL (global indexes, change
 * streams) share: their configuration, their failure policy, and how they read a WAL record.
 */
public final class Derivations {
    private Derivations() {}

    /**
     * An application run by every node (one stream thread each), exactly once (exactly_once_v2),
     * committing every 100 ms, which bounds how late its output becomes visible to read_committed
     * readers; a node that dies hands its WAL partitions to the others within its session timeout.
     *
     * @param stateDir a directory of this node's own
     */
    public static KafkaStreams exactlyOnce(Topology topology, Properties kafkaConfig, String applicationId, Path stateDir,
                                           String description, Logger log) {
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
        KafkaStreams streams = new KafkaStreams(topology, config);
        // Exactly-once: a replaced thread resumes from the last commit, so nothing is skipped or
        // repeated; a transient Kafka error heals, and a record that cannot be read fails again,
        // loudly, rather than be passed over.
        streams.setUncaughtExceptionHandler(e -> {
            log.error("{} failed; resuming from its last commit: {}", description, e.toString(), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        return streams;
    }

    /** The encoded WAL entry a WAL record holds (a tombstone, in its header). */
    public static byte[] encodedWalEntry(Record<byte[], byte[]> record) {
        byte[] encoded = record.value();
        if (encoded != null) return encoded;
        Header h = record.headers().lastHeader(WalRecords.ENTRY_HEADER);
        if (h == null) throw new IllegalStateException("a WAL tombstone without its entry header");
        return h.value();
    }

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
