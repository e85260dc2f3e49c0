package io.dynalog.api.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Reads request members with DynamoDB's errors, for operations that take their parameters from
 * the request's JSON tree.
 *
 * <p>Two kinds of failure, as in DynamoDB: a member of the wrong JSON type is a
 * SerializationException, thrown at once (the request cannot be read); a member that reads fine
 * but breaks a constraint (missing, out of range, not in the enum, a bad table name) is recorded
 * in the {@link ValidationErrors} and the method returns null, so that an operation can read all
 * its members and then report every violation in one ValidationException with
 * {@link ValidationErrors#throwIfAny()}. A member that is JSON null counts as absent.
 *
 * <p>{@code parent} is the object holding the member (the request, or a nested structure with
 * {@code errors.within(...)} naming its path); {@code member} is the JSON member name
 * ({@code TableName}), reported in DynamoDB's form ({@code tableName}).
 */
public final class Params {

    public static final int MIN_TABLE_NAME_CHARS = 3;
    public static final int MAX_TABLE_NAME_CHARS = 255;
    public static final String TABLE_NAME_PATTERN = "[a-zA-Z0-9_.-]+";

    static final String NOT_NULL = "Member must not be null";

    private Params() {}

    /** A string member that must be present; null (recorded) when it is absent. */
    public static String requiredString(JsonNode parent, String member, ValidationErrors errors) {
        String value = optionalString(parent, member, errors);
        if (value == null) errors.violation(member, null, NOT_NULL);
        return value;
    }

    /** A string member, or null when it is absent. */
    public static String optionalString(JsonNode parent, String member, ValidationErrors errors) {
        JsonNode node = present(parent, member);
        if (node == null) return null;
        if (!node.isTextual()) throw mismatch(node, "String", member, errors);
        return node.textValue();
    }

    /**
     * A table name that must be present and follow DynamoDB's rules ({@value #MIN_TABLE_NAME_CHARS}
     * to {@value #MAX_TABLE_NAME_CHARS} characters of {@value #TABLE_NAME_PATTERN}); null (recorded)
     * when it is absent or breaks a rule.
     */
    public static String requiredTableName(JsonNode parent, String member, ValidationErrors errors) {
        String name = requiredString(parent, member, errors);
        return name == null ? null : checkTableName(name, member, errors);
    }

    /** A table name that may be absent (ListTables' ExclusiveStartTableName); null when absent or invalid. */
    public static String optionalTableName(JsonNode parent, String member, ValidationErrors errors) {
        String name = optionalString(parent, member, errors);
        return name == null ? null : checkTableName(name, member, errors);
    }

    /**
     * Checks a table name given some other way (a map key, a name from a path) against DynamoDB's
     * rules, recording each rule it breaks in DynamoDB's order (pattern, then length).
     *
     * @return the name, or null when it breaks a rule
     */
    public static String checkTableName(String name, String member, ValidationErrors errors) {
        int before = errors.size();
        String path = errors.pathOf(member);
        if (!matchesTableNamePattern(name)) {
            errors.violationAt(path, name, "Member must satisfy regular expression pattern: " + TABLE_NAME_PATTERN);
        }
        if (name.length() < MIN_TABLE_NAME_CHARS) {
            errors.violationAt(path, name, "Member must have length greater than or equal to " + MIN_TABLE_NAME_CHARS);
        }
        if (name.length() > MAX_TABLE_NAME_CHARS) {
            errors.violationAt(path, name, "Member must have length less than or equal to " + MAX_TABLE_NAME_CHARS);
        }
        return errors.size() == before ? name : null;
    }

    /** An enum member that must be present; see {@link #optionalEnum}. */
    public static <E extends Enum<E>> E requiredEnum(JsonNode parent, String member, Class<E> type,
                                                     ValidationErrors errors) {
        if (present(parent, member) == null) {
            errors.violation(member, null, NOT_NULL);
            return null;
        }
        return optionalEnum(parent, member, type, errors);
    }

    /**
     * An enum member whose JSON value is the constant's name ({@code "ALL_NEW"}), or null when it is
     * absent or not one of the constants. The violation lists the allowed values in the order the
     * enum declares them: declare them in DynamoDB's order to match its message exactly.
     */
    public static <E extends Enum<E>> E optionalEnum(JsonNode parent, String member, Class<E> type,
                                                     ValidationErrors errors) {
        JsonNode node = present(parent, member);
        if (node == null) return null;
        if (!node.isTextual()) throw mismatch(node, "String", member, errors);
        String text = node.textValue();
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(text)) return constant;
        }
        errors.violation(member, node, "Member must satisfy enum value set: " + enumValueSet(type));
        return null;
    }

    /**
     * An integer member within {@code [min, max]}, or null when it is absent or out of range.
     * Fractions are truncated toward negative infinity, as DynamoDB reads them.
     */
    public static Integer optionalInteger(JsonNode parent, String member, int min, int max,
                                          ValidationErrors errors) {
        JsonNode node = present(parent, member);
        if (node == null) return null;
        if (!node.isNumber()) throw mismatch(node, "Integer", member, errors);
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            return inRange(node.intValue(), node, member, min, max, errors);
        }
        BigDecimal value;
        if (node.isDouble() || node.isFloat()) {
            double d = node.doubleValue();
            if (!Double.isFinite(d)) { // a literal beyond double range, such as 1e400
                errors.violation(member, node, d > 0
                        ? "Member must have value less than or equal to " + max
                        : "Member must have value greater than or equal to " + min);
                return null;
            }
            value = BigDecimal.valueOf(d);
        } else {
            value = node.decimalValue();
        }
        // Compared before truncating: truncating 1E+999999999 would build a billion-digit integer.
        // floor(v) < min exactly when v < min, and floor(v) > max exactly when v >= max + 1.
        if (value.compareTo(BigDecimal.valueOf(min)) < 0) {
            errors.violation(member, node, "Member must have value greater than or equal to " + min);
            return null;
        }
        if (value.compareTo(BigDecimal.valueOf(max).add(BigDecimal.ONE)) >= 0) {
            errors.violation(member, node, "Member must have value less than or equal to " + max);
            return null;
        }
        return value.setScale(0, RoundingMode.FLOOR).intValueExact();
    }

    /** A boolean member, or null when it is absent. */
    public static Boolean optionalBoolean(JsonNode parent, String member, ValidationErrors errors) {
        JsonNode node = present(parent, member);
        if (node == null) return null;
        if (!node.isBoolean()) throw mismatch(node, "Boolean", member, errors);
        return node.booleanValue();
    }

    /** A boolean member, or {@code defaultValue} when it is absent. */
    public static boolean bool(JsonNode parent, String member, boolean defaultValue, ValidationErrors errors) {
        Boolean value = optionalBoolean(parent, member, errors);
        return value == null ? defaultValue : value;
    }

    /** A structure or map member, or null when it is absent. */
    public static ObjectNode optionalObject(JsonNode parent, String member, ValidationErrors errors) {
        JsonNode node = present(parent, member);
        if (node == null) return null;
        if (!node.isObject()) throw mismatch(node, "Map", member, errors);
        return (ObjectNode) node;
    }

    /** A list member, or null when it is absent. */
    public static ArrayNode optionalArray(JsonNode parent, String member, ValidationErrors errors) {
        JsonNode node = present(parent, member);
        if (node == null) return null;
        if (!node.isArray()) throw mismatch(node, "List", member, errors);
        return (ArrayNode) node;
    }

    private static Integer inRange(int value, JsonNode node, String member, int min, int max,
                                   ValidationErrors errors) {
        if (value < min) {
            errors.violation(member, node, "Member must have value greater than or equal to " + min);
            return null;
        }
        if (value > max) {
            errors.violation(member, node, "Member must have value less than or equal to " + max);
            return null;
        }
        return value;
    }

    private static JsonNode present(JsonNode parent, String member) {
        JsonNode node = parent == null ? null : parent.get(member);
        return node == null || node.isNull() ? null : node;
    }

    private static ApiException mismatch(JsonNode node, String target, String member, ValidationErrors errors) {
        return new ShapeError(Shapes.mismatch(node, target)).toApiException(errors.pathOf(member));
    }

    private static boolean matchesTableNamePattern(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-';
            if (!allowed) return false;
        }
        return true;
    }

    private static String enumValueSet(Class<? extends Enum<?>> type) {
        StringBuilder text = new StringBuilder("[");
        Enum<?>[] constants = type.getEnumConstants();
        for (int i = 0; i < constants.length; i++) {
            if (i > 0) text.append(", ");
            text.append(constants[i].name());
        }
        return text.append(']').toString();
    }
}
