package io.dynalog.api.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DynamoDB JSON 1.0 endpoint: an HTTP server that routes {@code POST} requests to the
 * {@link Operation} named by {@code X-Amz-Target} and answers as DynamoDB does.
 *
 * <ul>
 *   <li>{@code POST} (any path): a DynamoDB API call, see {@link ApiCall}. Responses carry
 *       {@code Content-Type: application/x-amz-json-1.0}, {@code x-amzn-RequestId} and
 *       {@code x-amz-crc32}; errors are {@code {"__type": ..., "message": ...}} with the error
 *       type's status.</li>
 *   <li>{@code GET /} (and {@code HEAD /}): {@code 200 healthy: dynalog}, for load balancers.</li>
 *   <li>{@code GET} of an admin path (the node's status, say): its JSON, or {@code 500} with what
 *       failed.</li>
 *   <li>Anything else: {@code 404} for other paths, {@code 405} for other methods.</li>
 * </ul>
 *
 * <p>Requests are accepted without checking signatures; {@link Settings#authenticator()} is where
 * that check plugs in. Operations run on workers ({@link Settings#executor()}, Vert.x's worker
 * pool by default), never on the event loop. Every failure of a request is answered; none stops
 * the server.
 *
 * <p>Life cycle: {@code NEW -> STARTING -> STARTED -> CLOSED} ({@code STARTING -> CLOSED} when
 * binding fails); {@link #start()} may be called once, {@link #close()} any number of times.
 * Several instances may share a port (one per event loop): Vert.x spreads connections across them.
 */
public final class DynamoHttpServer {

    private static final Logger log = LoggerFactory.getLogger(DynamoHttpServer.class);

    /** DynamoDB's largest request is 16 MiB (BatchWriteItem); JSON framing gets some room on top. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024 + 256 * 1024;

    static final String HEALTHY = "healthy: dynalog";

    /**
     * How the server runs.
     *
     * @param host the address to bind
     * @param port the port to bind, 0 for any free port
     * @param maxRequestBytes the largest request body accepted
     * @param executor where operations run and responses are encoded, or null for Vert.x's worker pool
     * @param authenticator decides whether a request may be served
     * @param nodeToken what a request must carry to set node-only members ({@link NodeOnlyMembers}); null: none may
     */
    public record Settings(String host, int port, int maxRequestBytes, Executor executor,
                           RequestAuthenticator authenticator, String nodeToken) {
        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(authenticator, "authenticator");
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port);
            if (maxRequestBytes < 1) throw new IllegalArgumentException("maxRequestBytes " + maxRequestBytes);
        }

        /** All interfaces, the given port, the default limit, Vert.x's worker pool, no signature check. */
        public static Settings defaults(int port) {
            return new Settings("0.0.0.0", port, DEFAULT_MAX_REQUEST_BYTES, null, RequestAuthenticator.acceptAll(), null);
        }

        public Settings withHost(String newHost) {
            return new Settings(newHost, port, maxRequestBytes, executor, authenticator, nodeToken);
        }

        public Settings withMaxRequestBytes(int newMaxRequestBytes) {
            return new Settings(host, port, newMaxRequestBytes, executor, authenticator, nodeToken);
        }

        public Settings withExecutor(Executor newExecutor) {
            return new Settings(host, port, maxRequestBytes, newExecutor, authenticator, nodeToken);
        }

        public Settings withNodeToken(String newNodeToken) {
            return new Settings(host, port, maxRequestBytes, executor, authenticator, newNodeToken);
        }

        public Settings withAuthenticator(RequestAuthenticator newAuthenticator) {
            return new Settings(host, port, maxRequestBytes, executor, newAuthenticator, nodeToken);
        }
    }

    private enum State { NEW, STARTING, STARTED, CLOSED }

    private final Vertx vertx;
    private final Settings settings;
    private final Map<String, Operation> operations;
    private final Map<String, Supplier<CompletableFuture<String>>> adminRoutes;
    private final Map<String, Function<String, CompletableFuture<String>>> adminActions;
    private final Supplier<String> requestIds = new RequestIds();
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private volatile HttpServer server;

    /** A server on all interfaces with default settings. */
    public DynamoHttpServer(Vertx vertx, int port, Map<String, Operation> operations) {
        this(vertx, Settings.defaults(port), operations);
    }

    /**
     * @param operations operations by name ({@code PutItem}, ...); copied
     */
    public DynamoHttpServer(Vertx vertx, Settings settings, Map<String, Operation> operations) {
        this(vertx, settings, operations, Map.of());
    }

    /**
     * @param operations  operations by name ({@code PutItem}, ...); copied
     * @param adminRoutes JSON documents served on {@code GET}, by path; copied
     */
    public DynamoHttpServer(Vertx vertx, Settings settings, Map<String, Operation> operations,
                            Map<String, Supplier<CompletableFuture<String>>> adminRoutes) {
        this(vertx, settings, operations, adminRoutes, Map.of());
    }

    /**
     * @param operations   operations by name ({@code PutItem}, ...); copied
     * @param adminRoutes  JSON documents served on {@code GET}, by path; copied
     * @param adminActions operator actions on {@code POST}, by path: each is given the request's
     *                     body and completes with a JSON document, or fails with an
     *                     {@link AdminException} (its status and message are the answer); copied
     */
    public DynamoHttpServer(Vertx vertx, Settings settings, Map<String, Operation> operations,
                            Map<String, Supplier<CompletableFuture<String>>> adminRoutes,
                            Map<String, Function<String, CompletableFuture<String>>> adminActions) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.operations = Map.copyOf(operations);
        this.adminRoutes = Map.copyOf(adminRoutes);
        this.adminActions = Map.copyOf(adminActions);
    }

    /**
     * Binds the port and starts serving.
     *
     * @return the bound port (the chosen one when the settings say 0)
     * @throws IllegalStateException when called more than once
     */
    public CompletableFuture<Integer> start() {
        if (!state.compareAndSet(State.NEW, State.STARTING)) {
            throw new IllegalStateException("start() called in state " + state.get());
        }
        HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                // DynamoDB speaks HTTP/1.1; without h2c every request is on HTTP/1.x, which
                // rejecting an oversized body by closing the connection relies on.
                .setHttp2ClearTextEnabled(false);
        HttpServer created = vertx.createHttpServer(options)
                .requestHandler(this::route)
                .exceptionHandler(e -> log.debug("Connection error: {}", e.toString()));
        server = created;
        return created.listen()
                .toCompletionStage()
                .toCompletableFuture()
                .handle((bound, failure) -> {
                    if (failure != null) {
                        state.set(State.CLOSED);
                        throw new IllegalStateException("cannot listen on " + settings.host() + ":" + settings.port(), failure);
                    }
                    if (!state.compareAndSet(State.STARTING, State.STARTED)) {
                        created.close(); // closed while binding
                        throw new IllegalStateException("closed while starting");
                    }
                    log.info("DynamoDB API listening on {}:{}", settings.host(), bound.actualPort());
                    return bound.actualPort();
                });
    }

    /** The bound port; only meaningful once {@link #start()} has completed. */
    public int port() {
        HttpServer current = server;
        return current == null ? -1 : current.actualPort();
    }

    /** Stops listening and closes open connections. Idempotent. */
    public CompletableFuture<Void> close() {
        State previous = state.getAndSet(State.CLOSED);
        HttpServer current = server;
        if (previous == State.CLOSED || current == null) {
            return CompletableFuture.completedFuture(null);
        }
        return current.close().toCompletionStage().toCompletableFuture();
    }

    /** On the event loop. Never throws: whatever fails is answered. */
    private void route(HttpServerRequest request) {
        try {
            HttpMethod method = request.method();
            Function<String, CompletableFuture<String>> action = method == HttpMethod.POST ? adminActions.get(request.path()) : null;
            if (action != null) {
                adminAction(request, action);
            } else if (method == HttpMethod.POST) {
                Context context = vertx.getOrCreateContext();
                new ApiCall(request, context, workerFor(context), operations, settings.authenticator(),
                        settings.nodeToken(), settings.maxRequestBytes(), requestIds.get()).start();
            } else if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
                Supplier<CompletableFuture<String>> admin = adminRoutes.get(request.path());
                if ("/".equals(request.path())) {
                    plain(request, 200, HEALTHY);
                } else if (admin != null) {
                    admin(request, admin);
                } else {
                    plain(request, 404, "Not Found");
                }
            } else {
                request.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD, POST");
                plain(request, 405, "Method Not Allowed");
            }
        } catch (RuntimeException e) {
            log.error("Unexpected failure routing {} {}", request.method(), request.uri(), e);
            if (!request.response().ended() && !request.response().closed()) {
                request.response().setStatusCode(500).end().onFailure(ignored -> { });
            }
        }
    }

    private Executor workerFor(Context context) {
        Executor executor = settings.executor();
        if (executor != null) return executor;
        return task -> context.executeBlocking(() -> {
            task.run();
            return null;
        }, false);
    }

    /** Reads an operator action's body (at most the request size limit: a larger one is refused as it arrives) and runs it. */
    private void adminAction(HttpServerRequest request, Function<String, CompletableFuture<String>> action) {
        int limit = settings.maxRequestBytes();
        io.vertx.core.buffer.Buffer body = io.vertx.core.buffer.Buffer.buffer();
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) return;
            if (body.length() + chunk.length() > limit) {
                refused[0] = true;
                plain(request, 413, "the request is larger than " + limit + " bytes");
                request.connection().close();
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(e -> log.debug("operator request not read: {}", e.toString()));
        request.endHandler(v -> {
            if (!refused[0]) admin(request, () -> action.apply(body.toString(java.nio.charset.StandardCharsets.UTF_8)));
        });
    }

    private static void admin(HttpServerRequest request, Supplier<CompletableFuture<String>> route) {
        CompletableFuture<String> document;
        try {
            document = route.get();
        } catch (RuntimeException e) {
            document = CompletableFuture.failedFuture(e);
        }
        document.whenComplete((json, error) -> {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof AdminException refused) {
                plain(request, refused.status(), refused.getMessage());
            } else if (error != null) {
                log.warn("{} failed", request.path(), error);
                plain(request, 500, "cannot serve " + request.path() + ": " + error);
            } else {
                request.response()
                        .setStatusCode(200)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(json)
                        .onFailure(e -> log.debug("Response not delivered: {}", e.toString()));
            }
        });
    }

    private static void plain(HttpServerRequest request, int status, String text) {
        request.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .end(text)
                .onFailure(e -> log.debug("Response not delivered: {}", e.toString()));
    }
}
