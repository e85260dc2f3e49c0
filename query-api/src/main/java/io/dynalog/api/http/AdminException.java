package io.dynalog.api.http;

/**
 * An operator action refused, with the HTTP status to answer and a message that says why (for
 * example 400 for a request that names no node, 409 for a node that cannot be removed while it is
 * alive).
 */
public final class AdminException extends RuntimeException {
    private final int status;

    public AdminException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
