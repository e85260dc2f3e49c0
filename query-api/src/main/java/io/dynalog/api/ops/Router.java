package io.dynalog.api.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.route.Cluster;
import io.dynalog.api.route.Forwarder;
import io.dynalog.ingest.IngestException;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.placement.NodeInfo;
import io.dynalog.topology.time.Time;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Where a request for one partition is served: writes and consistent reads at the partition's
 * leader, eventually consistent reads at a replica (this node's, or one in its zone). A request
 * this node cannot serve is forwarded once; a forwarded request is never forwarded again.
 */
final class Router {
    private final Cluster cluster;
    private final Forwarder forwarder;

    private final Time time;

    Router(Cluster cluster, Forwarder forwarder, Time time) {
        this.time = time;
        this.cluster = cluster;
        this.forwarder = forwarder;
    }

    /** True when this node holds a replica of the partition. */
    boolean holds(TableDescriptor table, int partition) {
        return holds(table.replicasOf(partition));
    }

    /**
     * True when this node may answer an eventually consistent read of the partition (of key space
     * {@code keySpaceId}, placed on {@code replicas}) from its own replica: it holds one, and that
     * replica is not being rebuilt.
     */
    boolean servesReads(long keySpaceId, int partition, List<Integer> replicas) {
        return holds(replicas) && cluster.replicaReady(keySpaceId, partition);
    }

    /** As {@link #servesReads(long, int, List)}, for a table partition. */
    boolean servesReads(TableDescriptor table, int partition) {
        return servesReads(table.tableId(), partition, table.replicasOf(partition));
    }

    /** True when this node is one of {@code replicas} (a partition's, of a table or a global index). */
    boolean holds(List<Integer> replicas) {
        return replicas.contains(cluster.selfId());
    }

    /**
     * Serves a leader-bound request that may run twice ({@code local} runs here, told whether it
     * may hand off to a remote leader; when it fails because another node leads, the request goes
     * there).
     */
    CompletableFuture<ObjectNode> toLeader(String operation, ObjectNode request,
                                           Function<Predicate<Throwable>, CompletableFuture<ObjectNode>> local) {
        return toLeader(operation, request, true, local);
    }

    /**
     * Serves a leader-bound request. A leader that does not answer is probably gone, and its hint
     * stale until the group elects another: the request is tried again, here and at the other
     * replicas, until the deadline; unless it is not {@code idempotent} and may have reached the
     * silent node, whose outcome is then unknown (InternalServerError, as DynamoDB says it).
     */
    CompletableFuture<ObjectNode> toLeader(String operation, ObjectNode request, boolean idempotent,
                                           Function<Predicate<Throwable>, CompletableFuture<ObjectNode>> local) {
        long deadlineNs = time.monotonicNs() + TimeUnit.MILLISECONDS.toNanos(Futures.WRITE_WAIT_MS);
        return attempt(operation, request, idempotent, local, deadlineNs, new Silence());
    }

    /** The nodes that did not answer this request, and whether one of them may have run it. */
    private static final class Silence {
        final java.util.Set<Integer> nodes = new java.util.HashSet<>();
        boolean mayHaveRun;
    }

    /** One try: here, or at the leader (or replica) named, skipping the nodes that did not answer. */
    private CompletableFuture<ObjectNode> attempt(String operation, ObjectNode request, boolean idempotent,
                                                  Function<Predicate<Throwable>, CompletableFuture<ObjectNode>> local,
                                                  long deadlineNs, Silence silent) {
        boolean mayForward = !Forwarder.wasForwarded(request);
        Predicate<Throwable> handOff = e -> mayForward && named(e);
        return local.apply(handOff).exceptionallyCompose(e -> {
            Throwable cause = Failures.unwrap(e);
            if (!mayForward || !named(cause)) return CompletableFuture.failedFuture(e);
            NodeInfo target = candidate(cause, silent.nodes);
            if (target == null) {
                silent.nodes.clear(); // every candidate was silent: try them all again after the pause
                return later(operation, request, idempotent, local, deadlineNs, silent);
            }
            return forwarder.forward(target, operation, request).exceptionallyCompose(fe -> {
                if (!(Failures.unwrap(fe) instanceof Forwarder.Unreachable u)) return CompletableFuture.failedFuture(fe);
                if (u.mayHaveRun() && !idempotent) {
                    return CompletableFuture.failedFuture(ApiException.internalServerError(
                            "Node " + target.nodeId() + " stopped answering during the request; it may or may not have been applied"));
                }
                silent.nodes.add(target.nodeId());
                silent.mayHaveRun |= u.mayHaveRun();
                return later(operation, request, idempotent, local, deadlineNs, silent);
            });
        });
    }

    private CompletableFuture<ObjectNode> later(String operation, ObjectNode request, boolean idempotent,
                                                Function<Predicate<Throwable>, CompletableFuture<ObjectNode>> local,
                                                long deadlineNs, Silence silent) {
        if (time.monotonicNs() + TimeUnit.MILLISECONDS.toNanos(UNREACHABLE_RETRY_MS) > deadlineNs) {
            return CompletableFuture.failedFuture(silent.mayHaveRun
                    ? ApiException.internalServerError("The partition's leader stopped answering; the request may or may not have been applied")
                    : ApiException.serviceUnavailable("The partition's leader is not reachable; retry the request"));
        }
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(UNREACHABLE_RETRY_MS, TimeUnit.MILLISECONDS))
                .thenCompose(v -> attempt(operation, request, idempotent, local, deadlineNs, silent));
    }

    /**
     * Where to send a request this node cannot serve: the leader the failure names, unless it was
     * silent; then, for a node holding no replica, another replica (any of them knows the leader).
     */
    /** True when the failure names another node to send the request to (a leader, or replicas). */
    private boolean named(Throwable e) {
        return remoteLeader(e) != null || (e instanceof IngestException ie && !ie.replicas().isEmpty());
    }

    private NodeInfo candidate(Throwable e, java.util.Set<Integer> silent) {
        NodeInfo hinted = remoteLeader(e);
        if (hinted != null && !silent.contains(hinted.nodeId())) return hinted;
        if (!(e instanceof IngestException ie)) return null;
        for (int id : ie.replicas()) {
            if (id == cluster.selfId() || silent.contains(id)) continue;
            NodeInfo n = cluster.node(id);
            if (n != null) return n;
        }
        return null;
    }

    private static final long UNREACHABLE_RETRY_MS = 100;

    /** A replica of the partition to read from when this node holds none: one in this node's zone if any. */
    NodeInfo replicaFor(TableDescriptor table, int partition) {
        return replicaFor(table.readReplicasOf(partition));
    }

    /** One of a partition's {@code replicas} to read from (not this node): one in this node's zone if any. */
    NodeInfo replicaFor(List<Integer> replicas) {
        NodeInfo self = cluster.node(cluster.selfId());
        NodeInfo any = null;
        for (int id : replicas) {
            if (id == cluster.selfId()) continue;
            NodeInfo n = cluster.node(id);
            if (n == null) continue;
            if (self != null && n.zone().equals(self.zone())) return n;
            if (any == null) any = n;
        }
        if (any == null) throw ApiException.serviceUnavailable("No replica of the partition is reachable; retry the request");
        return any;
    }

    CompletableFuture<ObjectNode> toReplica(String operation, ObjectNode request, TableDescriptor table, int partition) {
        return toReplica(operation, request, table.readReplicasOf(partition));
    }

    /** Sends a read to one of a partition's {@code replicas} (this node holds none). */
    CompletableFuture<ObjectNode> toReplica(String operation, ObjectNode request, List<Integer> replicas) {
        if (Forwarder.wasForwarded(request)) {
            throw ApiException.serviceUnavailable("The partition has no replica on the node the request was sent to; retry");
        }
        return forwarder.forward(replicaFor(replicas), operation, request).exceptionallyCompose(e ->
                CompletableFuture.failedFuture(Failures.unwrap(e) instanceof Forwarder.Unreachable u
                        ? ApiException.serviceUnavailable(u.getMessage() + "; retry the request") : e));
    }

    /** The node first in a partition's replica list (its preferred leader), to send a leader-bound read to. */
    NodeInfo preferredLeader(TableDescriptor table, int partition) {
        NodeInfo n = cluster.node(table.replicasOf(partition).get(0));
        return n != null ? n : replicaFor(table, partition);
    }

    /** Forwards a request; a node that does not answer is a retryable ServiceUnavailable. */
    CompletableFuture<ObjectNode> forward(NodeInfo to, String operation, ObjectNode request) {
        return forwarder.forward(to, operation, request).exceptionallyCompose(e ->
                CompletableFuture.failedFuture(Failures.unwrap(e) instanceof Forwarder.Unreachable u
                        ? ApiException.serviceUnavailable(u.getMessage() + "; retry the request") : e));
    }

    /** The node a NOT_LEADER failure names as leader, when that is another known node. */
    NodeInfo remoteLeader(Throwable e) {
        if (!(e instanceof IngestException ie) || ie.reason() != IngestException.Reason.NOT_LEADER) return null;
        int hint = ie.leaderHint();
        if (hint < 0 || hint == cluster.selfId()) return null;
        return cluster.node(hint);
    }
}
