package io.dynalog.ingest.intake;

import io.dynalog.topology.request.WriteReply;
import io.dynalog.topology.request.WriteRequest;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one write command from the request topic (wired in by the node: the query API runs it as
 * the HTTP API runs the same request, so validation and error types are the same).
 *
 * <p>Failures are values: the returned future completes with the reply, a
 * {@link WriteReply.Failure} carrying DynamoDB's error type for anything that went wrong, and
 * never exceptionally. The request's token travels with each of its writes to the partition
 * leader, so running a request again within the idempotency window takes effect once.
 */
@FunctionalInterface
public interface CommandExecutor {
    CompletableFuture<WriteReply> execute(WriteRequest request);
}
