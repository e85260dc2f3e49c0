package io.dynalog.api.http;

import io.dynalog.api.ApiException;

/**
 * Reads the operation name from {@code X-Amz-Target: DynamoDB_20120810.<Operation>}, or, for the
 * DynamoDB Streams API served on the same port, the whole target
 * ({@code DynamoDBStreams_20120810.<Operation>}), which is how those operations are registered.
 */
final class Target {

    static final String HEADER = "X-Amz-Target";
    static final String PREFIX = "DynamoDB_20120810.";
    static final String STREAMS_PREFIX = "DynamoDBStreams_20120810.";
    static final String UNKNOWN_OPERATION = "An unknown operation was requested.";

    private Target() {}

    /**
     * @return the operation name
     * @throws ApiException UnknownOperationException when the header is missing or not DynamoDB's
     */
    static String operationName(String header) {
        if (header != null && header.length() > STREAMS_PREFIX.length() && header.startsWith(STREAMS_PREFIX)) return header;
        if (header == null || header.length() <= PREFIX.length() || !header.startsWith(PREFIX)) {
            throw ApiException.unknownOperation(UNKNOWN_OPERATION);
        }
        return header.substring(PREFIX.length());
    }
}
