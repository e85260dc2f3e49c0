package io.dynalog.api.ops;

import io.dynalog.api.ApiException;
import io.dynalog.expression.ExpressionException;
import io.dynalog.api.json.AttributeValues;
import io.dynalog.ingest.CatalogConflictException;
import io.dynalog.ingest.CollectionSizeLimitException;
import io.dynalog.ingest.ConditionFailedException;
import io.dynalog.ingest.IngestException;
import io.dynalog.topology.model.InvalidInputException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place where failures of the modules behind the API become DynamoDB errors.
 *
 * <p>Client errors keep their message; failures that are not the client's become the retryable
 * errors DynamoDB uses (the SDKs retry InternalServerError and ServiceUnavailable), so a client
 * never sees an internal exception.
 */
public final class Failures {
    private Failures() {}

    /**
     * The operation, with every failure it ends in (thrown or completed with) mapped here; as
     * {@link io.dynalog.api.http.Operation#nonBlocking} as {@code op} is.
     */
    public static io.dynalog.api.http.Operation guarded(io.dynalog.api.http.Operation op) {
        io.dynalog.api.http.Operation guarded = request -> {
            try {
                return op.handle(request).exceptionallyCompose(e -> java.util.concurrent.CompletableFuture.failedFuture(toApi(e)));
            } catch (RuntimeException e) {
                return java.util.concurrent.CompletableFuture.failedFuture(toApi(e));
            }
        };
        return op.nonBlocking() ? io.dynalog.api.http.Operation.nonBlocking(guarded) : guarded;
    }

    static Throwable toApi(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof ApiException) return cause;
        if (cause instanceof InvalidInputException || cause instanceof ExpressionException) {
            return ApiException.validation(cause.getMessage());
        }
        if (cause instanceof ConditionFailedException f) {
            return f.item() == null ? ApiException.conditionalCheckFailed(f.getMessage())
                    : ApiException.conditionalCheckFailed(f.getMessage(), AttributeValues.toJson(f.item()));
        }
        if (cause instanceof CollectionSizeLimitException c) return ApiException.itemCollectionSizeLimitExceeded(c.getMessage());
        if (cause instanceof io.dynalog.ingest.RequestTokenMismatchException m) {
            return new ApiException(io.dynalog.api.ErrorType.IdempotentParameterMismatchException, m.getMessage());
        }
        if (cause instanceof CatalogConflictException c) {
            return switch (c.kind()) {
                case ALREADY_EXISTS, IN_USE -> ApiException.resourceInUse(c.getMessage());
                case NOT_FOUND -> ApiException.resourceNotFound(c.getMessage());
            };
        }
        if (cause instanceof IngestException i) {
            return switch (i.reason()) {
                case OUTCOME_UNKNOWN -> ApiException.internalServerError(
                        "Internal server error: the write's outcome is unknown; it may have been applied");
                case LEADER_UNAVAILABLE, NOT_LEADER, CLOSED -> ApiException.serviceUnavailable(
                        "The partition is not available right now: " + i.getMessage());
                case OVERLOADED -> ApiException.throttling("Too many writes are waiting for this partition; retry with backoff");
            };
        }
        return cause;
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
