package io.dynalog.api.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynalog.api.ApiException;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects constraint violations of one request so that they are reported together, as DynamoDB
 * does: {@code 2 validation errors detected: Value 'x' at 'tableName' failed to satisfy
 * constraint: ...; Value '0' at 'limit' failed to satisfy constraint: ...}.
 *
 * <p>Paths are DynamoDB's: the member name with its first letter lower-cased, under the path of
 * the enclosing member ({@code keySchema.1.member.attributeName}). {@link #within} gives a view
 * that prefixes a path and records into the same collection. At most {@link #MAX_REPORTED}
 * violations are kept, as DynamoDB reports no more than that. Not thread-safe: one per request.
 */
public final class ValidationErrors {

    public static final int MAX_REPORTED = 10;

    private final List<String> violations;
    private final String pathPrefix;

    public ValidationErrors() {
        this(new ArrayList<>(2), "");
    }

    private ValidationErrors(List<String> violations, String pathPrefix) {
        this.violations = violations;
        this.pathPrefix = pathPrefix;
    }

    /**
     * A view recording into the same collection under a path, e.g. {@code within("keySchema.1.member")}.
     * The path is used as given.
     */
    public ValidationErrors within(String path) {
        return new ValidationErrors(violations, pathPrefix + path + ".");
    }

    /** The path DynamoDB names a request member by: {@code TableName} -> {@code tableName}, under this view's prefix. */
    public String pathOf(String member) {
        if (member.isEmpty()) return pathPrefix + member;
        return pathPrefix + Character.toLowerCase(member.charAt(0)) + member.substring(1);
    }

    /**
     * Records that the value of {@code member} (as the client sent it; null when absent) breaks
     * {@code constraint}, e.g. {@code "Member must not be null"}.
     */
    public void violation(String member, JsonNode value, String constraint) {
        violationAt(pathOf(member), render(value), constraint);
    }

    /** Records a violation for a value already reduced to text (null when absent) at a full path. */
    public void violationAt(String path, String valueText, String constraint) {
        if (violations.size() >= MAX_REPORTED) return;
        String value = valueText == null ? "null" : "'" + valueText + "'";
        violations.add("Value " + value + " at '" + path + "' failed to satisfy constraint: " + constraint);
    }

    public boolean isEmpty() {
        return violations.isEmpty();
    }

    public int size() {
        return violations.size();
    }

    /** DynamoDB's message for the violations so far; meaningless when there are none. */
    public String message() {
        int n = violations.size();
        return n + (n == 1 ? " validation error detected: " : " validation errors detected: ")
                + String.join("; ", violations);
    }

    /** The ValidationException for the violations so far, or null when there are none. */
    public ApiException toException() {
        return violations.isEmpty() ? null : ApiException.validation(message());
    }

    /** Throws the ValidationException for the violations so far, if there are any. */
    public void throwIfAny() {
        if (!violations.isEmpty()) throw ApiException.validation(message());
    }

    /** A value as DynamoDB echoes it: text as is, lists as {@code [a, b]}, objects as JSON. */
    static String render(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) return null;
        if (value.isTextual()) return value.textValue();
        if (value.isArray()) {
            StringBuilder text = new StringBuilder("[");
            for (int i = 0; i < value.size(); i++) {
                if (i > 0) text.append(", ");
                text.append(render(value.get(i)));
            }
            return text.append(']').toString();
        }
        if (value.isValueNode()) return value.asText();
        return value.toString();
    }

    @Override
    public String toString() {
        return violations.isEmpty() ? "no validation errors" : message();
    }
}
