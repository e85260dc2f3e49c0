package io.dynalog.api.json;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Wording of JSON shape errors (a value of the wrong JSON type), as DynamoDB's request reader
 * words them: {@code NUMBER_VALUE cannot be converted to String}, {@code Start of structure or
 * map found where not expected.}, {@code Start of list found where not expected}.
 */
final class Shapes {

    private Shapes() {}

    /** The JSON token a value starts with, in DynamoDB's words. */
    static String describe(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return "NULL_VALUE";
        if (node.isObject()) return "Start of structure or map";
        if (node.isArray()) return "Start of list";
        if (node.isTextual()) return "STRING_VALUE";
        if (node.isNumber()) return "NUMBER_VALUE";
        if (node.isBoolean()) return node.booleanValue() ? "TRUE_VALUE" : "FALSE_VALUE";
        return node.getNodeType().name();
    }

    /** Why {@code node} cannot be read as a {@code target} (String, Boolean, Map, List, ...). */
    static String mismatch(JsonNode node, String target) {
        if (node != null && node.isObject()) return "Start of structure or map found where not expected.";
        if (node != null && node.isArray()) return "Start of list found where not expected";
        return describe(node) + " cannot be converted to " + target;
    }
}
