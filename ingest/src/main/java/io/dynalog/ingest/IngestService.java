package io.dynalog.ingest;

import io.dynalog.ingest.replication.GroupId;
import io.dynalog.ingest.replication.ReplicationRuntime;
import io.dynalog.topology.keys.ItemCollections;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.wal.Configuration;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wire.WalEntryCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import io.dynalog.topology.time.Time;

/**
 * The replica groups this node is in, and the {@link WritePath} over them.
 *
 * <p>Responsibilities: join the group of each table partition placed on this node (its
 * {@link PartitionReplica} on the node's {@link ReplicationRuntime}), leave it when the table goes
 * away, route each write and consistent read to its partition (which answers NOT_LEADER, with the
 * leader it knows, when this node does not lead it), and forward the local replica's progress.
 */
public final class IngestService implements WritePath, AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(IngestService.class);
    private final int nodeId;
    private final LocalReplica replica;
    private final WalAppender appender;
    private final Executor completions;
    private final ReplicationRuntime runtime;
    private final Time time;
    private final long staleAppendWindowMs;
    private final long itemCollectionLimitBytes;
    private final Map<GroupId, PartitionReplica> partitions = new ConcurrentHashMap<>();
    private final AmnesiaGuard amnesiaGuard;
    private final HeldBytesBudget heldBytesBudget;
    /** Groups this node refuses to take part in (it lost its votes), each said once in the log. */
    private final java.util.Set<GroupId> refused = ConcurrentHashMap.newKeySet();

    /**
     * @param completions where write and read futures are completed (never the replication loop)
     * @param staleAppendWindowMs how long after a leader loses leadership an append it made may
     *     still land in the WAL (the WAL producer's delivery timeout, plus a margin)
     * @param itemCollectionLimitBytes the most an item collection of a table with local indexes may
     *     hold (DynamoDB's is {@link ItemCollections#DEFAULT_LIMIT_BYTES})
     * @param heldBytesBudget what this node's groups may hold together for the WAL and their replicas
     */
    public IngestService(int nodeId, LocalReplica replica, WalAppender appender, Executor completions,
                         ReplicationRuntime runtime, Time time, long staleAppendWindowMs,
                         long itemCollectionLimitBytes, AmnesiaGuard amnesiaGuard, HeldBytesBudget heldBytesBudget) {
        this.heldBytesBudget = heldBytesBudget;
        this.staleAppendWindowMs = staleAppendWindowMs;
        this.itemCollectionLimitBytes = itemCollectionLimitBytes;
        this.nodeId = nodeId;
        this.replica = replica;
        this.appender = appender;
        this.completions = completions;
        this.runtime = runtime;
        this.time = time;
        this.amnesiaGuard = amnesiaGuard;
    }

    public IngestService(int nodeId, LocalReplica replica, WalAppender appender, Executor completions,
                         ReplicationRuntime runtime, Time time, long staleAppendWindowMs, long itemCollectionLimitBytes) {
        this(nodeId, replica, appender, completions, runtime, time, staleAppendWindowMs, itemCollectionLimitBytes, AmnesiaGuard.NONE,
                HeldBytesBudget.UNLIMITED);
    }

    /**
     * Joins the group of every partition of the table that has a replica on this node (by the
     * latest configuration the catalog knows for it); completes when each of them is served, here
     * or by a leader this node knows. Calling it again is harmless.
     */
    public CompletableFuture<Void> lead(TableDescriptor table) {
        List<CompletableFuture<Void>> settled = new ArrayList<>();
        for (int p = 0; p < table.partitionCount(); p++) {
            if (table.replicasOf(p).contains(nodeId)) settled.add(join(table, p));
        }
        return CompletableFuture.allOf(settled.toArray(CompletableFuture[]::new));
    }

    /**
     * Joins partition {@code partition}'s group, with the group's first configuration (every
     * member starts from the same one, and learns the later ones from the group's log and its
     * peers); completes when the partition is served, here or by a leader this node knows.
     */
    private CompletableFuture<Void> join(TableDescriptor table, int partition) {
        GroupId group = new GroupId(table.tableId(), partition);
        if (!amnesiaGuard.admits(table.creationTimeMs())) {
            if (refused.add(group)) {
                log.error("node {} refuses to take part in partition {} of table {} (created at {}): its acceptor state was lost "
                        + "since (it refuses every group created before {}); add it to the group again as a new member",
                        nodeId, partition, table.name(), table.creationTimeMs(), amnesiaGuard.refusesGroupsCreatedBeforeMs());
            }
            return CompletableFuture.completedFuture(null);
        }
        PartitionReplica existing = partitions.get(group);
        if (existing != null) return existing.whenSettled();
        // Called on the loop at the join, and again each time the group restarts after it was
        // fenced: a new member gets a new PartitionReplica (the old one closed itself).
        CompletableFuture<Void> joined = runtime.join(group, table.firstConfigurationOf(partition),
                new WalValues(table.tableId(), partition, time), ctx -> {
                    PartitionReplica r = new PartitionReplica(table.tableId(), partition, table.walTopic(), replica, appender,
                            completions, time, staleAppendWindowMs, ItemCollections.of(table), itemCollectionLimitBytes,
                            heldBytesBudget);
                    partitions.put(group, r);
                    return r.attach(ctx);
                });
        return joined.thenCompose(v -> {
            PartitionReplica r = partitions.get(group);
            return r == null ? CompletableFuture.completedFuture(null) : r.whenSettled();
        });
    }

    /**
     * A partition's values are WAL entries: a no-op is a NOOP entry, a configuration a
     * CONFIGURATION entry, and a value's origin is the ballot under which its leader resolved it
     * ({@link WalEntry#ballot()}).
     */
    static final class WalValues implements io.dynalog.ingest.paxos.Values {
        private final long tableId;
        private final int partition;
        private final Time time;

        WalValues(long tableId, int partition, Time time) {
            this.tableId = tableId;
            this.partition = partition;
            this.time = time;
        }

        @Override
        public byte[] noop(long slot, io.dynalog.topology.wal.Ballot ballot) {
            return WalEntryCodec.encode(WalEntry.noop(tableId, partition, slot, ballot, time.wallClockMs()));
        }

        @Override
        public io.dynalog.topology.wal.Ballot originOf(byte[] value) {
            return WalEntryCodec.ballotUnlessNoop(value);
        }

        @Override
        public byte[] configuration(long slot, io.dynalog.topology.wal.Ballot ballot, Configuration next) {
            return WalEntryCodec.encode(WalEntry.configuration(tableId, partition, slot, ballot, time.wallClockMs(), next));
        }

        @Override
        public Configuration configurationOf(byte[] value) {
            return WalEntryCodec.configurationOf(value);
        }
    }

    /** True when this node takes part in the partition's replica group (false: not placed here, or refused by the {@link AmnesiaGuard}). */
    public boolean inGroup(long tableId, int partition) {
        return partitions.containsKey(new GroupId(tableId, partition));
    }

    /** True while this node serves the partition as its leader. */
    public boolean serves(long tableId, int partition) {
        PartitionReplica r = partitions.get(new GroupId(tableId, partition));
        return r != null && r.serving();
    }

    /** Leaves the groups of a table (deleted): pending writes fail. */
    public void abandon(long tableId, int partitionCount) {
        for (int p = 0; p < partitionCount; p++) leave(tableId, p);
    }

    /**
     * Leaves one partition's group (this node is no longer in its configuration): pending writes
     * fail; completes when the member has stopped.
     */
    public CompletableFuture<Void> leave(long tableId, int partition) {
        GroupId group = new GroupId(tableId, partition);
        // The runtime stops the member, which closes its PartitionReplica (onStopped), on the
        // loop: a restart of a fenced group queued before cannot bring it back.
        return runtime.leave(group).whenComplete((v, e) -> partitions.remove(group));
    }

    /** The local replica consumed a partition's WAL below {@code nextOffset} (called on the replica's thread). */
    public void onApplied(long tableId, int partition, long nextOffset) {
        PartitionReplica r = partitions.get(new GroupId(tableId, partition));
        if (r != null) r.onApplied(nextOffset);
    }

    @Override
    public CompletableFuture<WriteOutcome> write(TableDescriptor table, int partition, byte[] storeKey, Mutation mutation,
                                                 String requestToken) {
        PartitionReplica r = partitions.get(new GroupId(table.tableId(), partition));
        if (r == null) return CompletableFuture.failedFuture(notHere(table, partition));
        return r.write(storeKey, mutation, requestToken);
    }

    @Override
    public CompletableFuture<Map<String, AttributeValue>> consistentGet(TableDescriptor table, int partition, byte[] storeKey) {
        PartitionReplica r = partitions.get(new GroupId(table.tableId(), partition));
        if (r == null) return CompletableFuture.failedFuture(notHere(table, partition));
        return r.consistentGet(storeKey);
    }

    @Override
    public CompletableFuture<ReadLease> readBarrier(TableDescriptor table, int partition) {
        PartitionReplica r = partitions.get(new GroupId(table.tableId(), partition));
        if (r == null) return CompletableFuture.failedFuture(notHere(table, partition));
        return r.readBarrier();
    }

    @Override
    public void close() {
        List<PartitionReplica> all = List.copyOf(partitions.values());
        partitions.clear();
        all.forEach(PartitionReplica::close);
    }

    private static IngestException notHere(TableDescriptor table, int partition) {
        return IngestException.noReplicaHere("partition " + partition + " of table " + table.name()
                + " has no replica on this node", table.replicasOf(partition));
    }
}
