package io.dynalog.api;

/**
 * The DynamoDB error types Dynalog returns, with the HTTP status each is sent with and whether the
 * AWS SDKs retry it.
 *
 * <p>Constants are named exactly as DynamoDB names the error: the name is the wire identifier
 * (the part of {@code __type} after {@code #}, which is what every SDK maps to its exception
 * class), so it must never be renamed. Every type is sent in DynamoDB's service namespace
 * ({@code com.amazonaws.dynamodb.v20120810#}), as the project's protocol contract says; the live
 * service sends a few protocol-level errors under Coral's namespaces instead
 * ({@code com.amazon.coral.validate#ValidationException}), which the SDKs treat the same, since
 * they only look at the part after {@code #}.
 *
 * <p>{@link #retryableBySdk()} records what the AWS SDK's default retry policy does with the
 * error (throttling codes and 5xx statuses are retried, everything else is not). It is a
 * statement about clients, useful for choosing which error to raise: an error the SDK retries
 * must be safe to retry.
 */
public enum ErrorType {
    ValidationException(400, false),
    SerializationException(400, false),
    UnknownOperationException(400, false),
    ResourceNotFoundException(400, false),
    ResourceInUseException(400, false),
    ConditionalCheckFailedException(400, false),
    TransactionCanceledException(400, false),
    ProvisionedThroughputExceededException(400, true),
    ThrottlingException(400, true),
    LimitExceededException(400, false),
    ItemCollectionSizeLimitExceededException(400, false),
    TrimmedDataAccessException(400, false),
    IdempotentParameterMismatchException(400, false),
    RequestLimitExceeded(400, true),
    AccessDeniedException(400, false),
    MissingAuthenticationTokenException(400, false),
    InternalServerError(500, true),
    ServiceUnavailable(503, true);

    private static final String NAMESPACE = "com.amazonaws.dynamodb.v20120810";

    private final String typeName;
    private final int httpStatus;
    private final boolean retryableBySdk;

    ErrorType(int httpStatus, boolean retryableBySdk) {
        this.typeName = NAMESPACE + "#" + name();
        this.httpStatus = httpStatus;
        this.retryableBySdk = retryableBySdk;
    }

    /** The value of {@code __type} in the error body, e.g. {@code com.amazonaws.dynamodb.v20120810#ResourceNotFoundException}. */
    public String typeName() {
        return typeName;
    }

    /** The HTTP status the error is sent with. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Whether the AWS SDKs' default retry policy retries this error. */
    public boolean retryableBySdk() {
        return retryableBySdk;
    }
}
