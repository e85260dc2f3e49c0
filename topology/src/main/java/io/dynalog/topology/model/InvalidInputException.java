package io.dynalog.topology.model;

/**
 * A request, or a value in it, that DynamoDB would reject as invalid. The message is DynamoDB's
 * own wording, returned to the client as is; the HTTP layer maps this exception to a
 * {@code ValidationException}.
 *
 * <p>It reports a client error, not a fault of the server, so it records no stack trace: that
 * keeps rejecting bad requests cheap.
 */
public final class InvalidInputException extends RuntimeException {

    public InvalidInputException(String message) {
        super(message, null, false, false);
    }
}
