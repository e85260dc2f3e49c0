package io.dynalog.topology.wire;

/**
 * Bytes that are not a valid single-object message of the expected schema: a wrong marker, an
 * unknown schema fingerprint, a truncated or malformed body, or a body whose content the model
 * rejects. The message names what was found.
 */
public final class WireFormatException extends RuntimeException {

    public WireFormatException(String message) {
        super(message);
    }

    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
