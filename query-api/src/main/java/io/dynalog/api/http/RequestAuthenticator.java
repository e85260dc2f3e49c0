package io.dynalog.api.http;

import io.vertx.core.MultiMap;

/**
 * Decides whether a request may be served: the one place where a SigV4 signature check belongs.
 *
 * <p>Called once per API request after the whole body has arrived and before it is parsed, on a
 * worker thread; it may only read what it is given. To refuse, throw an
 * {@link io.dynalog.api.ApiException} (MissingAuthenticationTokenException, AccessDeniedException,
 * ...), which is sent to the client as is.
 */
@FunctionalInterface
public interface RequestAuthenticator {

    /**
     * @param method the HTTP method
     * @param uri the request URI (path and query), as signed by the client
     * @param headers the request headers (read-only)
     * @param body the exact request body bytes (read-only)
     */
    void authenticate(String method, String uri, MultiMap headers, byte[] body);

    /**
     * Accepts every request, signed or not, whatever the credentials: what Dynalog does until it
     * verifies signatures. Clients still sign (SDKs always do); the signature is not checked.
     */
    static RequestAuthenticator acceptAll() {
        return (method, uri, headers, body) -> { };
    }
}
