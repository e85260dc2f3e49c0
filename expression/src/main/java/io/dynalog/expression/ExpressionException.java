package io.dynalog.expression;

/**
 * A client error in an expression or in its ExpressionAttributeNames / ExpressionAttributeValues.
 *
 * <p>The message is DynamoDB's own wording, ready to be returned to the client as the message of a
 * {@code ValidationException} (the HTTP layer does that mapping once). Messages about one expression
 * start with {@code "Invalid <ExpressionKind>: "}; request-level ones (unused placeholders, key
 * condition rules) are DynamoDB's bare sentences.
 */
public final class ExpressionException extends RuntimeException {

    public ExpressionException(String message) {
        super(message);
    }
}
