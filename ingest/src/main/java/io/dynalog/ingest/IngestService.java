package io.dynalog.ingest;

import io.dynalog.ingest.IngestException.Reason;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.TableDescriptor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * The partition leaders on this node, and the {@link WritePath} over them.
 *
 * <p>Responsibilities: start a leader for each table partition this node leads, stop it when
 * the table goes away, route each write and consistent read to its partition's leader, and
 * forward the local replica's progress to the leaders (to trim their overlays).
 */
public final class IngestService implements WritePath, AutoCloseable {
    private final int nodeId;
    private final LocalReplica replica;
    private final WalAppender appender;
    private final Executor executor;
    private final DelayedExecutor delayed;
    private final LongSupplier clockMs;
    private final Map<PartitionKey, PartitionLeader> leaders = new ConcurrentHashMap<>();

    public IngestService(int nodeId, LocalReplica replica, WalAppender appender, Executor executor,
                         DelayedExecutor delayed, LongSupplier clockMs) {
        this.nodeId = nodeId;
        this.replica = replica;
        this.appender = appender;
        this.executor = executor;
        this.delayed = delayed;
        this.clockMs = clockMs;
    }

    /**
     * Starts leading every partition of the table that this node holds a replica of; completes
     * when all of them serve. Calling it again for a table already led is harmless.
     */
    public CompletableFuture<Void> lead(TableDescriptor table) {
        List<CompletableFuture<Void>> serving = new java.util.ArrayList<>();
        for (int p = 0; p < table.partitionCount(); p++) {
            if (!table.replicasOf(p).contains(nodeId)) continue;
            int partition = p;
            PartitionLeader leader = leaders.computeIfAbsent(new PartitionKey(table.tableId(), p), k -> {
                PartitionLeader l = new PartitionLeader(table.tableId(), partition, table.walTopic(), nodeId,
                        replica, appender, executor, delayed, clockMs);
                l.start();
                return l;
            });
            serving.add(leader.whenServing());
        }
        return CompletableFuture.allOf(serving.toArray(CompletableFuture[]::new));
    }

    /** Stops leading every partition of a table (deleted): pending writes fail. */
    public void abandon(long tableId, int partitionCount) {
        for (int p = 0; p < partitionCount; p++) {
            PartitionLeader leader = leaders.remove(new PartitionKey(tableId, p));
            if (leader != null) leader.close();
        }
    }

    /** The local replica applied a partition up to a slot (called on the replica's thread). */
    public void onApplied(long tableId, int partition, long appliedSlot) {
        PartitionLeader leader = leaders.get(new PartitionKey(tableId, partition));
        if (leader != null) leader.onApplied(appliedSlot);
    }

    @Override
    public CompletableFuture<WriteOutcome> write(TableDescriptor table, int partition, byte[] storeKey, Mutation mutation) {
        PartitionLeader leader = leaders.get(new PartitionKey(table.tableId(), partition));
        if (leader == null) return CompletableFuture.failedFuture(notLeader(table, partition));
        return leader.write(storeKey, mutation);
    }

    @Override
    public CompletableFuture<Map<String, AttributeValue>> consistentGet(TableDescriptor table, int partition, byte[] storeKey) {
        PartitionLeader leader = leaders.get(new PartitionKey(table.tableId(), partition));
        if (leader == null) return CompletableFuture.failedFuture(notLeader(table, partition));
        return leader.consistentGet(storeKey);
    }

    @Override
    public CompletableFuture<Void> readBarrier(TableDescriptor table, int partition) {
        PartitionLeader leader = leaders.get(new PartitionKey(table.tableId(), partition));
        if (leader == null) return CompletableFuture.failedFuture(notLeader(table, partition));
        return leader.readBarrier();
    }

    @Override
    public void close() {
        List<PartitionLeader> all = List.copyOf(leaders.values());
        leaders.clear();
        all.forEach(PartitionLeader::close);
    }

    private static IngestException notLeader(TableDescriptor table, int partition) {
        return new IngestException(Reason.NOT_LEADER,
                "no leader for partition " + partition + " of table " + table.name() + " on this node");
    }

    private record PartitionKey(long tableId, int partition) {}
}
