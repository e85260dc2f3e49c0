package io.dynalog.api.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.ErrorType;
import io.dynalog.api.http.NodeOnlyMembers;
import io.dynalog.api.json.Json;
import io.dynalog.topology.placement.NodeInfo;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
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
 *
 * <p>Requests go over Vert.x's pooled keep-alive HTTP/1.1 connections and complete on its event
 * loop: a forward costs no thread of its own (the JDK's HttpClient completed every response on a
 * new thread on a two-core machine, where the common pool has a parallelism of one).
 */
public final class Forwarder implements AutoCloseable {
    /** Set in a forwarded request's JSON: the receiver serves it itself or fails it. */
    public static final String FORWARDED_MEMBER = NodeOnlyMembers.PREFIX + "Forwarded";
    public static final int MAX_HOPS = 2;
    private static final String TARGET_PREFIX = "DynamoDB_20120810.";

    private static final int CONNECT_TIMEOUT_MS = 2_000;
    /** Connections per other node: forwarded requests are short, so a few carry many in flight. */
    private static final int MAX_CONNECTIONS_PER_NODE = 32;

    private final HttpClientAgent http;
    private final long timeoutMs;
    private final Context context;
    private final String nodeToken;

    /** @param nodeToken the cluster's node token, sent with every forwarded request ({@link NodeOnlyMembers}) */
    public Forwarder(Vertx vertx, Duration timeout, String nodeToken) {
        this.nodeToken = nodeToken;
        this.http = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(CONNECT_TIMEOUT_MS),
                new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS_PER_NODE));
        this.timeoutMs = timeout.toMillis();
        // From a thread outside Vert.x (the node's start-up), a new event-loop context.
        this.context = vertx.getOrCreateContext();
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
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                .setHost(to.apiHost()).setPort(to.apiPort()).setURI("/")
                .setTimeout(timeoutMs)
                .putHeader("Content-Type", "application/x-amz-json-1.0")
                .putHeader("X-Amz-Target", TARGET_PREFIX + operation)
                .putHeader(NodeOnlyMembers.TOKEN_HEADER, nodeToken);
        byte[] payload = Json.encode(body);
        CompletableFuture<ObjectNode> answer = new CompletableFuture<>();
        // Issued and completed on one event loop: a response's body handler must be set in the
        // same turn of the loop that delivers the response, or its chunks are lost (a Future
        // callback hopping to another context registers it too late; vert.x issue 5904).
        boolean[] connected = new boolean[1];
        context.runOnContext(v -> http.request(options)
                .compose(outgoing -> {
                    connected[0] = true;
                    return outgoing.send(Buffer.buffer(payload));
                })
                .compose(response -> response.body().map(bytes -> new Answer(response.statusCode(), bytes)))
                .onComplete(result -> {
                    if (result.failed()) {
                        answer.completeExceptionally(new Unreachable(to.nodeId(), connected[0], result.cause()));
                        return;
                    }
                    try {
                        answer.complete(decode(to, result.result()));
                    } catch (RuntimeException e) {
                        answer.completeExceptionally(e);
                    }
                }));
        return answer;
    }

    private record Answer(int status, Buffer body) {}

    /** The other node's answer as this node's: its response, or the DynamoDB error it returned. */
    private static ObjectNode decode(NodeInfo from, Answer answer) {
        if (answer.body().length() == 0) {
            // Never taken for an empty response: that would read as "no item" or "no change".
            throw ApiException.internalServerError("node " + from.nodeId() + " answered with an empty body (HTTP "
                    + answer.status() + ")");
        }
        ObjectNode json = Json.parseObject(answer.body().getBytes());
        if (answer.status() == 200) return json;
        throw remoteError(json);
    }

    /** Closes the connections to other nodes. */
    @Override
    public void close() {
        http.close();
    }

    /**
     * The other node did not answer: it may be down, and its partitions are changing leaders.
     * Unless no connection was made, it may have received the request and carried it out.
     */
    public static final class Unreachable extends RuntimeException {
        private final boolean mayHaveRun;

        Unreachable(int nodeId, boolean mayHaveRun, Throwable cause) {
            super("node " + nodeId + (mayHaveRun ? " did not answer: " : " could not be reached: ") + cause, cause, false, false);
            this.mayHaveRun = mayHaveRun;
        }

        /** False only when the request never reached the other node (no connection). */
        public boolean mayHaveRun() {
            return mayHaveRun;
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
