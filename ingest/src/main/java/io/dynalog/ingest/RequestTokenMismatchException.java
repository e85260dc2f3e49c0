package io.dynalog.ingest;

/**
 * A write whose client request token was already used, within the idempotency window, by a write
 * to another item: DynamoDB's IdempotentParameterMismatchException. Nothing was written.
 */
public final class RequestTokenMismatchException extends RuntimeException {
    public RequestTokenMismatchException(String message) {
        super(message, null, false, false);
    }
}
