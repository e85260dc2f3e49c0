package io.dynalog.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;

/**
 * One DynamoDB operation (PutItem, Query, ...), registered with {@link DynamoHttpServer} under its
 * name as it appears in {@code X-Amz-Target}.
 *
 * <p>{@link #handle} is called on a worker thread, never on an event loop, so it may block briefly
 * (a RocksDB read); long waits (a write being replicated) belong in the returned future. The
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
}
