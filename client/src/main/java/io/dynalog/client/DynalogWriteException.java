package io.dynalog.client;

/**
 * A write the node refused or could not do: {@link #errorType} is DynamoDB's error name (for
 * example {@code ConditionalCheckFailedException}, {@code ValidationException},
 * {@code ResourceNotFoundException}), or {@code RequestTimeout} when no reply came before the
 * request's deadline (its outcome is then unknown; sending it again with the same token is safe
 * within the idempotency window).
 */
public final class DynalogWriteException extends RuntimeException {
    /** The error type of a request that got no reply before its deadline. */
    public static final String REQUEST_TIMEOUT = "RequestTimeout";

    private final String errorType;
    private final String requestToken;

    public DynalogWriteException(String requestToken, String errorType, String message) {
        super(errorType + ": " + message);
        this.errorType = errorType;
        this.requestToken = requestToken;
    }

    public String errorType() {
        return errorType;
    }

    public String requestToken() {
        return requestToken;
    }
}
