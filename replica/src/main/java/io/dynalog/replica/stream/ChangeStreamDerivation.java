package io.dynalog.replica.stream;

import io.dynalog.replica.WalDerivation;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStream;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wire.ChangeRecordCodec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Derives a table's change stream from its WAL: a Kafka Streams application (processing
 * guarantee exactly_once_v2) that reads every WAL partition of the table and writes each
 * partition's changes, ordered by {@link ChangeSequencer}, to the same partition of the changes
 * topic, as {@code ChangeRecord} messages keyed by the item's store key.
 *
 * <p>One application per stream incarnation ({@code applicationId} names it), run by every node:
 * Kafka's group protocol shares the WAL partitions among them. The sequencer's state (the next
 * slot, early entries) is in state stores whose changelogs commit with the output, so across
 * restarts, rebalances and failovers each change is written once, in order. Its offsets start at
 * the beginning of the WAL; the sequencer passes over what came before the stream.
 */
public final class ChangeStreamDerivation {
    private static final String PROGRESS_STORE = "progress";
    private static final String HELD_STORE = "held";
    /** How often a partition with held entries checks whether compaction explains its gap. */
    private static final Duration GAP_CHECK_INTERVAL = Duration.ofSeconds(1);

    private ChangeStreamDerivation() {}

    /**
     * The derivation of the table's stream incarnation (not started).
     *
     * @param kafkaConfig the bootstrap servers and any client settings shared by the node's clients
     * @param applicationId the Streams application id, the same on every node for this stream incarnation
     * @param stateDir a directory of this node's own for the sequencer's state stores
     * @param compactionLagMs how old a WAL entry must be before compaction may remove it (the WAL's point-in-time window)
     */
    public static WalDerivation create(Properties kafkaConfig, String applicationId, Path stateDir, TableDescriptor table,
                                       long compactionLagMs) {
        TableStream stream = table.stream();
        if (stream == null) throw new IllegalArgumentException("table " + table.name() + " has no stream");
        return new WalDerivation(topology(table, compactionLagMs), kafkaConfig, applicationId, stateDir,
                "the derivation of the change stream " + stream.label() + " of table " + table.name());
    }

    /** The internal topics Kafka Streams makes for the sequencer's state stores (their changelogs). */
    public static List<String> changelogTopics(String applicationId) {
        return List.of(applicationId + "-" + PROGRESS_STORE + "-changelog", applicationId + "-" + HELD_STORE + "-changelog");
    }

    /** WAL topic -> sequencer (per partition) -> changes topic, same partition. */
    public static Topology topology(TableDescriptor table, long compactionLagMs) {
        ChangeSequencer sequencer = new ChangeSequencer(table, table.stream(), compactionLagMs);
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROGRESS_STORE), Serdes.Integer(), Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HELD_STORE), Serdes.Long(), Serdes.ByteArray()));
        builder.stream(table.walTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .process(() -> new SequencingProcessor(sequencer, table.tableId()), PROGRESS_STORE, HELD_STORE)
                .to(table.stream().topic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withStreamPartitioner(WalDerivation.BY_KEY_HASH));
        return builder.build();
    }

    /** One WAL partition's entries into its changes, through the sequencer and its stores. */
    private static final class SequencingProcessor extends ContextualProcessor<byte[], byte[], byte[], byte[]> {
        private final ChangeSequencer sequencer;
        private final long tableId;
        private KeyValueStore<Integer, byte[]> progress;
        private KeyValueStore<Long, byte[]> held;
        private ChangeSequencer.State state;

        SequencingProcessor(ChangeSequencer sequencer, long tableId) {
            this.sequencer = sequencer;
            this.tableId = tableId;
        }

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            super.init(context);
            progress = context.getStateStore(PROGRESS_STORE);
            held = context.getStateStore(HELD_STORE);
            int partition = context.taskId().partition();
            state = new StoreState(progress, held, partition);
            context.schedule(GAP_CHECK_INTERVAL, PunctuationType.WALL_CLOCK_TIME,
                    now -> sequencer.skipCompactedGaps(state, now).forEach(this::send));
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            byte[] encoded = WalDerivation.encodedWalEntry(record);
            WalEntry entry = WalDerivation.walEntry(encoded, tableId);
            if (entry.partition() != context().taskId().partition()) {
                throw new IllegalStateException("WAL partition " + context().taskId().partition() + " holds an entry of partition " + entry.partition());
            }
            sequencer.accept(entry, encoded, state, System.currentTimeMillis()).forEach(this::send);
        }

        private void send(ChangeSequencer.Emitted e) {
            context().forward(new Record<>(e.storeKey(), ChangeRecordCodec.encode(e.change()), e.timestampMs()));
        }
    }

    /** The sequencer's state of one partition, in the task's state stores. */
    private record StoreState(KeyValueStore<Integer, byte[]> progressStore, KeyValueStore<Long, byte[]> heldStore, int partition)
            implements ChangeSequencer.State {
        @Override
        public ChangeSequencer.Progress progress() {
            byte[] b = progressStore.get(partition);
            if (b == null) return null;
            ByteBuffer buffer = ByteBuffer.wrap(b);
            return new ChangeSequencer.Progress(buffer.getLong(), buffer.getLong(), buffer.getInt(), buffer.getInt());
        }

        @Override
        public void progress(ChangeSequencer.Progress p) {
            progressStore.put(partition, ByteBuffer.allocate(24).putLong(p.nextSlot()).putLong(p.lastSequenceMs())
                    .putInt(p.counterWithinMs()).putInt(p.heldEntries()).array());
        }

        @Override
        public void hold(long slot, byte[] encodedEntry) {
            heldStore.put(slot, encodedEntry);
        }

        @Override
        public byte[] held(long slot) {
            return heldStore.get(slot);
        }

        @Override
        public void release(long slot) {
            heldStore.delete(slot);
        }

        @Override
        public Long firstHeld() {
            try (KeyValueIterator<Long, byte[]> it = heldStore.all()) {
                if (!it.hasNext()) return null;
                KeyValue<Long, byte[]> first = it.next();
                return first.key;
            }
        }
    }
}
