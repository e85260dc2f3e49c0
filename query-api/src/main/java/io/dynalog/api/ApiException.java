package io.dynalog.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A DynamoDB error to be sent to the client: an {@link ErrorType}, the message the client reads,
 * and optionally extra top-level fields of the error body (ConditionalCheckFailedException's
 * {@code Item}, TransactionCanceledException's {@code CancellationReasons}).
 *
 * <p>This is control flow, not a fault: it carries no stack trace and is cheap to throw. Anything
 * that is not an {@code ApiException} reaching the HTTP layer is a bug and is answered with
 * InternalServerError. The extra fields are owned by the exception once it is created and must
 * not be modified afterwards; they never contain {@code __type} or {@code message}.
 */
public final class ApiException extends RuntimeException {

    private final ErrorType type;
    private final ObjectNode extraFields;

    public ApiException(ErrorType type, String message) {
        this(type, message, null);
    }

    /**
     * @param extraFields fields written into the error body next to {@code __type} and
     *     {@code message}, or null for none
     */
    public ApiException(ErrorType type, String message, ObjectNode extraFields) {
        super(Objects.requireNonNull(message, "message"), null, false, false);
        this.type = Objects.requireNonNull(type, "type");
        if (extraFields != null && (extraFields.has("__type") || extraFields.has("message"))) {
            throw new IllegalArgumentException("extra fields may not override __type or message");
        }
        this.extraFields = extraFields;
    }

    public ErrorType type() {
        return type;
    }

    /** Extra fields of the error body, or null when there are none. */
    public ObjectNode extraFields() {
        return extraFields;
    }

    @Override
    public String toString() {
        return type.name() + ": " + getMessage();
    }

    public static ApiException validation(String message) {
        return new ApiException(ErrorType.ValidationException, message);
    }

    public static ApiException serialization(String message) {
        return new ApiException(ErrorType.SerializationException, message);
    }

    public static ApiException unknownOperation(String message) {
        return new ApiException(ErrorType.UnknownOperationException, message);
    }

    public static ApiException resourceNotFound(String message) {
        return new ApiException(ErrorType.ResourceNotFoundException, message);
    }

    public static ApiException resourceInUse(String message) {
        return new ApiException(ErrorType.ResourceInUseException, message);
    }

    public static ApiException conditionalCheckFailed(String message) {
        return new ApiException(ErrorType.ConditionalCheckFailedException, message);
    }

    /**
     * A failed condition that returns the item as it was (ReturnValuesOnConditionCheckFailure =
     * ALL_OLD); {@code item} is the item in DynamoDB JSON, or null when there is none to return.
     */
    public static ApiException conditionalCheckFailed(String message, JsonNode item) {
        return new ApiException(ErrorType.ConditionalCheckFailedException, message, item == null ? null : with("Item", item));
    }

    /** {@code cancellationReasons} is the {@code CancellationReasons} array, one entry per action. */
    public static ApiException transactionCanceled(String message, JsonNode cancellationReasons) {
        return new ApiException(ErrorType.TransactionCanceledException, message,
                cancellationReasons == null ? null : with("CancellationReasons", cancellationReasons));
    }

    public static ApiException provisionedThroughputExceeded(String message) {
        return new ApiException(ErrorType.ProvisionedThroughputExceededException, message);
    }

    public static ApiException throttling(String message) {
        return new ApiException(ErrorType.ThrottlingException, message);
    }

    public static ApiException limitExceeded(String message) {
        return new ApiException(ErrorType.LimitExceededException, message);
    }

    public static ApiException itemCollectionSizeLimitExceeded(String message) {
        return new ApiException(ErrorType.ItemCollectionSizeLimitExceededException, message);
    }

    public static ApiException trimmedDataAccess(String message) {
        return new ApiException(ErrorType.TrimmedDataAccessException, message);
    }

    public static ApiException requestLimitExceeded(String message) {
        return new ApiException(ErrorType.RequestLimitExceeded, message);
    }

    public static ApiException accessDenied(String message) {
        return new ApiException(ErrorType.AccessDeniedException, message);
    }

    public static ApiException missingAuthenticationToken(String message) {
        return new ApiException(ErrorType.MissingAuthenticationTokenException, message);
    }

    public static ApiException internalServerError(String message) {
        return new ApiException(ErrorType.InternalServerError, message);
    }

    public static ApiException serviceUnavailable(String message) {
        return new ApiException(ErrorType.ServiceUnavailable, message);
    }

    private static ObjectNode with(String field, JsonNode value) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.set(field, value);
        return node;
    }
}
