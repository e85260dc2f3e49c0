package io.dynalog.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.json.Json;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DynamoDB API request, from its first byte to its response.
 *
 * <pre>
 *  event loop:  receive body (bounded) -> read X-Amz-Target, Content-Type -> hand to worker
 *  worker:      authenticate -> parse JSON -> Operation.handle
 *  worker:      (when the future completes) encode body, CRC32
 *  event loop:  write status and headers and body
 * </pre>
 * except for a {@link Operation#nonBlocking} operation's request of at most
 * {@link #INLINE_MAX_REQUEST_BYTES}, whose every step runs on the event loop (an answer completed
 * on another thread, a replicated write's, is encoded on that thread): a worker hand-off and the
 * hop back cost a small call more than parsing and encoding it (a profile of GetItem and PutItem
 * under load on a 2-core machine put most of the CPU in futex wake-ups and context switches).
 *
 * <p>Invariants: every path that does not lose the connection ends in exactly one response
 * ({@link #respond} is called once); every failure, thrown or completed, whatever its type, is
 * turned into an error response; nothing blocking runs on the event loop, and nothing
 * proportional to the body size except copying it as it arrives and the work of an inline call
 * (bounded by {@link #INLINE_MAX_REQUEST_BYTES} in, by DynamoDB's item size limit out).
 */
final class ApiCall {

    private static final Logger log = LoggerFactory.getLogger(ApiCall.class);

    static final String AMZ_JSON = "application/x-amz-json-1.0";
    static final CharSequence REQUEST_ID_HEADER = HttpHeaders.createOptimized("x-amzn-RequestId");
    static final CharSequence CRC32_HEADER = HttpHeaders.createOptimized("x-amz-crc32");
    private static final CharSequence AMZ_JSON_VALUE = HttpHeaders.createOptimized(AMZ_JSON);
    static final String INTERNAL_ERROR_MESSAGE = "Internal server error";
    /** The largest request of a {@link Operation#nonBlocking} operation handled on the event loop. */
    static final int INLINE_MAX_REQUEST_BYTES = 64 * 1024;

    private final HttpServerRequest request;
    private final Context context;
    private final Executor worker;
    private final Map<String, Operation> operations;
    private final RequestAuthenticator authenticator;
    private final int maxRequestBytes;
    private final String requestId;

    private Buffer body;
    private boolean rejected;
    private String operationName = "?";
    /** Handled on the event loop from start to end (see the class comment). */
    private boolean inline;

    private final String nodeToken;

    ApiCall(HttpServerRequest request, Context context, Executor worker, Map<String, Operation> operations,
            RequestAuthenticator authenticator, String nodeToken, int maxRequestBytes, String requestId) {
        this.nodeToken = nodeToken;
        this.request = request;
        this.context = context;
        this.worker = worker;
        this.operations = operations;
        this.authenticator = authenticator;
        this.maxRequestBytes = maxRequestBytes;
        this.requestId = requestId;
    }

    /** Starts receiving the body. On the event loop. */
    void start() {
        long declaredLength = declaredContentLength();
        if (declaredLength > maxRequestBytes) {
            rejectTooLarge(declaredLength);
            return;
        }
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            request.response().writeContinue();
        }
        body = Buffer.buffer(declaredLength > 0 ? (int) declaredLength : 1024);
        request.handler(this::onChunk);
        request.endHandler(v -> onEnd());
        request.exceptionHandler(e -> log.debug("Request {}: connection failed while receiving: {}", requestId, e.toString()));
    }

    private void onChunk(Buffer chunk) {
        if (rejected) return;
        if ((long) body.length() + chunk.length() > maxRequestBytes) {
            rejectTooLarge((long) body.length() + chunk.length());
            return;
        }
        body.appendBuffer(chunk);
    }

    private void onEnd() {
        if (rejected) return;
        try {
            operationName = Target.operationName(request.getHeader(Target.HEADER));
            Operation operation = operations.get(operationName);
            if (operation == null) throw ApiException.unknownOperation(Target.UNKNOWN_OPERATION);
            checkContentType(request.getHeader(HttpHeaders.CONTENT_TYPE));
            if (operation.nonBlocking() && body.length() <= INLINE_MAX_REQUEST_BYTES) {
                inline = true;
                invoke(operation);
            } else {
                worker.execute(() -> invoke(operation));
            }
        } catch (RejectedExecutionException e) {
            respond(EncodedResponse.error(ApiException.serviceUnavailable(
                    "The server is overloaded; retry the request")));
        } catch (Throwable t) {
            respond(encodeFailure(t));
        }
    }

    /** On a worker, or on the event loop when {@link #inline}. */
    private void invoke(Operation operation) {
        CompletableFuture<ObjectNode> result;
        try {
            byte[] bytes = body.getBytes();
            // Signatures are not verified yet; RequestAuthenticator.acceptAll() is the default.
            authenticator.authenticate(request.method().name(), request.uri(), request.headers(), bytes);
            ObjectNode parsed = Json.parseObject(bytes);
            body = null;
            NodeOnlyMembers.admit(parsed, request.getHeader(NodeOnlyMembers.TOKEN_HEADER), nodeToken);
            result = operation.handle(parsed);
            if (result == null) throw new IllegalStateException("operation returned no future");
        } catch (Throwable t) {
            respondOnContext(encodeFailure(t));
            return;
        }
        if (result.isDone()) {
            complete(result);
        } else {
            result.whenComplete((r, t) -> {
                // Encoding stays off the event loops, but for an inline call's; any other thread
                // that completes an operation (a write's completion, a page read) encodes its answer itself.
                if (inline || !Context.isOnEventLoopThread()) {
                    complete(result);
                    return;
                }
                try {
                    worker.execute(() -> complete(result));
                } catch (RejectedExecutionException e) {
                    complete(result);
                }
            });
        }
    }

    /** Off the event loop, once the operation's future is done. */
    private void complete(CompletableFuture<ObjectNode> result) {
        EncodedResponse response;
        try {
            ObjectNode value = result.join();
            if (value == null) throw new IllegalStateException("operation completed with no response");
            response = EncodedResponse.success(value);
        } catch (Throwable t) {
            response = encodeFailure(t);
        }
        respondOnContext(response);
    }

    private EncodedResponse encodeFailure(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof ApiException api) {
            return EncodedResponse.error(api);
        }
        log.error("Request {} ({}) failed with an internal error", requestId, operationName, cause);
        return EncodedResponse.error(ApiException.internalServerError(INTERNAL_ERROR_MESSAGE));
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private void respondOnContext(EncodedResponse response) {
        if (Vertx.currentContext() == context) {
            respond(response);
        } else {
            context.runOnContext(v -> respond(response));
        }
    }

    /** On the event loop. */
    private void respond(EncodedResponse encoded) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) return;
        response.setStatusCode(encoded.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, AMZ_JSON_VALUE)
                .putHeader(REQUEST_ID_HEADER, requestId)
                .putHeader(CRC32_HEADER, Long.toString(encoded.crc32()))
                .end(Buffer.buffer(encoded.body()))
                .onFailure(e -> log.debug("Request {}: response not delivered: {}", requestId, e.toString()));
    }

    /**
     * Answers a request whose body is over the limit without reading the rest of it, then closes
     * the connection: the unread remainder would otherwise be taken for the next request.
     */
    private void rejectTooLarge(long atLeastBytes) {
        rejected = true;
        body = null;
        request.pause();
        ApiException error = ApiException.validation("Request size of at least " + atLeastBytes
                + " bytes exceeds the limit of " + maxRequestBytes + " bytes");
        EncodedResponse encoded = EncodedResponse.error(error);
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) return;
        response.setStatusCode(encoded.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, AMZ_JSON_VALUE)
                .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
                .putHeader(REQUEST_ID_HEADER, requestId)
                .putHeader(CRC32_HEADER, Long.toString(encoded.crc32()))
                .end(Buffer.buffer(encoded.body()))
                .onComplete(ar -> request.connection().close());
    }

    private long declaredContentLength() {
        String header = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (header == null) return -1;
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1; // the HTTP codec has already refused a malformed length
        }
    }

    /** DynamoDB's content type; {@code application/json} and none at all are accepted too. */
    static void checkContentType(String contentType) {
        if (contentType == null) return;
        int end = contentType.indexOf(';');
        String mediaType = (end < 0 ? contentType : contentType.substring(0, end)).trim();
        if (mediaType.isEmpty() || mediaType.equalsIgnoreCase(AMZ_JSON) || mediaType.equalsIgnoreCase("application/json")) {
            return;
        }
        throw ApiException.serialization("Unsupported Content-Type '" + contentType + "': DynamoDB requests are "
                + AMZ_JSON);
    }
}
