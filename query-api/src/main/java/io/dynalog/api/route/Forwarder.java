package io.dynalog.api.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.ErrorType;
import io.dynalog.api.json.Json;
import io.dynalog.topology.placement.NodeInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Sends a request on to another node's DynamoDB API (the partition's leader, or a replica) and
 * gives back its answer as if it were this node's: the response body, or the same DynamoDB error.
 *
 * <p>A forwarded request carries the number of times it was forwarded in {@link #FORWARDED_MEMBER}:
 * it may be forwarded at most {@link #MAX_HOPS} times (a node that is not a partition's replica
 * sends it to one, which may send it on to the leader), so a stale hint cannot bounce a request
 * around; past that, a node retries locally until its deadline.
 */
public final class Forwarder {
    /** Set in a forwarded request's JSON: the receiver serves it itself or fails it. */
    public static final String FORWARDED_MEMBER = "__dynalogForwarded";
    public static final int MAX_HOPS = 2;
    private static final String TARGET_PREFIX = "DynamoDB_20120810.";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final Duration timeout;

    public Forwarder(Duration timeout) {
        this.timeout = timeout;
    }

    /** True when the request may not be forwarded again. */
    public static boolean wasForwarded(JsonNode request) {
        return hops(request) >= MAX_HOPS;
    }

    static int hops(JsonNode request) {
        JsonNode n = request.path(FORWARDED_MEMBER);
        return n.isBoolean() ? (n.booleanValue() ? MAX_HOPS : 0) : n.asInt(0);
    }

    public CompletableFuture<ObjectNode> forward(NodeInfo to, String operation, ObjectNode request) {
        ObjectNode body = request.deepCopy();
        body.put(FORWARDED_MEMBER, hops(request) + 1);
        HttpRequest httpRequest = HttpRequest.newBuilder(URI.create("http://" + to.apiHost() + ":" + to.apiPort() + "/"))
                .timeout(timeout)
                .header("Content-Type", "application/x-amz-json-1.0")
                .header("X-Amz-Target", TARGET_PREFIX + operation)
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.encode(body)))
                .build();
        return http.sendAsync(httpRequest, HttpResponse.BodyHandlers.ofByteArray()).handle((response, error) -> {
            if (error != null) throw new Unreachable(to.nodeId(), error);
            ObjectNode answer = Json.parseObject(response.body());
            if (response.statusCode() == 200) return answer;
            throw remoteError(answer);
        });
    }

    /** The other node could not be reached: it may be down, and its partitions are changing leaders. */
    public static final class Unreachable extends RuntimeException {
        Unreachable(int nodeId, Throwable cause) {
            super("node " + nodeId + " did not answer: " + cause, cause, false, false);
        }
    }

    private static ApiException remoteError(ObjectNode answer) {
        String type = answer.path("__type").asText("");
        String name = type.substring(type.indexOf('#') + 1);
        String message = answer.path("message").asText(answer.path("Message").asText(""));
        for (ErrorType t : ErrorType.values()) {
            if (t.name().equals(name)) {
                ObjectNode extra = answer.deepCopy();
                extra.remove("__type");
                extra.remove("message");
                return extra.isEmpty() ? new ApiException(t, message) : new ApiException(t, message, extra);
            }
        }
        return ApiException.internalServerError("unexpected answer from another node: " + type + " " + message);
    }
}
