package io.dynalog.api;

/**
 * The DynamoDB error types Dynalog returns, with the HTTP status each is sent with and whether the
 * AWS SDKs retry it.
 *
 * <p>Constants are named exactly as DynamoDB names the error: the name is the wire identifier
 * (the part of {@code __type} after {@code #}, which is what every SDK maps to its exception
 * class), so it must never be renamed. The namespace before {@code #} is the one DynamoDB itself
 * uses: Coral's service and validation frameworks raise the protocol-level errors, the DynamoDB
 * service model raises the rest. SDKs only look at the part after {@code #}.
 *
 * <p>{@link #retryableBySdk()} records what the AWS SDK's default retry policy does with the
 * error (throttling codes and 5xx statuses are retried, everything else is not). It is a
 * statement about clients, useful for choosing which error to raise: an error the SDK retries
 * must be safe to retry.
 */
public enum ErrorType {
    ValidationException(Namespace.CORAL_VALIDATE, 400, false),
    SerializationException(Namespace.CORAL_SERVICE, 400, false),
    UnknownOperationException(Namespace.CORAL_SERVICE, 400, false),
    ResourceNotFoundException(Namespace.DYNAMODB, 400, false),
    ResourceInUseException(Namespace.DYNAMODB, 400, false),
    ConditionalCheckFailedException(Namespace.DYNAMODB, 400, false),
    TransactionCanceledException(Namespace.DYNAMODB, 400, false),
    ProvisionedThroughputExceededException(Namespace.DYNAMODB, 400, true),
    ThrottlingException(Namespace.DYNAMODB, 400, true),
    LimitExceededException(Namespace.DYNAMODB, 400, false),
    ItemCollectionSizeLimitExceededException(Namespace.DYNAMODB, 400, false),
    RequestLimitExceeded(Namespace.DYNAMODB, 400, true),
    AccessDeniedException(Namespace.CORAL_SERVICE, 400, false),
    MissingAuthenticationTokenException(Namespace.CORAL_SERVICE, 400, false),
    InternalServerError(Namespace.DYNAMODB, 500, true),
    ServiceUnavailable(Namespace.DYNAMODB, 503, true);

    /** The namespaces DynamoDB puts before {@code #} in {@code __type}. */
    private static final class Namespace {
        static final String DYNAMODB = "com.amazonaws.dynamodb.v20120810";
        static final String CORAL_SERVICE = "com.amazon.coral.service";
        static final String CORAL_VALIDATE = "com.amazon.coral.validate";
    }

    private final String typeName;
    private final int httpStatus;
    private final boolean retryableBySdk;

    ErrorType(String namespace, int httpStatus, boolean retryableBySdk) {
        this.typeName = namespace + "#" + name();
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
