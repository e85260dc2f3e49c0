package io.dynalog.node.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.dynalog.ingest.replication.GroupId;
import io.dynalog.ingest.replication.ReplicationRuntime.MemberStatus;
import io.dynalog.topology.placement.NodeInfo;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The status a node serves as JSON on its API port, for {@code dynalog cluster status} and for
 * the other nodes: {@link #NODE_PATH} its own ({@link NodeStatus}), {@link #CLUSTER_PATH} the
 * cluster's, which it gathers by asking every node the nodes topic knows for its own.
 */
public final class StatusEndpoints {
    /** This node's own status. */
    public static final String NODE_PATH = "/_dynalog/node";
    /** The cluster's status, gathered by the node asked. */
    public static final String CLUSTER_PATH = "/_dynalog/cluster";

    /** Records as JSON objects; unknown fields are ignored, so a newer node's answer still reads. */
    static final ObjectMapper JSON = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final int selfId;
    private final String zone;
    private final Supplier<CompletableFuture<Map<GroupId, MemberStatus>>> members;
    private final LongFunction<String> tableName;
    private final ReplicaProgress replicaProgress;
    private final java.util.function.IntSupplier indexReplicas;
    private final Supplier<List<NodeInfo>> nodes;
    private final ClusterStatusCollector collector;

    /** How far this node's replica of a partition has applied its WAL. */
    public interface ReplicaProgress {
        /** The slot through which the replica has applied every slot; -1 when this node has no replica of it. */
        long appliedSlot(long tableId, int partition);
    }

    /**
     * @param members   snapshots of this node's members of every group (the replication runtime's)
     * @param tableName the name of a table by id, or null when the catalog does not know it
     * @param replicaProgress how far this node's replicas have applied their WAL
     * @param indexReplicas how many global index partitions this node holds a replica of
     * @param nodes     every node of the cluster (the nodes topic)
     * @param http      how other nodes are asked
     * @param timeoutMs how long another node has to answer
     */
    public StatusEndpoints(int selfId, String zone, Supplier<CompletableFuture<Map<GroupId, MemberStatus>>> members,
                           LongFunction<String> tableName, ReplicaProgress replicaProgress, java.util.function.IntSupplier indexReplicas,
                           Supplier<List<NodeInfo>> nodes, HttpClient http, long timeoutMs) {
        this.replicaProgress = replicaProgress;
        this.indexReplicas = indexReplicas;
        this.selfId = selfId;
        this.zone = zone;
        this.members = members;
        this.tableName = tableName;
        this.nodes = nodes;
        this.collector = new ClusterStatusCollector(n -> n.nodeId() == selfId ? nodeStatus() : fetch(http, n, timeoutMs), timeoutMs);
    }

    /** Paths and what each serves, for the HTTP server. */
    public Map<String, Supplier<CompletableFuture<String>>> routes() {
        return Map.of(NODE_PATH, () -> nodeStatus().thenApply(StatusEndpoints::toJson),
                CLUSTER_PATH, () -> clusterStatus().thenApply(StatusEndpoints::toJson));
    }

    public CompletableFuture<NodeStatus> nodeStatus() {
        return members.get().thenApply(all -> {
            List<NodeStatus.Member> groups = new ArrayList<>();
            for (Map.Entry<GroupId, MemberStatus> e : all.entrySet()) {
                GroupId g = e.getKey();
                MemberStatus s = e.getValue();
                String name = tableName.apply(g.tableId());
                groups.add(new NodeStatus.Member(name != null ? name : Long.toHexString(g.tableId()), g.tableId(), g.partition(),
                        s.role().name(), s.leaderHint(), s.leaderReady(), s.configuration().version(), s.configuration().voters(),
                        s.configuration().learners(), s.chosenUpTo(), s.archivedSlot(), s.followerMatchSlots(),
                        replicaProgress.appliedSlot(g.tableId(), g.partition())));
            }
            return new NodeStatus(selfId, zone, groups, indexReplicas.getAsInt());
        });
    }

    public CompletableFuture<ClusterStatus> clusterStatus() {
        return collector.collect(nodes.get());
    }

    private static CompletableFuture<NodeStatus> fetch(HttpClient http, NodeInfo node, long timeoutMs) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + node.apiHost() + ":" + node.apiPort() + NODE_PATH))
                .timeout(Duration.ofMillis(timeoutMs)).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("node " + node.nodeId() + " answered " + response.statusCode() + ": " + response.body());
            }
            return fromJson(response.body(), NodeStatus.class);
        });
    }

    public static String toJson(Object status) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(status);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T fromJson(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
