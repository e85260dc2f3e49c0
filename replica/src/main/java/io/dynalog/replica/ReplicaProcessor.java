package io.dynalog.replica;

import io.dynalog.replica.ReplicaStore.CollectionDelta;
import io.dynalog.replica.ReplicaStore.ItemChange;
import io.dynalog.replica.ReplicaStore.PartitionRef;
import io.dynalog.topology.keys.IndexKeys;
import io.dynalog.topology.keys.ItemCollections;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.wal.Ballot;
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
 * consume them in offset order from the persisted progress; apply each table partition's entries in
 * slot order, holding the ones that come early and skipping duplicates; tell waiters and listeners
 * how far each partition has been applied.
 *
 * <p>Invariant: a table partition's store is always the state after a prefix of its chosen slots:
 * every slot through its applied slot, and nothing later. Kafka does not hold slots in order (an
 * append that failed and was made again lands after later slots; a new leader appends again what it
 * recovered), so applying in offset order would show a later write without an earlier one, and a
 * leader that waits for its replica to reach a slot before reading it would answer from a state no
 * prefix of the log ever had. So, per table partition:
 * <ul>
 *   <li>an entry whose slot is the applied slot + 1 is applied (with the partition's local index
 *       rows), then every held entry that now follows in order;</li>
 *   <li>an entry further ahead is held, in memory by slot ({@link HeldEntries}), until the slots
 *       before it arrive;</li>
 *   <li>an entry at or below the applied slot is a duplicate (a re-append of a recovered entry, or of
 *       a failed append): checked against what was applied for its slot, and skipped (its request
 *       token, if any, is recorded);</li>
 *   <li>a gap is skipped only when compaction may explain it: the WAL compacts only entries older
 *       than its compaction lag (the point-in-time window), so the slots missing before a held entry
 *       are skipped, with a warning, only when that entry is older than the lag, as
 *       {@link io.dynalog.replica.stream.ChangeSequencer} decides for change streams. This is how a
 *       replica bootstraps from a compacted WAL (from offset 0). NOOP entries are slots like any other.</li>
 * </ul>
 * The one exception to the invariant: should a slot of a gap skipped that way come after all (it was
 * late, not compacted), it is applied to its item if the item has seen nothing newer (per-item
 * versions), the nearest the store can come back to a prefix state.
 *
 * <p>Stale tails: compaction keeps an item's last record by offset, so a record of an older slot
 * that lands after a newer one of its item (a deposed leader's append a broker took late) would
 * undo the newer write for any replica rebuilt from the compacted WAL. Reading in offset order,
 * the processor notes every item whose last record is older than a slot it applied or holds for
 * the item ({@link #staleTails}, durable in the same batch), until a record of that slot or later
 * comes; the partition's leader writes such items again.
 *
 * <p>Progress: a table partition's next offset, reported to {@link AppliedListener}s and persisted
 * ({@link PartitionProgress}, in the same RocksDB batch as the items), means that every record
 * before it is applied or was a duplicate: while entries are held it stays at the first held record
 * (a restart reads the held ones again; the applied ones among them are then duplicates). A leader
 * trims its overlay of chosen-but-unapplied entries by that offset, so it never passes an entry
 * that is not applied. The consumer's fetch position moves on past held entries (it is never moved
 * back while running), and what is held is bounded ({@link #MAX_HELD_BYTES}): a partition that holds
 * more waits for a slot that is not coming, and stops.
 *
 * <p>Two kinds of partition are materialised. A <em>table partition</em> applies WAL entries, and
 * with each item the rows of the table's local secondary indexes, computed from this replica's own
 * current item (not the entry's old image), in the same batch: a local index is never behind its
 * table. A <em>global index partition</em> applies index rows ({@link IndexRow}) from its index
 * topic, each only if its source slot is above the slot last applied to its row (its rows come from
 * every table partition, so they have no slot order of their own).
 *
 * <p>Threading: one thread owns the Kafka consumer and runs the apply loop; every public method
 * may be called from any thread and only hands work to that loop or registers a waiter.
 *
 * <p>Safety: an entry for another table incarnation or partition than its Kafka partition says, a
 * second value for one slot, a record this replica cannot read, or more held than the bound is
 * never applied past; the partition stops ({@link PartitionState#failed}) and its waiters fail,
 * since serving it could return wrong data.
 */
public final class ReplicaProcessor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaProcessor.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final long FAILURE_BACKOFF_MS = 500;
    /**
     * The most a table partition may hold ahead of a missing slot ({@link HeldEntries#bytes}). A
     * leader holds at most 64 MB of entries it has not archived, so the WAL's disorder stays far
     * below this; a partition holding more waits for a slot that is not coming, and stops.
     */
    static final long MAX_HELD_BYTES = 256L * 1024 * 1024;

    private final ReplicaStore store;
    private final Consumer<byte[], byte[]> consumer;
    private final long rebuildAfterMs;
    private final long compactionLagMs;
    private final long maxHeldBytes;
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
     * @param compactionLagMs the WAL's compaction lag ({@code min.compaction.lag.ms}, the
     *     point-in-time window): how old an entry must be before compaction may remove it, so the
     *     youngest a held entry may be for the gap before it to be skipped
     * @param clockMs the wall clock, in milliseconds
     */
    public ReplicaProcessor(ReplicaStore store, Consumer<byte[], byte[]> consumer, String threadName,
                            long rebuildAfterMs, long compactionLagMs, LongSupplier clockMs) {
        this(store, consumer, threadName, rebuildAfterMs, compactionLagMs, MAX_HELD_BYTES, clockMs);
    }

    /** As the public constructor, with the most a table partition may hold ahead of a missing slot. */
    ReplicaProcessor(ReplicaStore store, Consumer<byte[], byte[]> consumer, String threadName,
                     long rebuildAfterMs, long compactionLagMs, long maxHeldBytes, LongSupplier clockMs) {
        if (compactionLagMs < 0) throw new IllegalArgumentException("compactionLagMs must be >= 0, got " + compactionLagMs);
        this.store = store;
        this.consumer = consumer;
        this.rebuildAfterMs = rebuildAfterMs;
        this.compactionLagMs = compactionLagMs;
        this.maxHeldBytes = maxHeldBytes;
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
            if (kind == SourceKind.TABLE) state.staleTails.putAll(store.staleTails(ref.tableId(), first, end));
            byTopicPartition.put(state.topicPartition, state);
            consumer.assign(byTopicPartition.keySet());
            consumer.seek(state.topicPartition, state.progress.nextOffset());
            long endAtAssignment = consumer.endOffsets(List.of(state.topicPartition)).get(state.topicPartition);
            state.whenConsumed(endAtAssignment).thenRun(() -> state.caughtUpOnce = true);
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

    /**
     * Stops materialising a table partition whose replica this node no longer holds (its group's
     * configuration moved it elsewhere) and deletes its rows, its local index rows and its
     * progress, so that a later assignment rebuilds it from its WAL. For a partition not here, only
     * what is left of it on disk is deleted.
     */
    public CompletableFuture<Void> dropPartition(PartitionRef ref, byte[] firstStoreKey, byte[] endStoreKey,
                                                 List<IndexDescriptor> localIndexes) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        command(() -> {
            try {
                PartitionState state = byRef.remove(ref);
                if (state != null) {
                    byTopicPartition.remove(state.topicPartition);
                    consumer.assign(byTopicPartition.keySet());
                    state.fail(new IllegalStateException("partition " + ref + " was dropped from this replica"));
                }
                store.dropPartition(ref.tableId(), ref.partition(), firstStoreKey, endStoreKey);
                for (IndexDescriptor index : localIndexes) {
                    store.dropPartition(index.indexId(), ref.partition(), firstStoreKey, endStoreKey);
                }
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
                throw e;
            }
        });
        return done;
    }

    /**
     * True once the partition has read everything its topic partition held when it was assigned
     * here (false while a new replica is rebuilt from its WAL, or when it is not here): whether its
     * rows may answer eventually consistent reads.
     */
    public boolean caughtUpOnce(PartitionRef ref) {
        PartitionState state = byRef.get(ref);
        return state != null && state.caughtUpOnce;
    }

    /** True when the store holds progress of the partition (it was materialised here, and not dropped since). */
    public boolean hasProgress(PartitionRef ref) {
        return store.progress(ref.tableId(), ref.partition()).lastOffset() >= 0;
    }

    /** The slot through which the partition has applied (and made durable) every slot; -1 when it is not here. */
    public long appliedSlot(PartitionRef ref) {
        PartitionState state = byRef.get(ref);
        return state == null ? -1 : state.progress.appliedSlot();
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
     * Completes once the partition has consumed every record its WAL partition held when this was
     * called, with none of them still held: every one is applied, or was a duplicate. Then every
     * slot Kafka acknowledged by then is applied here, however its appends were ordered (entries
     * that land later may be held).
     *
     * <p>What a leader about to serve needs (it calls this after {@link #whenApplied} of the last
     * slot it learned): its overlay shows only the entries it chose or recovered unarchived, so every
     * entry archived before must be applied here. {@code whenApplied} covers the slots through the
     * one it learned; this covers any entry Kafka already held, which must not be left held behind a
     * gap that fills later: so this waits until no record before the end it read is held.
     */
    public CompletableFuture<Void> whenCaughtUp(PartitionRef ref) {
        PartitionState state = byRef.get(ref);
        if (state == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("partition " + ref + " is not on this replica"));
        }
        return atEndOffset(state, state::whenConsumed).thenApply(v -> null);
    }

    /**
     * Completes, once the partition has read every record its WAL partition held when this was
     * called (an entry held ahead of a missing slot counts as read), with the slot through which it
     * has then applied every slot: the WAL held each of them, or a newer record of its item.
     *
     * <p>What a new leader needs before it appends anything (see the ingest module's WalArchiver):
     * a slot at or below this one is in the WAL already, and appending it again could land a stale
     * record after a newer one of its item.
     */
    public CompletableFuture<Long> whenRead(PartitionRef ref) {
        PartitionState state = byRef.get(ref);
        if (state == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("partition " + ref + " is not on this replica"));
        }
        return atEndOffset(state, state::whenRead).thenApply(v -> state.progress.appliedSlot());
    }

    /**
     * Reads the partition's end offset on the apply loop (where the consumer is), then completes
     * when {@code watermark} reaches it.
     */
    private CompletableFuture<Void> atEndOffset(PartitionState state, java.util.function.LongFunction<CompletableFuture<Void>> watermark) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        command(() -> {
            try {
                long end = consumer.endOffsets(List.of(state.topicPartition)).get(state.topicPartition);
                watermark.apply(end).whenComplete((v, e) -> {
                    if (e != null) result.completeExceptionally(e); else result.complete(null);
                });
            } catch (RuntimeException e) {
                if (e instanceof WakeupException) throw e; // the command is run again
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /**
     * The items of a table partition whose last WAL record is stale: a record of an older slot
     * landed after a newer one of the item (a deposed leader's append that the broker took late),
     * so compaction would keep the older one. By store key, the slot a record must at least carry
     * to cover it. The partition's leader writes each such item again (its current image, in a new
     * slot); the next record of the item that carries that slot or a later one covers it. Empty for a
     * partition not here.
     */
    public Map<java.nio.ByteBuffer, Long> staleTails(PartitionRef ref) {
        PartitionState state = byRef.get(ref);
        return state == null || state.staleTails.isEmpty() ? Map.of() : Map.copyOf(state.staleTails);
    }

    /** How many slots a table partition has skipped as compacted away (for tests and metrics); 0 for one not here. */
    long slotsSkippedAsCompacted(PartitionRef ref) {
        PartitionState state = byRef.get(ref);
        return state == null ? 0 : state.skippedSlots;
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
                // Held entries are looked at after every poll: with time, the gap before them may be
                // one compaction explains.
                if (!records.isEmpty() || holdsEntries()) apply(records);
                // Past what was applied, and past what is never delivered (transaction markers); not
                // while entries are held, whose records are not applied yet.
                for (PartitionState state : byTopicPartition.values()) {
                    if (state.failed != null) continue;
                    boolean consumedAwaited = state.consumedAwaited() && state.held.isEmpty();
                    if (!consumedAwaited && !state.readAwaited()) continue;
                    try {
                        // The fetch position is past every record polled, and every one polled was
                        // taken (applied, held, or a duplicate) by apply above.
                        long position = consumer.position(state.topicPartition, Duration.ZERO);
                        if (consumedAwaited) state.consumedTo(position);
                        state.readTo(position);
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

    /** True when a table partition that has not stopped holds entries ahead of a missing slot. */
    private boolean holdsEntries() {
        for (PartitionState state : byTopicPartition.values()) {
            if (state.failed == null && !state.held.isEmpty()) return true;
        }
        return false;
    }

    /**
     * Moves every partition back to its persisted progress, forgetting what it holds: the held
     * records all lie at or after that progress, so they are read, and held, again.
     */
    private void rewindToProgress() {
        for (PartitionState state : byTopicPartition.values()) {
            state.rewind();
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
        for (PartitionState state : byTopicPartition.values()) {
            if (state.failed != null) continue;
            List<ConsumerRecord<byte[], byte[]>> polled = records.records(state.topicPartition);
            PartitionProgress p;
            if (state.kind == SourceKind.GLOBAL_INDEX) {
                if (polled.isEmpty()) continue;
                p = applyIndexRows(state, polled, batch, now);
            } else {
                if (polled.isEmpty() && state.held.isEmpty()) continue;
                p = applyEntries(state, polled, batch, batchChecksums.computeIfAbsent(state, s -> new HashMap<>()), now);
                if (p == null) continue;
            }
            progress.put(state.ref, p);
            // A local index's rows move with their table partition; its progress is recorded under
            // its own id only so that the rows of a table deleted while this node was down are found.
            for (IndexDescriptor index : state.localIndexes) progress.put(new PartitionRef(index.indexId(), state.ref.partition()), p);
        }
        if (progress.isEmpty() && batch.changes.isEmpty() && batch.tokens.isEmpty() && batch.staleTails.isEmpty()) return;
        store.apply(batch.changes, batch.collectionDeltas, batch.tokens, batch.staleTailChanges(), progress);
        batchChecksums.forEach((state, checksums) -> checksums.forEach(state::remember));
        batch.staleTails.forEach((state, tails) -> tails.forEach((item, coveredBy) -> {
            if (coveredBy < 0) state.staleTails.remove(item); else state.staleTails.put(item, coveredBy);
        }));
        for (Map.Entry<PartitionRef, PartitionProgress> e : progress.entrySet()) {
            PartitionState state = byRef.get(e.getKey());
            if (state == null) continue;
            state.advance(e.getValue());
            for (AppliedListener l : listeners) {
                l.onApplied(e.getKey().tableId(), e.getKey().partition(), e.getValue().nextOffset());
            }
        }
    }

    /**
     * Applies a table partition's WAL records in slot order, holding the early ones, then skips the
     * gaps compaction may explain (see the class comment). Returns the partition's progress after
     * them, or null when neither its applied slot nor its next offset moved.
     */
    private PartitionProgress applyEntries(PartitionState state, List<ConsumerRecord<byte[], byte[]>> records, Batch batch,
                                           Map<Long, Long> checksums, long now) {
        PartitionProgress before = state.progress;
        Applied applied = new Applied(before.appliedSlot(), before.appliedBallot());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (!take(state, record, applied, batch, checksums)) break;
            state.lastRead = record.offset();
        }
        // After the whole poll, not after each record: a late slot that came in the same poll is
        // applied in its place rather than found passed.
        if (state.failed == null) skipCompactedGaps(state, applied, batch, checksums, now);
        long nextOffset = state.held.isEmpty() ? state.lastRead + 1 : state.held.firstOffset();
        if (applied.slot == before.appliedSlot() && nextOffset == before.nextOffset()) return null;
        return new PartitionProgress(applied.slot, applied.ballot, nextOffset - 1, now);
    }

    /** The slot a table partition has applied through, and its ballot, as a poll's records move it. */
    private static final class Applied {
        long slot;
        Ballot ballot;

        Applied(long slot, Ballot ballot) {
            this.slot = slot;
            this.ballot = ballot;
        }
    }

    /**
     * Takes one record of a table partition: applies it (and the held entries that follow it) when
     * its slot is the next one, holds it when it is early, checks and skips it when it is a
     * duplicate. False when the record stops the partition.
     */
    private boolean take(PartitionState state, ConsumerRecord<byte[], byte[]> record, Applied applied, Batch batch,
                         Map<Long, Long> checksums) {
        TopicPartition tp = state.topicPartition;
        Read<WalEntry> read = read(state, record, WalRecords.ENTRY_HEADER, WalEntryCodec::decode);
        if (read == null) return false;
        WalEntry entry = read.value();
        if (entry.tableId() != state.ref.tableId() || entry.partition() != state.ref.partition()) {
            stop(state, "WAL " + tp + " offset " + record.offset()
                    + " holds an entry of table " + entry.tableId() + " partition " + entry.partition()
                    + "; this replica stops serving partition " + state.ref);
            return false;
        }
        long slot = entry.slot();
        java.nio.ByteBuffer item = !entry.changesItem() ? null : java.nio.ByteBuffer.wrap(entry.storeKey());
        ReplicaStore.ItemVersion version = item == null || slot > applied.slot ? null
                : batch.versionOf(entry.tableId(), entry.storeKey(), store);
        if (item != null) trackTail(state, record.offset(), item, slot, version, batch);
        if (slot <= applied.slot) return duplicate(state, record, read, version, batch, checksums);
        HeldEntries.Held held = state.held.get(slot);
        if (held != null) {
            if (held.checksum() != read.checksum()) {
                stop(state, "SAFETY VIOLATION: WAL " + tp + " offset " + record.offset() + " holds a different value for slot "
                        + slot + " than the one at offset " + held.offset() + "; this replica stops serving partition " + state.ref);
                return false;
            }
            return true; // appended again while the first is held: the same entry
        }
        if (slot > applied.slot + 1) {
            state.held.hold(new HeldEntries.Held(slot, record.offset(), read.encoded(), read.checksum(), entry.timestampMs(), item));
            if (state.held.bytes() > maxHeldBytes) {
                stop(state, "WAL " + tp + ": partition " + state.ref + " holds " + state.held.size() + " entries ("
                        + state.held.bytes() + " bytes) read ahead of slot " + (applied.slot + 1) + ", which has not come since offset "
                        + state.held.firstOffset() + "; this replica stops serving partition " + state.ref);
                return false;
            }
            return true;
        }
        applyNext(state, entry, read.encoded(), read.checksum(), applied, batch, checksums);
        applyHeld(state, applied, batch, checksums);
        return true;
    }

    /**
     * An entry at or below the applied slot: a re-append of a recovered entry, or of a failed
     * append. A different value than the one applied for its slot stops the partition; else it is
     * skipped, its request token recorded. False when it stops the partition.
     */
    private boolean duplicate(PartitionState state, ConsumerRecord<byte[], byte[]> record, Read<WalEntry> read,
                              ReplicaStore.ItemVersion version, Batch batch, Map<Long, Long> checksums) {
        TopicPartition tp = state.topicPartition;
        WalEntry entry = read.value();
        long slot = entry.slot();
        long checksum = read.checksum();
        Long appliedChecksum = checksums.containsKey(slot) ? checksums.get(slot) : state.recentChecksums.get(slot);
        if (appliedChecksum != null && appliedChecksum != checksum) {
            stop(state, "SAFETY VIOLATION: WAL " + tp + " offset " + record.offset() + " holds a different value for slot "
                    + slot + " than the one this replica applied; this replica stops serving partition " + state.ref);
            return false;
        }
        // After a restart the recent checksums are gone: the item's version still tells.
        if (version != null && version.slot() == slot && version.checksum() != checksum) {
            stop(state, "SAFETY VIOLATION: WAL " + tp + " offset " + record.offset() + " holds a different value for slot "
                    + slot + " than the one this replica applied to its item; this replica stops serving partition " + state.ref);
            return false;
        }
        if (appliedChecksum == null && entry.changesItem() && (version == null || version.slot() < slot)) {
            // Never applied, so its slot was in a gap skipped as compacted, yet here it is: it was
            // late (or compaction kept only a later copy, appended again by a new leader). Its item
            // has seen nothing newer: the item takes it, as near a prefix state as can be.
            log.warn("WAL {} offset {}: slot {} came after the gap it was in had been skipped as compacted; "
                    + "applying it to its item, which has nothing newer", tp, record.offset(), slot);
            checksums.put(slot, checksum);
            change(state, entry, read.encoded(), checksum, batch);
        } else if (entry.requestToken() != null) {
            // The request it came from took effect: remember so.
            batch.tokens.add(new ReplicaStore.TokenRecord(entry, read.encoded()));
        }
        return true;
    }

    /**
     * Keeps track of whether an item's last WAL record (the one compaction keeps) is stale: read
     * in offset order, a record of slot {@code slot} is its item's last so far; it is stale when
     * the item has a newer slot, applied ({@code version}, for a record at or below the applied
     * slot) or held ahead of a missing slot (applied later). A record at or above the slot the
     * item needs covers it again.
     */
    private void trackTail(PartitionState state, long offset, java.nio.ByteBuffer item, long slot, ReplicaStore.ItemVersion version,
                           Batch batch) {
        long newest = Math.max(version == null ? -1 : version.slot(), state.held.highestSlotOf(item));
        long needed = batch.staleTailOf(state, item);
        if (newest > slot) {
            if (newest > needed) {
                log.warn("WAL {} offset {}: the record of slot {} landed after slot {} of its item, so compaction would keep it; "
                        + "the partition's leader writes the item again", state.topicPartition, offset, slot, newest);
                batch.staleTail(state, item, newest);
            }
        } else if (needed >= 0 && slot >= needed) {
            batch.staleTail(state, item, -1);
        }
    }

    /** Applies the entry of the slot after the applied one (a NOOP or a CONFIGURATION changes no item). */
    private void applyNext(PartitionState state, WalEntry entry, byte[] encoded, long checksum, Applied applied, Batch batch,
                           Map<Long, Long> checksums) {
        checksums.put(entry.slot(), checksum);
        if (entry.changesItem()) change(state, entry, encoded, checksum, batch);
        applied.slot = entry.slot();
        applied.ballot = entry.ballot();
    }

    /** Applies the held entries that follow the applied slot without a gap. */
    private void applyHeld(PartitionState state, Applied applied, Batch batch, Map<Long, Long> checksums) {
        HeldEntries.Held next;
        while ((next = state.held.release(applied.slot + 1)) != null) {
            applyNext(state, WalEntryCodec.decode(next.encoded()), next.encoded(), next.checksum(), applied, batch, checksums);
        }
    }

    /**
     * Skips the gaps compaction may have made: while the first held entry is older than the
     * compaction lag, the slots missing before it may have been compacted away, so it is applied,
     * and what follows it. A slot merely late lands soon after the later ones, so it is waited for
     * unless the replica reads that far behind; then it is found among the records still to read,
     * and {@link #duplicate} gives it to its item.
     */
    private void skipCompactedGaps(PartitionState state, Applied applied, Batch batch, Map<Long, Long> checksums, long now) {
        long gaps = 0;
        long slots = 0;
        long firstSkipped = 0;
        HeldEntries.Held first;
        while ((first = state.held.first()) != null && first.timestampMs() < now - compactionLagMs) {
            if (gaps++ == 0) firstSkipped = applied.slot + 1;
            slots += first.slot() - applied.slot - 1;
            state.held.release(first.slot());
            applyNext(state, WalEntryCodec.decode(first.encoded()), first.encoded(), first.checksum(), applied, batch, checksums);
            applyHeld(state, applied, batch, checksums);
        }
        if (gaps == 0) return;
        state.skippedSlots += slots;
        // One line per poll: a replica bootstrapping from a compacted WAL finds gaps everywhere.
        log.warn("WAL {}: skipped {} missing slots in {} gaps between slots {} and {}: the entries after them are older than "
                + "the compaction lag ({} ms), so compaction may have removed them", state.topicPartition, slots, gaps,
                firstSkipped, applied.slot, compactionLagMs);
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
        /** Per partition, items whose last record this batch found stale (the slot that covers them) or covered (-1). */
        final Map<PartitionState, Map<java.nio.ByteBuffer, Long>> staleTails = new HashMap<>();

        /** The slot an item's record must carry to cover its stale last record, counting this batch; -1 when it is not stale. */
        long staleTailOf(PartitionState state, java.nio.ByteBuffer item) {
            Map<java.nio.ByteBuffer, Long> inBatch = staleTails.get(state);
            Long v = inBatch == null ? null : inBatch.get(item);
            return v != null ? v : state.staleTails.getOrDefault(item, -1L);
        }

        void staleTail(PartitionState state, java.nio.ByteBuffer item, long coveredBySlot) {
            staleTails.computeIfAbsent(state, k -> new HashMap<>()).put(item, coveredBySlot);
        }

        List<ReplicaStore.StaleTailChange> staleTailChanges() {
            if (staleTails.isEmpty()) return List.of();
            List<ReplicaStore.StaleTailChange> changes = new ArrayList<>();
            staleTails.forEach((state, tails) -> tails.forEach((item, coveredBy) -> {
                byte[] key = new byte[item.remaining()];
                item.duplicate().get(key);
                changes.add(new ReplicaStore.StaleTailChange(state.ref.tableId(), key, coveredBy));
            }));
            return changes;
        }

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

        /**
         * The items whose last WAL record is stale, with the slot that covers each, as durable in
         * the store: written by the apply loop after its batch, read by any thread.
         */
        final Map<java.nio.ByteBuffer, Long> staleTails = new ConcurrentHashMap<>();
        /** A table partition's entries read ahead of a missing slot (only the apply loop touches it). */
        final HeldEntries held = new HeldEntries();
        /** The offset of the last record read, whether applied, held or a duplicate (the apply loop only). */
        long lastRead;
        /** How many slots this partition skipped as compacted away. */
        volatile long skippedSlots;
        /** The last progress made durable. */
        volatile PartitionProgress progress;
        volatile Throwable failed;
        /**
         * True once the partition has read what its topic partition held when it was assigned here:
         * a replica rebuilt from the WAL (a new member) serves reads only then.
         */
        volatile boolean caughtUpOnce;
        private final Watermark applied;
        /** The next offset to consume. */
        private final Watermark consumed;
        /** The next offset to read: past the records held, unlike {@link #consumed}. */
        private final Watermark read;

        PartitionState(PartitionRef ref, TopicPartition tp, SourceKind kind, KeySchema tableKey, List<IndexDescriptor> localIndexes,
                       PartitionProgress progress) {
            this.ref = ref;
            this.topicPartition = tp;
            this.kind = kind;
            this.tableKey = tableKey;
            this.localIndexes = List.copyOf(localIndexes);
            this.collections = ItemCollections.of(tableKey, localIndexes);
            this.progress = progress;
            this.lastRead = progress.lastOffset();
            this.applied = new Watermark(progress.appliedSlot());
            this.consumed = new Watermark(progress.nextOffset());
            this.read = new Watermark(progress.nextOffset());
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

        CompletableFuture<Void> whenRead(long nextOffset) {
            return read.whenReached(nextOffset);
        }

        void readTo(long nextOffset) {
            read.advanceTo(nextOffset);
        }

        boolean readAwaited() {
            return read.awaited();
        }

        void advance(PartitionProgress p) {
            progress = p;
            applied.advanceTo(p.appliedSlot());
            consumed.advanceTo(p.nextOffset());
            read.advanceTo(p.nextOffset());
        }

        /** Back to the durable progress: what was read since is read again. */
        void rewind() {
            held.clear();
            lastRead = progress.lastOffset();
        }

        void fail(Throwable cause) {
            failed = cause;
            applied.fail(cause);
            consumed.fail(cause);
            read.fail(cause);
        }
    }
}
