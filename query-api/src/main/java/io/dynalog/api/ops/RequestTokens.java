package io.dynalog.api.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.http.NodeOnlyMembers;

/**
 * A request's client request token, which goes with each of its writes to the partition leader so
 * that the request, run again with it, takes effect once. It is a node-only member of the request
 * body: the node's Kafka write path intake sets it, and forwarding keeps it; an HTTP client cannot
 * (DynamoDB has no such parameter on these operations).
 */
public final class RequestTokens {
    /** The member holding the token. */
    public static final String MEMBER = NodeOnlyMembers.PREFIX + "RequestToken";

    private RequestTokens() {}

    /** The request's token, or null when it has none. */
    static String of(JsonNode request) {
        JsonNode token = request.get(MEMBER);
        return token != null && token.isTextual() ? token.asText() : null;
    }

    /** Gives {@code request} the token (none when null). */
    public static void set(ObjectNode request, String token) {
        if (token != null) request.put(MEMBER, token);
    }
}
