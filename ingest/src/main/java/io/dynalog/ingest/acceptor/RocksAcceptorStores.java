package io.dynalog.ingest.acceptor;

import io.dynalog.ingest.AmnesiaGuard;
import io.dynalog.ingest.FatalErrors;
import io.dynalog.ingest.paxos.AcceptedEntry;
import io.dynalog.ingest.paxos.AcceptorStore;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable acceptor state of every replica group on this node, in one RocksDB, with group
 * commit: a group's writes are held until it requests a sync, then go to RocksDB's write-ahead log
 * together (one {@link WriteBatch}, unsynced), and one thread makes the log durable
 * ({@code syncWal}, one fsync) for every sync requested since its previous fsync.
 *
 * <p>Why held until the sync request: an Accept of many entries, its promise and the truncation
 * the last WAL acknowledgement made then cost one RocksDB write, not one each (a write's fixed
 * cost, its write-group handshake and log record, was most of the acceptor's share of the
 * replication loop). Nothing waits for a write before its sync: {@link AcceptorStore} promises
 * durability only at a completed sync, and a batch is written whole or not at all, which keeps
 * "a crash keeps a prefix of the unsynced writes".
 *
 * <p>Why that is a correct {@link AcceptorStore}: RocksDB applies writes in order and its log is
 * sequential, so an fsync of the log makes every write made before it durable, and a crash keeps
 * a prefix of the unsynced ones; a sync request is queued after the writes it covers, and the
 * commit thread takes the queue before it syncs, so a completed sync covers every write made
 * before the request.
 *
 * <p>Fail-stop: an acceptor whose votes cannot be made durable must not vote, and one whose
 * writes fail cannot know what it voted. So a failed fsync or write stops the node through
 * {@link FatalErrors}, saying why; until it is stopped, no sync completes (no promise or
 * acceptance leaves), and a failed write throws.
 *
 * <p>Keys: {@code tableId (8) | partition (4) | kind (1) [| slot (8)]}, kind 0 the promised
 * ballot, 1 the archived slot (and the highest origin of the values through it), 2 an accepted entry (ballot round 8, node 4, then the value),
 * 3 the configuration in force after the archived slot (format 1, version 8, then the voters and the
 * learners, each a count 4 and ids 4; absent until one other than the group's first is archived). Two
 * one-byte keys, which no group's key equals: {@code FF} the store's identity (random, written and
 * synced at its first start: a new identity means every vote before it is gone), {@code FE} the
 * groups it refuses, by creation time ({@link AmnesiaGuard}).
 */
public final class RocksAcceptorStores implements AcceptorStores, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RocksAcceptorStores.class);
    private static final byte PROMISED = 0;
    private static final byte ARCHIVED = 1;
    private static final byte ACCEPTED = 2;
    private static final byte CONFIGURATION = 3;
    /** The first byte of a stored configuration: its format. */
    private static final byte CONFIGURATION_FORMAT = 1;
    private static final byte[] IDENTITY_KEY = {(byte) 0xFF};
    private static final byte[] REFUSED_KEY = {(byte) 0xFE};
    private static final int GROUP_PREFIX_BYTES = 12;
    private static final long SLOW_SYNC_MS = 100;
    /** Beyond this many slots at once, a truncation falls back to one range deletion. */
    private static final long MAX_POINT_DELETES = 10_000;

    static {
        RocksDB.loadLibrary();
    }

    /** Makes RocksDB's log durable: {@code db.syncWal()}, or a failing one in tests. */
    interface LogSync {
        void sync(RocksDB db) throws RocksDBException;
    }

    private final Options options;
    private final RocksDB db;
    private final FatalErrors fatal;
    private final LogSync logSync;
    private final WriteOptions unsynced;
    private final Object queueLock = new Object();
    private List<Runnable> requested = new ArrayList<>();
    private final AtomicLong fsyncs = new AtomicLong();
    private final Thread committer;
    private volatile boolean running = true;
    /** This store's identity: {storeId, createdAtMs}. */
    private final String storeId;
    private final long createdAtMs;

    private RocksAcceptorStores(Path dir, FatalErrors fatal, LogSync logSync) throws RocksDBException {
        this.fatal = fatal;
        this.logSync = logSync;
        this.options = new Options().setCreateIfMissing(true);
        try {
            this.db = RocksDB.open(options, dir.toString());
        } catch (RocksDBException | RuntimeException e) {
            options.close();
            throw e;
        }
        this.unsynced = new WriteOptions().setSync(false);
        String[] identity;
        try {
            identity = loadOrCreateIdentity();
        } catch (RocksDBException | RuntimeException e) {
            unsynced.close();
            db.close();
            options.close();
            throw e;
        }
        this.storeId = identity[0];
        this.createdAtMs = Long.parseLong(identity[1]);
        this.committer = new Thread(this::commitLoop, "acceptor-group-commit");
        this.committer.setDaemon(true);
        this.committer.start();
    }

    /** @param fatal where a failed fsync or write goes: the node stops */
    public static RocksAcceptorStores open(Path dir, FatalErrors fatal) {
        return open(dir, fatal, RocksDB::syncWal);
    }

    static RocksAcceptorStores open(Path dir, FatalErrors fatal, LogSync logSync) {
        try {
            Files.createDirectories(dir);
            return new RocksAcceptorStores(dir, fatal, logSync);
        } catch (Exception e) {
            throw new IllegalStateException("cannot open the acceptor store in " + dir, e);
        }
    }

    @Override
    public AcceptorStore forGroup(long tableId, int partition, LongConsumer onSynced) {
        return new GroupStore(ByteBuffer.allocate(GROUP_PREFIX_BYTES).putLong(tableId).putInt(partition).array(), onSynced);
    }

    /** {storeId, createdAtMs}: as written at the store's first start, durably, before any vote. */
    private String[] loadOrCreateIdentity() throws RocksDBException {
        byte[] existing = db.get(IDENTITY_KEY);
        if (existing == null) {
            String created = java.util.UUID.randomUUID() + "|" + System.currentTimeMillis();
            try (WriteOptions synced = new WriteOptions().setSync(true)) {
                db.put(synced, IDENTITY_KEY, created.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            existing = created.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return new String(existing, java.nio.charset.StandardCharsets.UTF_8).split("\\|", 2);
    }

    /** This store's random id, written at its first start. */
    public String storeId() {
        return storeId;
    }

    /** When this store was first started, by this node's wall clock. */
    public long createdAtMs() {
        return createdAtMs;
    }

    /** The groups this store refuses to vote in: those created before this time ({@link AmnesiaGuard#NEVER} when none). */
    public long refusesGroupsCreatedBeforeMs() {
        try {
            byte[] v = db.get(REFUSED_KEY);
            return v == null ? AmnesiaGuard.NEVER : ByteBuffer.wrap(v).getLong();
        } catch (RocksDBException e) {
            throw failedWrite("read", e);
        }
    }

    /** Records, durably, that this store refuses to vote in the groups created before {@code ms}. */
    public void refuseGroupsCreatedBefore(long ms) {
        try (WriteOptions synced = new WriteOptions().setSync(true)) {
            db.put(synced, REFUSED_KEY, ByteBuffer.allocate(8).putLong(ms).array());
        } catch (RocksDBException e) {
            throw failedWrite("write", e);
        }
    }

    /** How many fsyncs the commit thread has made (group commit makes it far fewer than the syncs requested). */
    public long fsyncCount() {
        return fsyncs.get();
    }

    private void commitLoop() {
        while (running) {
            List<Runnable> batch;
            synchronized (queueLock) {
                while (requested.isEmpty() && running) {
                    try {
                        queueLock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                batch = requested;
                requested = new ArrayList<>();
            }
            if (batch.isEmpty()) continue;
            try {
                long startNs = System.nanoTime();
                logSync.sync(db);
                fsyncs.incrementAndGet();
                long tookMs = (System.nanoTime() - startNs) / 1_000_000;
                if (tookMs >= SLOW_SYNC_MS) log.warn("acceptor log sync took {} ms ({} syncs waiting)", tookMs, batch.size());
            } catch (RocksDBException | RuntimeException e) {
                // An acceptor whose votes cannot be made durable must not vote: no sync completes
                // from here on, so it sends no promise or acceptance, and the node stops.
                running = false;
                fatal.stop("the acceptor store cannot make its votes durable (fsync of its log failed)", e);
                return;
            }
            for (Runnable done : batch) done.run();
        }
    }

    @Override
    public void close() {
        running = false;
        synchronized (queueLock) {
            queueLock.notifyAll();
        }
        try {
            committer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        unsynced.close();
        db.close();
        options.close();
    }

    /**
     * One held write of a group: a put, a delete ({@code value} null), or a range deletion
     * ({@code rangeEnd} set). Held on the heap rather than in a native {@link WriteBatch}: a handle
     * dropped with writes held (its member fenced) then leaks nothing.
     */
    private record HeldWrite(byte[] key, byte[] value, byte[] rangeEnd) {}

    private final class GroupStore implements AcceptorStore {
        private final byte[] prefix;
        private final LongConsumer onSynced;
        /** Written since the last sync request, in order: they go to RocksDB together when one is requested. */
        private final List<HeldWrite> held = new ArrayList<>();
        private long lastToken;
        /** Every slot through this one is deleted (or was never written). */
        private long truncatedThrough;
        /** The configuration last written (or loaded); null: none, the group's first is in force. */
        private Configuration archivedConfiguration;

        GroupStore(byte[] prefix, LongConsumer onSynced) {
            this.prefix = prefix;
            this.onSynced = onSynced;
        }

        @Override
        public DurableState load() {
            try {
                byte[] promisedBytes = db.get(key(PROMISED));
                Ballot promised = promisedBytes == null ? Ballot.ZERO : ballot(ByteBuffer.wrap(promisedBytes));
                byte[] archivedBytes = db.get(key(ARCHIVED));
                long archived = archivedBytes == null ? 0 : ByteBuffer.wrap(archivedBytes).getLong();
                // The archived slot alone (8 bytes) before origins were kept: no origin known.
                Ballot archivedMaxOrigin = archivedBytes == null || archivedBytes.length < 20 ? Ballot.ZERO
                        : ballot(ByteBuffer.wrap(archivedBytes, 8, 12));
                List<AcceptedEntry> accepted = new ArrayList<>();
                byte[] from = slotKey(0);
                byte[] to = slotKey(Long.MAX_VALUE);
                try (Slice lower = new Slice(from); Slice upper = new Slice(to);
                     ReadOptions ro = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
                     RocksIterator it = db.newIterator(ro)) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        long slot = ByteBuffer.wrap(it.key(), GROUP_PREFIX_BYTES + 1, 8).getLong();
                        ByteBuffer v = ByteBuffer.wrap(it.value());
                        Ballot b = ballot(v);
                        byte[] value = new byte[v.remaining()];
                        v.get(value);
                        if (slot > archived) accepted.add(new AcceptedEntry(slot, b, value));
                    }
                    it.status();
                }
                truncatedThrough = archived;
                byte[] configurationBytes = db.get(key(CONFIGURATION));
                archivedConfiguration = configurationBytes == null ? null : configuration(ByteBuffer.wrap(configurationBytes));
                return new DurableState(promised, archived, archivedMaxOrigin, archivedConfiguration, accepted);
            } catch (RocksDBException e) {
                throw new IllegalStateException("cannot load acceptor state", e);
            }
        }

        @Override
        public void promise(Ballot ballot) {
            put(key(PROMISED), ByteBuffer.allocate(12).putLong(ballot.round()).putInt(ballot.nodeId()).array());
        }

        @Override
        public void accept(long slot, Ballot ballot, byte[] value) {
            put(slotKey(slot), ByteBuffer.allocate(12 + value.length)
                    .putLong(ballot.round()).putInt(ballot.nodeId()).put(value).array());
        }

        /**
         * Deletes the truncated slots one by one: a truncation follows every WAL acknowledgement,
         * and as many range deletions would pile up range tombstones that slow every later write.
         */
        @Override
        public void truncateThrough(long slot, Ballot archivedMaxOrigin, Configuration configuration) {
            if (slot <= truncatedThrough) return;
            // Written only when it changed (rarely): a truncation follows every WAL acknowledgement.
            if (!configuration.equals(archivedConfiguration) && (archivedConfiguration != null || configuration.version() > 0)) {
                put(key(CONFIGURATION), bytes(configuration));
                archivedConfiguration = configuration;
            }
            long from = Math.max(truncatedThrough + 1, slot - MAX_POINT_DELETES);
            if (from > truncatedThrough + 1) held.add(new HeldWrite(slotKey(0), null, slotKey(from)));
            for (long s = from; s <= slot; s++) held.add(new HeldWrite(slotKey(s), null, null));
            put(key(ARCHIVED), ByteBuffer.allocate(20).putLong(slot)
                    .putLong(archivedMaxOrigin.round()).putInt(archivedMaxOrigin.nodeId()).array());
            truncatedThrough = slot;
        }

        @Override
        public long requestSync() {
            writeHeld();
            long token = ++lastToken;
            synchronized (queueLock) {
                requested.add(() -> onSynced.accept(token));
                queueLock.notifyAll();
            }
            return token;
        }

        private void put(byte[] key, byte[] value) {
            held.add(new HeldWrite(key, value, null));
        }

        /** Writes the held writes to RocksDB, unsynced, as one batch: all of them or, after a crash, none. */
        private void writeHeld() {
            if (held.isEmpty()) return;
            try (WriteBatch batch = new WriteBatch()) {
                for (HeldWrite w : held) {
                    if (w.rangeEnd() != null) batch.deleteRange(w.key(), w.rangeEnd());
                    else if (w.value() == null) batch.delete(w.key());
                    else batch.put(w.key(), w.value());
                }
                db.write(unsynced, batch);
            } catch (RocksDBException e) {
                throw failedWrite("write", e);
            }
            held.clear();
        }

        private byte[] key(byte kind) {
            byte[] k = new byte[GROUP_PREFIX_BYTES + 1];
            System.arraycopy(prefix, 0, k, 0, GROUP_PREFIX_BYTES);
            k[GROUP_PREFIX_BYTES] = kind;
            return k;
        }

        private byte[] slotKey(long slot) {
            return ByteBuffer.allocate(GROUP_PREFIX_BYTES + 1 + 8).put(prefix).put(ACCEPTED).putLong(slot).array();
        }
    }

    private IllegalStateException failedWrite(String what, RocksDBException e) {
        running = false;
        fatal.stop("the acceptor store cannot " + what + " its state", e);
        return new IllegalStateException("cannot " + what + " acceptor state", e);
    }

    private static Ballot ballot(ByteBuffer b) {
        return new Ballot(b.getLong(), b.getInt());
    }

    static byte[] bytes(Configuration c) {
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 4 + 4 * c.voters().size() + 4 + 4 * c.learners().size());
        b.put(CONFIGURATION_FORMAT).putLong(c.version());
        b.putInt(c.voters().size());
        for (int id : c.voters()) b.putInt(id);
        b.putInt(c.learners().size());
        for (int id : c.learners()) b.putInt(id);
        return b.array();
    }

    static Configuration configuration(ByteBuffer b) {
        byte format = b.get();
        if (format != CONFIGURATION_FORMAT) throw new IllegalStateException("unknown stored configuration format " + format);
        long version = b.getLong();
        List<Integer> voters = new ArrayList<>();
        for (int n = b.getInt(); n > 0; n--) voters.add(b.getInt());
        List<Integer> learners = new ArrayList<>();
        for (int n = b.getInt(); n > 0; n--) learners.add(b.getInt());
        return new Configuration(version, voters, learners);
    }
}
