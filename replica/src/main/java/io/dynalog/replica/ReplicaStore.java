package io.dynalog.replica;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wire.ItemCodec;
import io.dynalog.topology.wire.WalEntryCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.UInt64AddOperator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The node's RocksDB store of materialised table partitions.
 *
 * <p>Responsibilities: hold the current image of every item of the partitions placed on this
 * node, and each partition's {@link PartitionProgress}; apply a batch of WAL entries atomically
 * with the progress it moves; serve point reads and ordered range reads.
 *
 * <p>Invariant: an item, its version (the slot of the entry last applied to it, kept after a
 * delete too), the size of its item collection (tables with local indexes: see
 * {@link io.dynalog.topology.keys.ItemCollections}) and the progress that covers it are only ever
 * written in one {@link WriteBatch},
 * so after any crash the progress says exactly which entries the items reflect. A write's request
 * token, if it had one, is recorded in that batch too. Writes are not fsynced: what a crash loses is re-read from Kafka, starting at the
 * persisted progress.
 */
public final class ReplicaStore implements AutoCloseable {
    private static final byte[] ITEMS_CF = "items".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PROGRESS_CF = "progress".getBytes(StandardCharsets.UTF_8);
    /** The slot of the last entry applied to each item (deletes included), keyed like the items. */
    private static final byte[] VERSIONS_CF = "versions".getBytes(StandardCharsets.UTF_8);
    /**
     * The bytes of each item collection, keyed like the items (table id, then the collection key,
     * which its items' store keys start with): 64-bit little-endian sums that changes merge into
     * ({@link UInt64AddOperator}, whose wrap-around addition makes a negative delta a subtraction).
     */
    private static final byte[] COLLECTIONS_CF = "collections".getBytes(StandardCharsets.UTF_8);
    /**
     * The writes chosen with a client request token (Kafka write path), keyed by table id then the
     * token's UTF-8 bytes: the leader's time of the write (8 bytes, big-endian) then its WAL entry,
     * so that a request retried with the token completes with the first one's outcome. Dropped
     * once older than the idempotency window ({@link #dropRequestTokensBefore}). An empty column
     * family (a store from before tokens) only means no token was recorded yet: no format change.
     */
    private static final byte[] TOKENS_CF = "tokens".getBytes(StandardCharsets.UTF_8);
    /**
     * The items whose last WAL record is older than their version (a stale append that landed
     * after a newer record of the item: compaction would keep it), keyed like the items: the slot
     * a record must at least carry to cover it (8 bytes, big-endian). Written in the batch that
     * reads the stale record, deleted in the batch that reads a record covering it. An empty column
     * family (a store from before) only means none was found yet: no format change.
     */
    private static final byte[] STALE_TAILS_CF = "staletails".getBytes(StandardCharsets.UTF_8);

    static {
        RocksDB.loadLibrary();
    }

    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final UInt64AddOperator addOperator;
    private final ColumnFamilyOptions collectionsOptions;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final RocksDB db;
    private final ColumnFamilyHandle items;
    private final ColumnFamilyHandle progress;
    private final ColumnFamilyHandle versions;
    private final ColumnFamilyHandle collections;
    private final ColumnFamilyHandle tokens;
    private final ColumnFamilyHandle staleTails;
    private final WriteOptions writeOptions;
    /** In the default column family: the store's format. */
    private static final byte[] FORMAT_KEY = "format".getBytes(StandardCharsets.UTF_8);
    /**
     * Items have versions (the slot and checksum of the entry last applied to each) and
     * collections their sizes (format 4; format 3 had versions only).
     */
    private static final byte FORMAT_SIZED_COLLECTIONS = 4;
    /** Above every key of this store (keys start with a table id, and table ids are non-negative). */
    private static final byte[] ALL_KEYS_END = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};

    private ReplicaStore(Path dir) throws RocksDBException {
        this.dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        this.cfOptions = new ColumnFamilyOptions();
        this.addOperator = new UInt64AddOperator();
        this.collectionsOptions = new ColumnFamilyOptions().setMergeOperator(addOperator);
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor(ITEMS_CF, cfOptions),
                new ColumnFamilyDescriptor(PROGRESS_CF, cfOptions),
                new ColumnFamilyDescriptor(VERSIONS_CF, cfOptions),
                new ColumnFamilyDescriptor(COLLECTIONS_CF, collectionsOptions),
                new ColumnFamilyDescriptor(TOKENS_CF, cfOptions),
                new ColumnFamilyDescriptor(STALE_TAILS_CF, cfOptions));
        try {
            this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException | RuntimeException e) {
            collectionsOptions.close();
            addOperator.close();
            cfOptions.close();
            dbOptions.close();
            throw e;
        }
        this.items = handles.get(1);
        this.progress = handles.get(2);
        this.versions = handles.get(3);
        this.collections = handles.get(4);
        this.tokens = handles.get(5);
        this.staleTails = handles.get(6);
        this.writeOptions = new WriteOptions().setSync(false);
        try {
            ensureFormat();
        } catch (RocksDBException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * A store that is new, or was written before items had versions or collections their sizes,
     * forgets every item and progress, so each partition is rebuilt from its WAL: every item gets a
     * version (a missing version means "never written") and every collection its size (a sum is
     * only right if it saw every item). The format mark goes in the same synced batch, so a crash
     * leaves either the old store (wiped again at the next open) or the wiped one. An older binary
     * cannot open the store afterwards (it does not know the collections column family).
     */
    private void ensureFormat() throws RocksDBException {
        byte[] format = db.get(handles.get(0), FORMAT_KEY);
        if (format != null && format[0] == FORMAT_SIZED_COLLECTIONS) return;
        try (WriteBatch batch = new WriteBatch(); WriteOptions synced = new WriteOptions().setSync(true)) {
            batch.deleteRange(items, new byte[0], ALL_KEYS_END);
            batch.deleteRange(versions, new byte[0], ALL_KEYS_END);
            batch.deleteRange(collections, new byte[0], ALL_KEYS_END);
            batch.deleteRange(progress, new byte[0], ALL_KEYS_END);
            batch.deleteRange(tokens, new byte[0], ALL_KEYS_END);
            batch.deleteRange(staleTails, new byte[0], ALL_KEYS_END);
            batch.put(handles.get(0), FORMAT_KEY, new byte[] {FORMAT_SIZED_COLLECTIONS});
            db.write(synced, batch);
        }
    }

    /** Opens (creating if missing) the store in {@code dir}. */
    public static ReplicaStore open(Path dir) {
        try {
            Files.createDirectories(dir);
            return new ReplicaStore(dir);
        } catch (Exception e) {
            throw new StoreException("cannot open the replica store in " + dir, e);
        }
    }

    /** The current image of an item, or null when this replica holds no such item. */
    public Map<String, AttributeValue> get(long tableId, byte[] storeKey) {
        byte[] value;
        try {
            value = db.get(items, StoreKeys.item(tableId, storeKey));
        } catch (RocksDBException e) {
            throw new StoreException("read failed", e);
        }
        return value == null ? null : ItemCodec.decode(value);
    }

    /** The entry last applied to an item (a delete included), or null when none was. */
    ItemVersion version(long tableId, byte[] storeKey) {
        try {
            byte[] v = db.get(versions, StoreKeys.item(tableId, storeKey));
            if (v == null) return null;
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(v);
            return new ItemVersion(b.getLong(), b.getLong());
        } catch (RocksDBException e) {
            throw new StoreException("read failed", e);
        }
    }

    /**
     * The size of an item collection ({@code collectionKey}) and the images of some items
     * ({@code storeKeys}, null for each one absent), as this replica has applied them, read from
     * one snapshot: so a leader can replace what the replica has of those items with what it knows
     * is chosen.
     */
    public CollectionSnapshot collection(long tableId, byte[] collectionKey, List<byte[]> storeKeys) {
        Snapshot snapshot = db.getSnapshot();
        try (ReadOptions read = new ReadOptions().setSnapshot(snapshot)) {
            byte[] sum = db.get(collections, read, StoreKeys.item(tableId, collectionKey));
            List<Map<String, AttributeValue>> images = new ArrayList<>(storeKeys.size());
            for (byte[] key : storeKeys) {
                byte[] value = db.get(items, read, StoreKeys.item(tableId, key));
                images.add(value == null ? null : ItemCodec.decode(value));
            }
            return new CollectionSnapshot(sum == null ? 0 : decodeSum(sum), images);
        } catch (RocksDBException e) {
            throw new StoreException("read failed", e);
        } finally {
            db.releaseSnapshot(snapshot);
        }
    }

    /** An item collection's size and the images asked for, as of one point in the replica's history. */
    public record CollectionSnapshot(long bytes, List<Map<String, AttributeValue>> images) {}

    private static byte[] encodeDelta(long delta) {
        return java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(delta).array();
    }

    private static long decodeSum(byte[] sum) {
        return java.nio.ByteBuffer.wrap(sum).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    public PartitionProgress progress(long tableId, int partition) {
        try {
            byte[] v = db.get(progress, StoreKeys.progress(tableId, partition));
            return v == null ? PartitionProgress.EMPTY : PartitionProgress.decode(v);
        } catch (RocksDBException e) {
            throw new StoreException("read failed", e);
        }
    }

    /**
     * Applies item changes, the changes of collection sizes they make, and the progress of the
     * partitions they belong to in one atomic batch. An entry with a null value deletes the item.
     */
    void apply(List<ItemChange> changes, List<CollectionDelta> collectionDeltas, Map<PartitionRef, PartitionProgress> newProgress) {
        apply(changes, collectionDeltas, List.of(), newProgress);
    }

    /** As {@link #apply(List, List, Map)}, recording the request tokens of the writes in the same batch. */
    void apply(List<ItemChange> changes, List<CollectionDelta> collectionDeltas, List<TokenRecord> tokenRecords,
               Map<PartitionRef, PartitionProgress> newProgress) {
        apply(changes, collectionDeltas, tokenRecords, List.of(), newProgress);
    }

    /** As {@link #apply(List, List, List, Map)}, recording which items' last WAL records went stale or were covered. */
    void apply(List<ItemChange> changes, List<CollectionDelta> collectionDeltas, List<TokenRecord> tokenRecords,
               List<StaleTailChange> staleTailChanges, Map<PartitionRef, PartitionProgress> newProgress) {
        try (WriteBatch batch = new WriteBatch()) {
            for (StaleTailChange t : staleTailChanges) {
                byte[] key = StoreKeys.item(t.tableId(), t.storeKey());
                if (t.coveredBySlot() < 0) {
                    batch.delete(staleTails, key);
                } else {
                    batch.put(staleTails, key, java.nio.ByteBuffer.allocate(Long.BYTES).putLong(t.coveredBySlot()).array());
                }
            }
            for (TokenRecord t : tokenRecords) {
                byte[] value = java.nio.ByteBuffer.allocate(Long.BYTES + t.encoded().length).putLong(t.entry().timestampMs())
                        .put(t.encoded()).array();
                batch.put(tokens, tokenKey(t.entry().tableId(), t.entry().requestToken()), value);
            }
            for (ItemChange c : changes) {
                byte[] key = StoreKeys.item(c.tableId(), c.storeKey());
                if (c.encodedItem() == null) {
                    batch.delete(items, key);
                } else {
                    batch.put(items, key, c.encodedItem());
                }
                if (c.versioned()) {
                    batch.put(versions, key, java.nio.ByteBuffer.allocate(16).putLong(c.slot()).putLong(c.checksum()).array());
                }
            }
            for (CollectionDelta d : collectionDeltas) {
                batch.merge(collections, StoreKeys.item(d.tableId(), d.collectionKey()), encodeDelta(d.bytes()));
            }
            for (Map.Entry<PartitionRef, PartitionProgress> p : newProgress.entrySet()) {
                batch.put(progress, StoreKeys.progress(p.getKey().tableId(), p.getKey().partition()),
                        p.getValue().encode());
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StoreException("write failed", e);
        }
    }

    /**
     * The write chosen in table {@code tableId} with a client request token, as recorded when this
     * replica applied it; null when none was (or it was dropped, being older than the window).
     */
    public WalEntry requestTokenEntry(long tableId, String requestToken) {
        try {
            byte[] value = db.get(tokens, tokenKey(tableId, requestToken));
            if (value == null) return null;
            return WalEntryCodec.decode(java.util.Arrays.copyOfRange(value, Long.BYTES, value.length));
        } catch (RocksDBException e) {
            throw new StoreException("read failed", e);
        }
    }

    /** Drops the request tokens of writes chosen before {@code cutoffMs} (leader time); returns how many. */
    public int dropRequestTokensBefore(long cutoffMs) {
        int dropped = 0;
        try (RocksIterator it = db.newIterator(tokens); WriteBatch batch = new WriteBatch()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (java.nio.ByteBuffer.wrap(it.value()).getLong() < cutoffMs) {
                    batch.delete(tokens, it.key());
                    dropped++;
                }
            }
            if (dropped > 0) db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StoreException("dropping request tokens failed", e);
        }
        return dropped;
    }

    private static byte[] tokenKey(long tableId, String requestToken) {
        return StoreKeys.item(tableId, requestToken.getBytes(StandardCharsets.UTF_8));
    }

    /** Forgets a partition: its progress and every item in its store-key range ({@code end} null: the table's end). */
    void dropPartition(long tableId, int partition, byte[] start, byte[] end) {
        try (WriteBatch batch = new WriteBatch()) {
            byte[] from = StoreKeys.item(tableId, start);
            byte[] to = end == null ? StoreKeys.tableEnd(tableId) : StoreKeys.item(tableId, end);
            batch.deleteRange(items, from, to);
            batch.deleteRange(versions, from, to);
            batch.deleteRange(collections, from, to);
            batch.deleteRange(staleTails, from, to);
            batch.delete(progress, StoreKeys.progress(tableId, partition));
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StoreException("drop failed", e);
        }
    }

    /** Forgets a whole table incarnation: every item and every partition's progress. */
    void dropTable(long tableId) {
        try (WriteBatch batch = new WriteBatch()) {
            batch.deleteRange(items, StoreKeys.tableStart(tableId), StoreKeys.tableEnd(tableId));
            batch.deleteRange(versions, StoreKeys.tableStart(tableId), StoreKeys.tableEnd(tableId));
            batch.deleteRange(collections, StoreKeys.tableStart(tableId), StoreKeys.tableEnd(tableId));
            batch.deleteRange(progress, StoreKeys.tableStart(tableId), StoreKeys.tableEnd(tableId));
            batch.deleteRange(tokens, StoreKeys.tableStart(tableId), StoreKeys.tableEnd(tableId));
            batch.deleteRange(staleTails, StoreKeys.tableStart(tableId), StoreKeys.tableEnd(tableId));
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StoreException("drop failed", e);
        }
    }

    /**
     * An ordered cursor over a table's items with store keys in {@code [lower, upper)}
     * (either bound may be null: the table's start or end). The cursor reads one consistent
     * snapshot; close it when done.
     */
    public RangeCursor range(long tableId, byte[] lowerInclusive, byte[] upperExclusive, boolean forward) {
        byte[] lower = lowerInclusive == null ? StoreKeys.tableStart(tableId) : StoreKeys.item(tableId, lowerInclusive);
        byte[] upper = upperExclusive == null ? StoreKeys.tableEnd(tableId) : StoreKeys.item(tableId, upperExclusive);
        Slice lowerSlice = new Slice(lower);
        Slice upperSlice = new Slice(upper);
        ReadOptions options = new ReadOptions().setIterateLowerBound(lowerSlice).setIterateUpperBound(upperSlice);
        RocksIterator it = db.newIterator(items, options);
        if (forward) it.seekToFirst(); else it.seekToLast();
        return new RangeCursor(it, options, lowerSlice, upperSlice, forward);
    }

    /** The table ids of every partition this store holds progress for (to find leftovers of deleted tables). */
    public java.util.Set<Long> tableIdsWithProgress() {
        java.util.Set<Long> ids = new java.util.TreeSet<>();
        try (RocksIterator it = db.newIterator(progress)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                ids.add(java.nio.ByteBuffer.wrap(it.key()).getLong());
            }
        }
        return ids;
    }

    /** Point-in-time approximate size of a table's items in bytes (for DescribeTable). */
    public long approximateSizeBytes(long tableId) {
        try (Slice start = new Slice(StoreKeys.tableStart(tableId)); Slice end = new Slice(StoreKeys.tableEnd(tableId))) {
            long[] sizes = db.getApproximateSizes(items, List.of(new org.rocksdb.Range(start, end)),
                    org.rocksdb.SizeApproximationFlag.INCLUDE_FILES, org.rocksdb.SizeApproximationFlag.INCLUDE_MEMTABLES);
            return sizes[0];
        }
    }

    @Override
    public void close() {
        writeOptions.close();
        for (ColumnFamilyHandle h : handles) h.close();
        db.close();
        collectionsOptions.close();
        addOperator.close();
        cfOptions.close();
        dbOptions.close();
    }

    /**
     * An item's new image (null: deleted) as of the entry at {@code slot}, whose encoding has
     * {@code checksum}. {@code tableId} is the key space: a table's, or an index's id for an index
     * row. Unversioned changes (local index rows, which follow their item in the same batch) record
     * no version.
     */
    record ItemChange(long tableId, byte[] storeKey, byte[] encodedItem, long slot, long checksum, boolean versioned) {
        ItemChange(long tableId, byte[] storeKey, byte[] encodedItem, long slot, long checksum) {
            this(tableId, storeKey, encodedItem, slot, checksum, true);
        }

        static ItemChange unversioned(long keySpaceId, byte[] key, byte[] encodedItem) {
            return new ItemChange(keySpaceId, key, encodedItem, 0, 0, false);
        }
    }

    /**
     * A write chosen with a request token ({@link WalEntry#requestToken} is not null), to record with
     * its item; {@code encoded}: the entry as the WAL holds it (recorded as is, not encoded again).
     */
    record TokenRecord(WalEntry entry, byte[] encoded) {}

    /** A change of {@code bytes} (negative: a shrink) to the size of a table's item collection. */
    record CollectionDelta(long tableId, byte[] collectionKey, long bytes) {}

    /**
     * An item whose last WAL record went stale: a record must carry at least {@code coveredBySlot}
     * to cover it; -1: a record that does has been read (the item is covered again).
     */
    record StaleTailChange(long tableId, byte[] storeKey, long coveredBySlot) {}

    /**
     * The items of a table partition ({@code [first, end)}, null: the table's end) whose last WAL
     * record is stale, with the slot a record must carry to cover each.
     */
    Map<java.nio.ByteBuffer, Long> staleTails(long tableId, byte[] first, byte[] end) {
        Map<java.nio.ByteBuffer, Long> found = new java.util.HashMap<>();
        byte[] from = StoreKeys.item(tableId, first);
        byte[] to = end == null ? StoreKeys.tableEnd(tableId) : StoreKeys.item(tableId, end);
        try (Slice upper = new Slice(to); ReadOptions read = new ReadOptions().setIterateUpperBound(upper);
             RocksIterator it = db.newIterator(staleTails, read)) {
            for (it.seek(from); it.isValid(); it.next()) {
                found.put(java.nio.ByteBuffer.wrap(StoreKeys.storeKeyOf(it.key())), java.nio.ByteBuffer.wrap(it.value()).getLong());
            }
        }
        return found;
    }

    /** The entry last applied to an item: its slot, and the checksum of its encoding. */
    record ItemVersion(long slot, long checksum) {}

    /** A table partition: the incarnation of the table and the partition index. */
    public record PartitionRef(long tableId, int partition) {}

    /** An iterator over items in key order (or reverse); owns native resources. */
    public static final class RangeCursor implements AutoCloseable {
        private final RocksIterator it;
        private final ReadOptions options;
        private final Slice lower;
        private final Slice upper;
        private final boolean forward;

        private RangeCursor(RocksIterator it, ReadOptions options, Slice lower, Slice upper, boolean forward) {
            this.it = it;
            this.options = options;
            this.lower = lower;
            this.upper = upper;
            this.forward = forward;
        }

        public boolean valid() {
            return it.isValid();
        }

        /** The store key of the current item (without the table prefix). */
        public byte[] storeKey() {
            return StoreKeys.storeKeyOf(it.key());
        }

        /** The encoded item; decode with {@link ItemCodec#decode}. */
        public byte[] encodedItem() {
            return it.value();
        }

        public void next() {
            if (forward) it.next(); else it.prev();
        }

        @Override
        public void close() {
            it.close();
            options.close();
            lower.close();
            upper.close();
        }
    }

    /** A failure of the local store: the node cannot serve from it. */
    public static final class StoreException extends RuntimeException {
        StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
