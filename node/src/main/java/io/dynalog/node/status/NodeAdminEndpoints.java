package io.dynalog.node.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dynalog.api.http.AdminException;
import io.dynalog.api.route.Cluster;
import io.dynalog.topology.placement.NodeInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The operator's actions on nodes, served on {@code POST} at any node, for {@code dynalog node
 * drain} and {@code dynalog node remove}:
 * <ul>
 *   <li>{@link #DRAIN_PATH}: {@code {"nodeId": N}} marks node N draining (with {@code "cancel":
 *       true}, no longer). Only N itself announces its state, so a node asked about another passes
 *       the request on to it; a node that does not answer cannot be drained (it is removed).</li>
 *   <li>{@link #REMOVE_PATH}: {@code {"nodeId": N}} forgets node N, which must have been silent for
 *       the silence limit: a node that is alive is drained and stopped first. Its replicas are then
 *       replaced at once, without waiting for {@code --replace-after}.</li>
 * </ul>
 * Refusals are answered with a status and a message that says why ({@link AdminException}).
 */
public final class NodeAdminEndpoints {
    public static final String DRAIN_PATH = "/_dynalog/drain";
    public static final String REMOVE_PATH = "/_dynalog/remove";

    /** What the actions need of the node: the cluster as it sees it ({@link Cluster}), and its own record. */
    public interface Node extends Cluster {
        /** How long since node {@code nodeId} was last heard from. */
        long silentForMs(int nodeId);

        /** Marks this node draining (or not) and announces it; completes once announced. */
        CompletableFuture<Void> drainSelf(boolean draining);

        /** Removes node {@code nodeId} from the nodes topic; completes once written. */
        CompletableFuture<Void> forget(int nodeId);
    }

    /** The body of both actions; {@code forwarded} is set by the node that passes a drain on (it is passed on once). */
    public record NodeRequest(int nodeId, boolean cancel, boolean forwarded) {}

    /** The answer of a drain: the node's state now. */
    public record DrainAnswer(int nodeId, boolean draining) {}

    /** The answer of a removal. */
    public record RemoveAnswer(int nodeId, boolean removed) {}

    private final Node node;
    private final HttpClient http;
    private final long timeoutMs;
    private final long silenceLimitMs;

    /**
     * @param timeoutMs how long a node asked to drain has to answer
     * @param silenceLimitMs how long a node must have been silent to be removed
     */
    public NodeAdminEndpoints(Node node, HttpClient http, long timeoutMs, long silenceLimitMs) {
        this.node = node;
        this.http = http;
        this.timeoutMs = timeoutMs;
        this.silenceLimitMs = silenceLimitMs;
    }

    /** Paths and what each does, for the HTTP server. */
    public Map<String, Function<String, CompletableFuture<String>>> actions() {
        return Map.of(DRAIN_PATH, this::drain, REMOVE_PATH, this::remove);
    }

    private CompletableFuture<String> drain(String body) {
        NodeRequest request = parse(body);
        if (request.nodeId() == node.selfId()) {
            return node.drainSelf(!request.cancel())
                    .thenApply(v -> StatusEndpoints.toJson(new DrainAnswer(request.nodeId(), !request.cancel())));
        }
        if (request.forwarded()) {
            throw new AdminException(409, "node " + node.selfId() + " was sent a drain of node " + request.nodeId()
                    + ": that node's recorded address reaches another node now");
        }
        NodeInfo target = known(request.nodeId());
        String passedOn = StatusEndpoints.toJson(new NodeRequest(request.nodeId(), request.cancel(), true));
        HttpRequest forwarded = HttpRequest.newBuilder(URI.create("http://" + target.apiHost() + ":" + target.apiPort() + DRAIN_PATH))
                .timeout(Duration.ofMillis(timeoutMs)).POST(HttpRequest.BodyPublishers.ofString(passedOn)).build();
        return http.sendAsync(forwarded, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
            if (error != null) {
                throw new AdminException(503, "node " + request.nodeId() + " does not answer (" + error
                        + "); a node that is gone for good is removed, not drained: dynalog node remove --node-id " + request.nodeId());
            }
            if (response.statusCode() != 200) throw new AdminException(response.statusCode(), response.body());
            return response.body();
        });
    }

    private CompletableFuture<String> remove(String body) {
        NodeRequest request = parse(body);
        if (request.nodeId() == node.selfId()) {
            throw new AdminException(409, "node " + request.nodeId() + " cannot remove itself: ask another node");
        }
        known(request.nodeId());
        long silentForMs = node.silentForMs(request.nodeId());
        if (silentForMs < silenceLimitMs) {
            throw new AdminException(409, "node " + request.nodeId() + " was heard from " + silentForMs + " ms ago: drain it "
                    + "(dynalog node drain), stop it, and remove it once it has been silent for " + silenceLimitMs + " ms");
        }
        return node.forget(request.nodeId()).thenApply(v -> StatusEndpoints.toJson(new RemoveAnswer(request.nodeId(), true)));
    }

    private NodeInfo known(int nodeId) {
        NodeInfo n = node.node(nodeId);
        if (n == null) throw new AdminException(404, "node " + nodeId + " is not known to the cluster");
        return n;
    }

    private static NodeRequest parse(String body) {
        try {
            NodeRequest request = StatusEndpoints.JSON.readValue(body, NodeRequest.class);
            if (request.nodeId() < 1) throw new AdminException(400, "nodeId must be a node id (1 or more), got " + request.nodeId());
            return request;
        } catch (JsonProcessingException e) {
            throw new AdminException(400, "the body must be {\"nodeId\": N}: " + e.getOriginalMessage());
        }
    }
}
