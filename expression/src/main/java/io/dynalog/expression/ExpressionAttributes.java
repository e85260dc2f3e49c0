package io.dynalog.expression;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Request-level rules on ExpressionAttributeNames and ExpressionAttributeValues, the maps that all
 * expressions of one request share.
 *
 * <p>A request is checked in this order: {@link #validateKeys} before any expression is parsed, then
 * each expression is parsed, then {@link #checkAllUsed} over all of them.
 */
public final class ExpressionAttributes {

    private static final Pattern NAME_KEY = Pattern.compile("#[0-9A-Za-z_]+");
    private static final Pattern VALUE_KEY = Pattern.compile(":[0-9A-Za-z_]+");

    private ExpressionAttributes() {}

    /**
     * Checks that each map, when present, is not empty and has only well-formed keys
     * ({@code #} or {@code :} followed by letters, digits and underscores).
     *
     * @param names  ExpressionAttributeNames, null when absent
     * @param values ExpressionAttributeValues, null when absent
     */
    public static void validateKeys(Map<String, String> names, Map<String, ?> values) {
        validateKeys("ExpressionAttributeNames", names, NAME_KEY);
        validateKeys("ExpressionAttributeValues", values, VALUE_KEY);
    }

    private static void validateKeys(String parameter, Map<String, ?> map, Pattern key) {
        if (map == null) return;
        if (map.isEmpty()) throw new ExpressionException(parameter + " must not be empty");
        for (String k : map.keySet()) {
            if (!key.matcher(k).matches()) {
                throw new ExpressionException(parameter + " contains invalid key: Syntax error; key: \"" + k + "\"");
            }
        }
    }

    /**
     * Checks that every placeholder the request defines is used by one of its expressions; names
     * are checked before values. Unused keys are listed in the maps' iteration order (a map decoded
     * in request order reports them as the client wrote them).
     *
     * @param expressions all expressions of the request, parsed
     * @param names       ExpressionAttributeNames, null when absent
     * @param values      ExpressionAttributeValues, null when absent
     */
    public static void checkAllUsed(Collection<? extends ParsedExpression> expressions,
                                    Map<String, String> names, Map<String, ?> values) {
        Set<String> usedNames = new HashSet<>();
        Set<String> usedValues = new HashSet<>();
        for (ParsedExpression e : expressions) {
            usedNames.addAll(e.usedNames());
            usedValues.addAll(e.usedValues());
        }
        checkUsed("ExpressionAttributeNames", names, usedNames);
        checkUsed("ExpressionAttributeValues", values, usedValues);
    }

    private static void checkUsed(String parameter, Map<String, ?> defined, Set<String> used) {
        if (defined == null) return;
        StringJoiner unused = new StringJoiner(", ", "{", "}");
        boolean any = false;
        for (String key : defined.keySet()) {
            if (!used.contains(key)) {
                unused.add(key);
                any = true;
            }
        }
        if (any) throw new ExpressionException("Value provided in " + parameter + " unused in expressions: keys: " + unused);
    }
}
