package io.dynalog.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;

/**
 * One DynamoDB operation (PutItem, Query, ...), registered with {@link DynamoHttpServer} under its
 * name as it appears in {@code X-Amz-Target}.
 *
 * <p>{@link #handle} is called on a worker thread, so it may block briefly (a RocksDB read); long
 * waits (a write being replicated) belong in the returned future. An operation marked
 * {@link #nonBlocking} is called on the event loop that received a small request of it instead. The
 * future completes with the response body, or exceptionally with an
 * {@link io.dynalog.api.ApiException} for an error the client caused or should see; any other
 * exception, thrown or completed, is answered as InternalServerError and logged. The future must
 * complete: the server does not time requests out (clients do). Response nodes may
 * hold streamed items ({@link io.dynalog.api.json.AttributeValues#itemNode}) and must not be
 * modified after the future completes.
 */
@FunctionalInterface
public interface Operation {

    CompletableFuture<ObjectNode> handle(ObjectNode request);

    /**
     * True when {@link #handle} never blocks and costs about what a point read or write costs
     * (a RocksDB get, a hand-off to the replication loop, a forward): a request of it up to
     * {@link ApiCall#INLINE_MAX_REQUEST_BYTES} is parsed, handled and answered on the event loop
     * that received it, which saves two thread hand-offs per call, the largest cost of a small
     * call on a loaded node (see {@link ApiCall}).
     */
    default boolean nonBlocking() {
        return false;
    }

    /** {@code handler}, marked {@link #nonBlocking}: it must never block. */
    static Operation nonBlocking(Operation handler) {
        return new Operation() {
            @Override
            public CompletableFuture<ObjectNode> handle(ObjectNode request) {
                return handler.handle(request);
            }

            @Override
            public boolean nonBlocking() {
                return true;
            }
        };
    }
}
