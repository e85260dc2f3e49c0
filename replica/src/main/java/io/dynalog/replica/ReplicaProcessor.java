package io.dynalog.replica;

import io.dynalog.replica.ReplicaStore.CollectionDelta;
import io.dynalog.replica.ReplicaStore.ItemChange;
import io.dynalog.replica.ReplicaStore.PartitionRef;
import io.dynalog.topology.keys.IndexKeys;
import io.dynalog.topology.keys.ItemCollections;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.wal.IndexRow;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wal.WalRecords;
import io.dynalog.topology.wire.IndexRowCodec;
import io.dynalog.topology.wire.ItemCodec;
import io.dynalog.topology.wire.WalEntryCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Materialises the WAL partitions placed on this node into the {@link ReplicaStore}.
 *
 * <p>Responsibilities: keep the set of assigned WAL partitions (assigned, never group-managed);
 * consume them in offset order from the persisted progress; apply each entry whose slot is above
 * the partition's applied slot, and one at or below it (a late slot: an append made again after
 * a failure, which Kafka may land after later ones) only if its item's version (the slot last
 * applied to it) is lower; tell waiters and listeners how far each partition has been applied
 * and consumed.
 *
 * <p>Two kinds of partition are materialised. A <em>table partition</em> applies WAL entries, and
 * with each item the rows of the table's local secondary indexes, computed from this replica's own
 * current item (not the entry's old image), in the same batch: a local index is never behind its
 * table. A <em>global index partition</em> applies index rows ({@link IndexRow}) from its index
 * topic, each only if its source slot is above the slot last applied to its row.
 *
 * <p>Threading: one thread owns the Kafka consumer and runs the apply loop; every public method
 * may be called from any thread and only hands work to that loop or registers a waiter.
 *
 * <p>Safety: an entry for another table incarnation or partition than its Kafka partition says
 * is never applied; the partition stops ({@link PartitionState#failed}) and its waiters fail, since
 * serving it could return wrong data.
 */
public final class ReplicaProcessor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaProcessor.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final long FAILURE_BACKOFF_MS = 500;

    private final ReplicaStore store;
    private final Consumer<byte[], byte[]> consumer;
    private final long rebuildAfterMs;
    private final LongSupplier clockMs;
    private final Map<TopicPartition, PartitionState> byTopicPartition = new ConcurrentHashMap<>();
    private final Map<PartitionRef, PartitionState> byRef = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final List<AppliedListener> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param rebuildAfterMs a partition whose progress is older than this is rebuilt from offset 0
     *     rather than resumed: the WAL's compaction drops tombstones after its
     *     {@code delete.retention.ms}, so a replica away longer could miss deletes
     * @param clockMs the wall clock, in milliseconds
     */
    public ReplicaProcessor(ReplicaStore store, Consumer<byte[], byte[]> consumer, String threadName,
                            long rebuildAfterMs, LongSupplier clockMs) {
        this.store = store;
        this.consumer = consumer;
        this.rebuildAfterMs = rebuildAfterMs;
        this.clockMs = clockMs;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public void addListener(AppliedListener listener) {
        listeners.add(listener);
    }

    /** Starts materialising a table partition of a table without local indexes; see {@link #assign(PartitionRef, String, byte[], byte[], KeySchema, List)}. */
    public void assign(PartitionRef ref, String walTopic, byte[] firstStoreKey, byte[] endStoreKey) {
        assign(ref, walTopic, firstStoreKey, endStoreKey, null, List.of());
    }

    /**
     * Starts materialising a table partition (the store keys {@code [firstStoreKey, endStoreKey)},
     * null for the table's end) from its WAL partition, resuming at its progress, together with the
     * table's local indexes (whose rows of the partition fall in the same hash range).
     * The partition is known (to {@link #whenApplied}) when this returns;
     * consumption starts on the apply loop.
     */
    public void assign(PartitionRef ref, String walTopic, byte[] firstStoreKey, byte[] endStoreKey,
                       KeySchema tableKey, List<IndexDescriptor> localIndexes) {
        start(ref, new TopicPartition(walTopic, ref.partition()), SourceKind.TABLE, tableKey, localIndexes, firstStoreKey, endStoreKey);
    }

    /**
     * Starts materialising a global index partition ({@code ref}: the index id and index partition;
     * its rows {@code [firstRowKey, endRowKey)}) from its index topic partition.
     */
    public void assignIndex(PartitionRef ref, String indexTopic, byte[] firstRowKey, byte[] endRowKey) {
        start(ref, new TopicPartition(indexTopic, ref.partition()), SourceKind.GLOBAL_INDEX, null, List.of(), firstRowKey, endRowKey);
    }

    private void start(PartitionRef ref, TopicPartition topicPartition, SourceKind kind, KeySchema tableKey,
                       List<IndexDescriptor> localIndexes, byte[] first, byte[] end) {
        PartitionProgress progress = store.progress(ref.tableId(), ref.partition());
        boolean stale = progress.lastOffset() >= 0 && clockMs.getAsLong() - progress.recordedAtMs() > rebuildAfterMs;
        PartitionState state = new PartitionState(ref, topicPartition, kind, tableKey, localIndexes,
                stale ? PartitionProgress.EMPTY : progress);
        if (byRef.putIfAbsent(ref, state) != null) return;
        command(() -> {
            if (byRef.get(ref) != state) return;
            if (stale) {
                log.info("partition {} was last applied too long ago to resume (deletes may have been compacted away): rebuilding it from offset 0", ref);
                store.dropPartition(ref.tableId(), ref.partition(), first, end);
                for (IndexDescriptor index : state.localIndexes) store.dropPartition(index.indexId(), ref.partition(), first, end);
            }
            byTopicPartition.put(state.topicPartition, state);
            consumer.assign(byTopicPartition.keySet());
            consumer.seek(state.topicPartition, state.progress.nextOffset());
            log.debug("assigned {} at offset {}", state.topicPartition, state.progress.nextOffset());
        });
    }

    /**
     * Stops materialising every partition of a key space (a table incarnation, or a global index's)
     * and deletes all its rows. A table's local indexes are key spaces of their own: drop them too.
     */
    public CompletableFuture<Void> dropTable(long tableId) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        command(() -> {
            for (PartitionState state : List.copyOf(byRef.values())) {
                if (state.ref.tableId() != tableId) continue;
                byRef.remove(state.ref);
                byTopicPartition.remove(state.topicPartition);
                state.fail(new IllegalStateException("table incarnation " + tableId + " was dropped from this replica"));
            }
            consumer.assign(byTopicPartition.keySet());
            store.dropTable(tableId);
            done.complete(null);
        });
        return done;
    }

    /** Completes once the partition has applied every slot up to {@code slot}. */
    public CompletableFuture<Void> whenApplied(PartitionRef ref, long slot) {
        PartitionState state = byRef.get(ref);
        if (state == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("partition " + ref + " is not on this replica"));
        }
        return state.whenApplied(slot);
    }

    /**
     * Completes once the partition has consumed (applied or skipped) every record its WAL
     * partition held when this was called: then every slot Kafka acknowledged by then is applied
     * here, however its appends were ordered.
     */
    public CompletableFuture<Void> whenCaughtUp(PartitionRef ref) {
        PartitionState state = byRef.get(ref);
        if (state == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("partition " + ref + " is not on this replica"));
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        command(() -> {
            try {
                long end = consumer.endOffsets(List.of(state.topicPartition)).get(state.topicPartition);
                state.whenConsumed(end).whenComplete((v, e) -> {
                    if (e != null) result.completeExceptionally(e); else result.complete(null);
                });
            } catch (RuntimeException e) {
                if (e instanceof WakeupException) throw e; // the command is run again
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private void command(Runnable r) {
        commands.add(r);
        consumer.wakeup();
        synchronized (this) {
            notifyAll();
        }
    }

    private void run() {
        while (running) {
            try {
                runCommands();
                if (byTopicPartition.isEmpty()) {
                    synchronized (this) {
                        if (commands.isEmpty() && running) wait(POLL_TIMEOUT.toMillis());
                    }
                    continue;
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
                if (!records.isEmpty()) apply(records);
                // Past what was applied, and past what is never delivered (transaction markers).
                for (PartitionState state : byTopicPartition.values()) {
                    if (state.failed != null || !state.consumedAwaited()) continue;
                    try {
                        state.consumedTo(consumer.position(state.topicPartition, Duration.ZERO));
                    } catch (org.apache.kafka.common.errors.TimeoutException e) {
                        // being validated or reset after a Kafka leader change: next poll
                    }
                }
            } catch (WakeupException e) {
                // a command or close is waiting: loop around
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!running) return;
                // Nothing of the failed batch was applied (one WriteBatch): read it again from the
                // persisted progress rather than skip it, after a pause so a lasting fault does not spin.
                log.error("replica apply loop failed; re-reading from the applied progress", e);
                rewindToProgress();
                try {
                    synchronized (this) {
                        if (running) wait(FAILURE_BACKOFF_MS);
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void rewindToProgress() {
        for (PartitionState state : byTopicPartition.values()) {
            try {
                consumer.seek(state.topicPartition, state.progress.nextOffset());
            } catch (RuntimeException e) {
                log.warn("cannot rewind {}", state.topicPartition, e);
            }
        }
    }

    /**
     * Runs the queued commands in order. A command that calls the consumer can be interrupted by a
     * wakeup meant for the poll (another command was queued meanwhile): it is simply run again.
     */
    private void runCommands() {
        Runnable r;
        while ((r = commands.poll()) != null) {
            while (true) {
                try {
                    r.run();
                    break;
                } catch (WakeupException e) {
                    // retry the same command: the wakeup has been consumed
                }
            }
        }
    }

    private void apply(ConsumerRecords<byte[], byte[]> records) {
        long now = clockMs.getAsLong();
        Batch batch = new Batch();
        Map<PartitionState, Map<Long, Long>> batchChecksums = new HashMap<>();
        Map<PartitionRef, PartitionProgress> progress = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            PartitionState state = byTopicPartition.get(tp);
            if (state == null || state.failed != null) continue;
            PartitionProgress p = state.kind == SourceKind.GLOBAL_INDEX
                    ? applyIndexRows(state, records.records(tp), batch, now)
                    : applyEntries(state, records.records(tp), batch, batchChecksums.computeIfAbsent(state, s -> new HashMap<>()), now);
            progress.put(state.ref, p);
            // A local index's rows move with their table partition; its progress is recorded under
            // its own id only so that the rows of a table deleted while this node was down are found.
            for (IndexDescriptor index : state.localIndexes) progress.put(new PartitionRef(index.indexId(), state.ref.partition()), p);
        }
        store.apply(batch.changes, batch.collectionDeltas, batch.tokens, progress);
        batchChecksums.forEach((state, checksums) -> checksums.forEach(state::remember));
        for (Map.Entry<PartitionRef, PartitionProgress> e : progress.entrySet()) {
            PartitionState state = byRef.get(e.getKey());
            if (state == null) continue;
            state.advance(e.getValue());
            for (AppliedListener l : listeners) {
                l.onApplied(e.getKey().tableId(), e.getKey().partition(), e.getValue().nextOffset());
            }
        }
    }

    /** Applies a table partition's WAL records; returns its progress after them. */
    private PartitionProgress applyEntries(PartitionState state, List<ConsumerRecord<byte[], byte[]>> records, Batch batch,
                                           Map<Long, Long> checksums, long now) {
        TopicPartition tp = state.topicPartition;
        PartitionProgress p = state.progress;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            Read<WalEntry> read = read(state, record, WalRecords.ENTRY_HEADER, WalEntryCodec::decode);
            if (read == null) break;
            WalEntry entry = read.value();
            long checksum = read.checksum();
            byte[] encoded = read.encoded();
            if (entry.tableId() != state.ref.tableId() || entry.partition() != state.ref.partition()) {
                stop(state, "WAL " + tp + " offset " + record.offset()
                        + " holds an entry of table " + entry.tableId() + " partition " + entry.partition()
                        + "; this replica stops serving partition " + state.ref);
                break;
            }
            if (entry.slot() <= p.appliedSlot()) {
                Long applied = checksums.containsKey(entry.slot()) ? checksums.get(entry.slot())
                        : state.recentChecksums.get(entry.slot());
                if (applied != null && applied != checksum) {
                    stop(state, "SAFETY VIOLATION: WAL " + tp + " offset " + record.offset() + " holds a different value for slot "
                            + entry.slot() + " than the one this replica applied; this replica stops serving partition " + state.ref);
                    break;
                }
                // A re-appended slot (a new leader re-appends what it recovered), or a late one:
                // an append that failed and was made again after later slots had landed. Apply
                // it only if its item has seen nothing newer.
                ReplicaStore.ItemVersion version = entry.kind() == WalEntry.Kind.NOOP ? null
                        : batch.versionOf(entry.tableId(), entry.storeKey(), store);
                if (version != null && version.slot() == entry.slot() && version.checksum() != checksum) {
                    stop(state, "SAFETY VIOLATION: WAL " + tp + " offset " + record.offset() + " holds a different value for slot "
                            + entry.slot() + " than the one this replica applied to its item; this replica stops serving partition "
                            + state.ref);
                    break;
                }
                if (entry.kind() != WalEntry.Kind.NOOP && (version == null || version.slot() < entry.slot())) {
                    log.warn("WAL {} offset {}: slot {} arrived after slot {}; applying it to its item, which has nothing newer",
                            tp, record.offset(), entry.slot(), p.appliedSlot());
                    checksums.put(entry.slot(), checksum);
                    change(state, entry, encoded, checksum, batch);
                } else if (entry.requestToken() != null) {
                    // Its item has seen newer, but the request it came from took effect: remember so.
                    batch.tokens.add(new ReplicaStore.TokenRecord(entry, encoded));
                }
                p = new PartitionProgress(p.appliedSlot(), p.appliedBallot(), record.offset(), now);
                continue;
            }
            checksums.put(entry.slot(), checksum);
            if (entry.kind() != WalEntry.Kind.NOOP) change(state, entry, encoded, checksum, batch);
            p = new PartitionProgress(entry.slot(), entry.ballot(), record.offset(), now);
        }
        return p;
    }

    /**
     * Applies a global index partition's rows: each only if its source slot is above the slot last
     * applied to its row (a repeated or late row changes nothing); returns the progress after them.
     */
    private PartitionProgress applyIndexRows(PartitionState state, List<ConsumerRecord<byte[], byte[]>> records, Batch batch, long now) {
        TopicPartition tp = state.topicPartition;
        PartitionProgress p = state.progress;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            Read<IndexRow> read = read(state, record, IndexRow.ROW_HEADER, IndexRowCodec::decode);
            if (read == null) break;
            IndexRow row = read.value();
            long checksum = read.checksum();
            if (row.indexId() != state.ref.tableId() || record.key() == null || row.isDelete() != (record.value() == null)) {
                stop(state, "index topic " + tp + " offset " + record.offset() + " holds a row of index " + row.indexId()
                        + (row.isDelete() != (record.value() == null) ? " whose value disagrees with its kind" : "")
                        + "; this replica stops serving index partition " + state.ref);
                break;
            }
            ReplicaStore.ItemVersion version = batch.versionOf(row.indexId(), record.key(), store);
            if (version == null || version.slot() < row.sourceSlot()) {
                batch.add(new ItemChange(row.indexId(), record.key(), row.isDelete() ? null : ItemCodec.encode(row.image()),
                        row.sourceSlot(), checksum));
            }
            p = new PartitionProgress(p.appliedSlot(), p.appliedBallot(), record.offset(), now);
        }
        return p;
    }

    /** A record's decoded value, its encoding, and the checksum of its encoding. */
    private record Read<T>(T value, byte[] encoded, long checksum) {}

    /**
     * Decodes a record's value (a tombstone's from its {@code header}); null when this replica
     * cannot read it, which stops the partition.
     */
    private <T> Read<T> read(PartitionState state, ConsumerRecord<byte[], byte[]> record, String header,
                             java.util.function.Function<byte[], T> decode) {
        try {
            byte[] encoded = WalRecordEntries.encodedValue(record, header);
            return new Read<>(decode.apply(encoded), encoded, WalRecordEntries.checksum(encoded));
        } catch (RuntimeException e) {
            stop(state, state.topicPartition + " offset " + record.offset() + " holds a record this replica cannot read ("
                    + e.getMessage() + "); this replica stops serving partition " + state.ref);
            return null;
        }
    }

    /**
     * The item change of an entry, the rows of the table's local indexes it adds and removes, and
     * what it does to the size of the item's collection.
     */
    private void change(PartitionState state, WalEntry entry, byte[] encoded, long checksum, Batch batch) {
        Map<String, AttributeValue> newImage = entry.kind() == WalEntry.Kind.PUT ? entry.newImage() : null;
        if (!state.localIndexes.isEmpty()) {
            Map<String, AttributeValue> current = batch.currentItem(entry.tableId(), entry.storeKey(), store);
            for (IndexDescriptor index : state.localIndexes) {
                byte[] oldRow = IndexKeys.rowKey(index, entry.storeKey(), current);
                byte[] newRow = IndexKeys.rowKey(index, entry.storeKey(), newImage);
                if (oldRow != null && !java.util.Arrays.equals(oldRow, newRow)) {
                    batch.add(ItemChange.unversioned(index.indexId(), oldRow, null));
                }
                if (newRow != null) {
                    batch.add(ItemChange.unversioned(index.indexId(), newRow,
                            ItemCodec.encode(index.projection().project(newImage, state.tableKey, index.keySchema()))));
                }
            }
            batch.images.put(new ItemKey(entry.tableId(), java.nio.ByteBuffer.wrap(entry.storeKey())), java.util.Optional.ofNullable(newImage));
            long delta = state.collections.bytesOf(newImage) - state.collections.bytesOf(current);
            if (delta != 0) {
                byte[] collection = state.collections.keyOf(newImage != null ? newImage : current);
                batch.collectionDeltas.add(new CollectionDelta(entry.tableId(), collection, delta));
            }
        }
        batch.add(new ItemChange(entry.tableId(), entry.storeKey(), newImage == null ? null : ItemCodec.encode(newImage),
                entry.slot(), checksum));
        if (entry.requestToken() != null) batch.tokens.add(new ReplicaStore.TokenRecord(entry, encoded));
    }

    /** A key in a key space (a table's, or an index's). */
    private record ItemKey(long tableId, java.nio.ByteBuffer storeKey) {}

    /** What one poll's records change, applied in one WriteBatch; reads see the batch's own changes first. */
    private static final class Batch {
        final List<ItemChange> changes = new ArrayList<>();
        final List<CollectionDelta> collectionDeltas = new ArrayList<>();
        /** The request tokens of the writes this batch applies. */
        final List<ReplicaStore.TokenRecord> tokens = new ArrayList<>();
        /** Versions this batch sets, not yet in the store. */
        final Map<ItemKey, ReplicaStore.ItemVersion> versions = new HashMap<>();
        /** Items of tables with local indexes that this batch changes (empty: deleted). */
        final Map<ItemKey, java.util.Optional<Map<String, AttributeValue>>> images = new HashMap<>();

        void add(ItemChange change) {
            changes.add(change);
            if (change.versioned()) {
                versions.put(new ItemKey(change.tableId(), java.nio.ByteBuffer.wrap(change.storeKey())),
                        new ReplicaStore.ItemVersion(change.slot(), change.checksum()));
            }
        }

        /** The change last applied to a key, counting this batch; null when none was. */
        ReplicaStore.ItemVersion versionOf(long keySpaceId, byte[] key, ReplicaStore store) {
            ReplicaStore.ItemVersion inBatch = versions.get(new ItemKey(keySpaceId, java.nio.ByteBuffer.wrap(key)));
            return inBatch != null ? inBatch : store.version(keySpaceId, key);
        }

        /** This replica's current image of an item, counting this batch; null when it has none. */
        Map<String, AttributeValue> currentItem(long tableId, byte[] storeKey, ReplicaStore store) {
            java.util.Optional<Map<String, AttributeValue>> inBatch = images.get(new ItemKey(tableId, java.nio.ByteBuffer.wrap(storeKey)));
            return inBatch != null ? inBatch.orElse(null) : store.get(tableId, storeKey);
        }
    }

    /**
     * Stops a partition for good (until the node restarts): serving it could return wrong data.
     * Its consumption is paused so nothing after the bad record is read, let alone applied.
     */
    private void stop(PartitionState state, String reason) {
        log.error("SAFETY: {}", reason);
        consumer.pause(List.of(state.topicPartition));
        state.fail(new IllegalStateException(reason));
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        synchronized (this) {
            notifyAll();
        }
        try {
            // No time limit: the store is closed after this returns, and the loop may be inside a
            // RocksDB write, which must finish before the native handles go away.
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
        for (PartitionState state : byRef.values()) state.fail(new IllegalStateException("replica closed"));
    }

    /** What a partition's records are: WAL entries of a table partition, or rows of a global index partition. */
    private enum SourceKind { TABLE, GLOBAL_INDEX }

    /** The replica's view of one partition; waiters are guarded by the instance lock. */
    private static final class PartitionState {
        /** How many recent slots' checksums a partition keeps to check re-appended slots against. */
        private static final int RECENT_SLOTS = 100_000;
        final PartitionRef ref;
        final TopicPartition topicPartition;
        final SourceKind kind;
        /** A table partition's key schema and local indexes (none for a global index partition). */
        final KeySchema tableKey;
        final List<IndexDescriptor> localIndexes;
        /** The sizes a table partition's item collections are kept by; null without local indexes. */
        final ItemCollections collections;
        /** Checksums of the entries applied for recent slots (only the apply loop touches it). */
        final java.util.LinkedHashMap<Long, Long> recentChecksums = new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
                return size() > RECENT_SLOTS;
            }
        };

        void remember(long slot, long checksum) {
            recentChecksums.put(slot, checksum);
        }

        volatile PartitionProgress progress;
        volatile Throwable failed;
        private final Watermark applied;
        /** The next offset to consume. */
        private final Watermark consumed;

        PartitionState(PartitionRef ref, TopicPartition tp, SourceKind kind, KeySchema tableKey, List<IndexDescriptor> localIndexes,
                       PartitionProgress progress) {
            this.ref = ref;
            this.topicPartition = tp;
            this.kind = kind;
            this.tableKey = tableKey;
            this.localIndexes = List.copyOf(localIndexes);
            this.collections = ItemCollections.of(tableKey, localIndexes);
            this.progress = progress;
            this.applied = new Watermark(progress.appliedSlot());
            this.consumed = new Watermark(progress.nextOffset());
        }

        CompletableFuture<Void> whenApplied(long slot) {
            return applied.whenReached(slot);
        }

        CompletableFuture<Void> whenConsumed(long nextOffset) {
            return consumed.whenReached(nextOffset);
        }

        void consumedTo(long nextOffset) {
            consumed.advanceTo(nextOffset);
        }

        boolean consumedAwaited() {
            return consumed.awaited();
        }

        void advance(PartitionProgress p) {
            progress = p;
            applied.advanceTo(p.appliedSlot());
            consumed.advanceTo(p.nextOffset());
        }

        void fail(Throwable cause) {
            failed = cause;
            applied.fail(cause);
            consumed.fail(cause);
        }
    }
}
