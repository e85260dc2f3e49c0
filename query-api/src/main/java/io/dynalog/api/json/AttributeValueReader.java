package io.dynalog.api.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynalog.api.ApiException;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.Numbers;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads DynamoDB JSON ({@code {"S": "x"}}, {@code {"M": {...}}}, ...) into the model, enforcing what
 * can be judged from the value alone: exactly one data type, JSON types, numbers that parse and fit
 * DynamoDB's limits, base64, NULL being true, non-empty sets without duplicates, and a nesting
 * guard. Rules that need the table (key types, item size) belong to the model validator.
 *
 * <p>Errors are DynamoDB's: ValidationException for bad values, thrown as {@link ApiException};
 * wrong JSON shapes as {@link ShapeError}, which callers turn into SerializationException once
 * they know where the value sits. As in DynamoDB, members that are not data types and members
 * whose value is JSON null are ignored.
 *
 * <p>Invariant: recursion depth is bounded by {@link AttributeValues#MAX_NESTING_DEPTH}, whatever
 * the input, so no request can overflow the stack here.
 */
final class AttributeValueReader {

    static final String EMPTY =
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
    static final String MORE_THAN_ONE =
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes";
    static final String NOT_A_NUMBER = "A value provided cannot be converted into a number";
    static final String INVALID_BASE64 = "Invalid Base64 value";
    static final String NULL_NOT_TRUE =
            "One or more parameter values were invalid: Null attribute value types must have the value of true";
    static final String NESTING_TOO_DEEP =
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit";
    static final String INVALID = "One or more parameter values were invalid: ";

    /**
     * Number texts longer than this are refused before parsing: {@code BigDecimal} parses in time
     * quadratic in the length, and a valid number needs far fewer characters (38 digits, an
     * exponent within 130, or its plain form of at most about 135 characters).
     */
    static final int MAX_NUMBER_TEXT_CHARS = 1024;

    private AttributeValueReader() {}

    /**
     * Reads one attribute value.
     *
     * @param depth the nesting level a container at this position would have: 1 for an item's
     *     attribute, one more for each enclosing M or L
     */
    static AttributeValue read(JsonNode node, int depth) {
        if (node == null || !node.isObject()) {
            throw new ShapeError(Shapes.mismatch(node, "AttributeValue"));
        }
        AttributeValue.Type type = null;
        JsonNode content = null;
        for (Map.Entry<String, JsonNode> member : node.properties()) {
            AttributeValue.Type memberType = typeOf(member.getKey());
            if (memberType == null || member.getValue().isNull()) continue;
            if (type != null) throw ApiException.validation(MORE_THAN_ONE);
            type = memberType;
            content = member.getValue();
        }
        if (type == null) throw ApiException.validation(EMPTY);
        try {
            return readContent(type, content, depth);
        } catch (ShapeError e) {
            throw e.within(type.name());
        }
    }

    /** Reads a JSON object of attribute values (an item, a key, a map's content) in the client's order. */
    static Map<String, AttributeValue> readMap(JsonNode node, int depth) {
        if (!node.isObject()) throw new ShapeError(Shapes.mismatch(node, "Map"));
        Map<String, AttributeValue> map = new LinkedHashMap<>(capacity(node.size()));
        for (Map.Entry<String, JsonNode> member : node.properties()) {
            try {
                map.put(member.getKey(), read(member.getValue(), depth));
            } catch (ShapeError e) {
                throw e.within(member.getKey());
            }
        }
        return map;
    }

    private static AttributeValue readContent(AttributeValue.Type type, JsonNode content, int depth) {
        switch (type) {
            case S:
                return new AttributeValue.S(text(content, "String"));
            case N:
                return new AttributeValue.N(number(text(content, "String")));
            case B:
                return AttributeValue.B.wrap(binary(text(content, "Blob")));
            case BOOL:
                return AttributeValue.Bool.of(bool(content));
            case NULL:
                if (!bool(content)) throw ApiException.validation(NULL_NOT_TRUE);
                return AttributeValue.Null.INSTANCE;
            case M:
                checkDepth(depth);
                return new AttributeValue.M(readMap(content, depth + 1));
            case L:
                checkDepth(depth);
                return new AttributeValue.L(readList(content, depth + 1));
            case SS:
                return readStringSet(content);
            case NS:
                return readNumberSet(content);
            case BS:
                return readBinarySet(content);
            default:
                throw new IllegalStateException("unhandled type " + type);
        }
    }

    private static List<AttributeValue> readList(JsonNode content, int depth) {
        JsonNode array = array(content);
        List<AttributeValue> list = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            try {
                list.add(read(array.get(i), depth));
            } catch (ShapeError e) {
                throw e.within(i);
            }
        }
        return list;
    }

    private static AttributeValue.SS readStringSet(JsonNode content) {
        JsonNode array = nonEmptySet(content, "An string set  may not be empty");
        Set<String> set = new LinkedHashSet<>(capacity(array.size()));
        boolean duplicate = false;
        for (int i = 0; i < array.size(); i++) {
            duplicate |= !set.add(member(array, i, "String"));
        }
        if (duplicate) throw duplicates(array, "");
        return new AttributeValue.SS(set);
    }

    private static AttributeValue.NS readNumberSet(JsonNode content) {
        JsonNode array = nonEmptySet(content, "An number set  may not be empty");
        Set<BigDecimal> set = new LinkedHashSet<>(capacity(array.size()));
        boolean duplicate = false;
        for (int i = 0; i < array.size(); i++) {
            // Numbers.parse returns canonical values: "1" and "1.0" are the same member.
            duplicate |= !set.add(number(member(array, i, "String")));
        }
        if (duplicate) throw duplicates(array, "");
        return new AttributeValue.NS(set);
    }

    private static AttributeValue.BS readBinarySet(JsonNode content) {
        JsonNode array = nonEmptySet(content, "Binary sets should not be empty");
        Set<AttributeValue.B> set = new LinkedHashSet<>(capacity(array.size()));
        boolean duplicate = false;
        for (int i = 0; i < array.size(); i++) {
            duplicate |= !set.add(AttributeValue.B.wrap(binary(member(array, i, "Blob"))));
        }
        // DynamoDB's wording for binary sets, missing space included.
        if (duplicate) throw duplicates(array, "of type BS");
        return new AttributeValue.BS(set);
    }

    private static JsonNode nonEmptySet(JsonNode content, String emptyMessage) {
        JsonNode array = array(content);
        if (array.isEmpty()) throw ApiException.validation(INVALID + emptyMessage);
        return array;
    }

    /** "Input collection [a, a] contains duplicates.", the members listed as the client gave them. */
    private static ApiException duplicates(JsonNode array, String typeSuffix) {
        StringBuilder message = new StringBuilder(INVALID).append("Input collection [");
        for (int i = 0; i < array.size(); i++) {
            if (i > 0) message.append(", ");
            message.append(array.get(i).textValue());
        }
        message.append(']').append(typeSuffix).append(" contains duplicates.");
        return ApiException.validation(message.toString());
    }

    private static String member(JsonNode array, int index, String target) {
        try {
            return text(array.get(index), target);
        } catch (ShapeError e) {
            throw e.within(index);
        }
    }

    private static JsonNode array(JsonNode content) {
        if (!content.isArray()) throw new ShapeError(Shapes.mismatch(content, "List"));
        return content;
    }

    private static String text(JsonNode content, String target) {
        if (!content.isTextual()) throw new ShapeError(Shapes.mismatch(content, target));
        return content.textValue();
    }

    private static boolean bool(JsonNode content) {
        if (!content.isBoolean()) throw new ShapeError(Shapes.mismatch(content, "Boolean"));
        return content.booleanValue();
    }

    private static BigDecimal number(String text) {
        BigDecimal number = text.length() > MAX_NUMBER_TEXT_CHARS ? null : Numbers.parse(text);
        if (number == null) throw ApiException.validation(NOT_A_NUMBER);
        String outOfLimits = Numbers.check(number);
        if (outOfLimits != null) throw ApiException.validation(outOfLimits);
        return number;
    }

    private static byte[] binary(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.validation(INVALID_BASE64);
        }
    }

    private static void checkDepth(int depth) {
        if (depth > AttributeValues.MAX_NESTING_DEPTH) throw ApiException.validation(NESTING_TOO_DEEP);
    }

    private static AttributeValue.Type typeOf(String key) {
        switch (key) {
            case "S": return AttributeValue.Type.S;
            case "N": return AttributeValue.Type.N;
            case "B": return AttributeValue.Type.B;
            case "BOOL": return AttributeValue.Type.BOOL;
            case "NULL": return AttributeValue.Type.NULL;
            case "M": return AttributeValue.Type.M;
            case "L": return AttributeValue.Type.L;
            case "SS": return AttributeValue.Type.SS;
            case "NS": return AttributeValue.Type.NS;
            case "BS": return AttributeValue.Type.BS;
            default: return null;
        }
    }

    private static int capacity(int size) {
        return size < 3 ? size + 1 : (int) (size / 0.75f) + 1;
    }
}
