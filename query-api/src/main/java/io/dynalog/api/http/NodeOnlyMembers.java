package io.dynalog.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Members of a request body that only the cluster's nodes may set: a forwarded request's hop
 * count, an internal operation's arguments, a table descriptor chosen by the node that first took
 * a CreateTable. Their names start with {@link #PREFIX}.
 *
 * <p>A node sends them with the cluster's node token in {@link #TOKEN_HEADER}; from a request
 * without it they are removed before any operation sees the request, so a client cannot pose as
 * a node (mark a table ACTIVE, record a table of its own making, or skip a forward).
 */
public final class NodeOnlyMembers {
    public static final String PREFIX = "__dynalog";
    public static final String TOKEN_HEADER = "X-Dynalog-Node-Token";

    private NodeOnlyMembers() {}

    /** Removes the node-only members unless {@code presentedToken} is the cluster's {@code nodeToken}. */
    static void admit(ObjectNode body, String presentedToken, String nodeToken) {
        if (presentedToken != null && nodeToken != null && MessageDigest.isEqual(
                presentedToken.getBytes(StandardCharsets.UTF_8), nodeToken.getBytes(StandardCharsets.UTF_8))) {
            return;
        }
        List<String> nodeOnly = new ArrayList<>();
        body.fieldNames().forEachRemaining(name -> {
            if (name.startsWith(PREFIX)) nodeOnly.add(name);
        });
        body.remove(nodeOnly);
    }
}
