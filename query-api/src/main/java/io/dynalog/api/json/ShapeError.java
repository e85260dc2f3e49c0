package io.dynalog.api.json;

import io.dynalog.api.ApiException;
import java.util.ArrayDeque;

/**
 * A JSON shape error found deep inside a value, on its way up to the entry point that knows the
 * parameter name. Each level it passes adds its segment of the path, so the hot path builds no
 * path at all; only an error pays for one. Never escapes this package: entry points turn it into
 * a SerializationException naming the location.
 */
final class ShapeError extends RuntimeException {

    private final ArrayDeque<String> path = new ArrayDeque<>();

    ShapeError(String problem) {
        super(problem, null, false, false);
    }

    /** Prepends a path segment: a member name, or {@code [i]} for a list index. */
    ShapeError within(String segment) {
        path.addFirst(segment);
        return this;
    }

    ShapeError within(int index) {
        return within("[" + index + "]");
    }

    ApiException toApiException(String root) {
        StringBuilder location = new StringBuilder(root);
        for (String segment : path) {
            if (!segment.startsWith("[") && location.length() > 0) location.append('.');
            location.append(segment);
        }
        return ApiException.serialization(getMessage() + " (at '" + location + "')");
    }
}
