package io.dynalog.api.http;

import io.dynalog.api.ApiException;

/**
 * Reads the operation name from {@code X-Amz-Target: DynamoDB_20120810.<Operation>}.
 */
final class Target {

    static final String HEADER = "X-Amz-Target";
    static final String PREFIX = "DynamoDB_20120810.";
    static final String UNKNOWN_OPERATION = "An unknown operation was requested.";

    private Target() {}

    /**
     * @return the operation name
     * @throws ApiException UnknownOperationException when the header is missing or not DynamoDB's
     */
    static String operationName(String header) {
        if (header == null || header.length() <= PREFIX.length() || !header.startsWith(PREFIX)) {
            throw ApiException.unknownOperation(UNKNOWN_OPERATION);
        }
        return header.substring(PREFIX.length());
    }
}
