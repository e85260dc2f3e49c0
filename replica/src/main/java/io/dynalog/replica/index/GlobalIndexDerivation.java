package io.dynalog.replica.index;

import io.dynalog.replica.WalDerivation;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.wal.IndexRow;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wire.IndexRowCodec;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Derives one global secondary index from its table's WAL: a Kafka Streams application
 * (processing guarantee exactly_once_v2) that reads every WAL partition of the table and writes,
 * for each entry, the index rows it makes ({@link IndexRowDeriver}) to the index topic, keyed by
 * row key and partitioned by the hash of the index partition key, so each index partition's rows
 * land in its topic partition.
 *
 * <p>One application per index incarnation ({@code applicationId} names it), run by every node:
 * Kafka's group protocol shares the WAL partitions among them. Its consumer offsets start at the
 * beginning of the WAL, so a new index is backfilled from the compacted WAL by the same topology
 * that then keeps it current; exactly-once means a row is written once per WAL record whatever
 * restarts and rebalances happen (and replicas make the repeats of re-appended slots harmless).
 *
 * <p>A WAL record the derivation cannot read is retried from the last commit, with an error in the
 * log each time (the index then lags) rather than skipped. How far it has come is its consumer group's committed
 * offsets on the WAL (the group is the application id).
 */
public final class GlobalIndexDerivation {

    private GlobalIndexDerivation() {}

    /**
     * The derivation of one index incarnation (not started).
     *
     * @param kafkaConfig the bootstrap servers and any client settings shared by the node's clients
     * @param applicationId the Streams application id, the same on every node for this index incarnation
     * @param stateDir a directory of this node's own (the topology keeps no state, but Streams locks it)
     */
    public static WalDerivation create(Properties kafkaConfig, String applicationId, Path stateDir, TableDescriptor table,
                                       IndexDescriptor index) {
        return new WalDerivation(topology(table, index), kafkaConfig, applicationId, stateDir,
                "the derivation of index " + index.name() + " of table " + table.name());
    }

    /** WAL topic -> index rows -> index topic. */
    public static Topology topology(TableDescriptor table, IndexDescriptor index) {
        IndexRowDeriver deriver = new IndexRowDeriver(index, table.keySchema());
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(table.walTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .process(() -> new RowProcessor(deriver, table.tableId()))
                .to(index.topic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withStreamPartitioner(WalDerivation.BY_KEY_HASH));
        return builder.build();
    }

    /** Turns one WAL record into the index rows of its entry. */
    private static final class RowProcessor extends ContextualProcessor<byte[], byte[], byte[], byte[]> {
        private final IndexRowDeriver deriver;
        private final long tableId;

        RowProcessor(IndexRowDeriver deriver, long tableId) {
            this.deriver = deriver;
            this.tableId = tableId;
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            WalEntry entry = WalDerivation.walEntry(WalDerivation.encodedWalEntry(record), tableId);
            for (IndexRowDeriver.KeyedRow keyed : deriver.rows(entry)) {
                byte[] encodedRow = IndexRowCodec.encode(keyed.row());
                RecordHeaders headers = new RecordHeaders();
                byte[] value = encodedRow;
                if (keyed.row().isDelete()) {
                    headers.add(IndexRow.ROW_HEADER, encodedRow);
                    value = null;
                }
                context().forward(new Record<>(keyed.rowKey(), value, record.timestamp(), headers));
            }
        }
    }
}
