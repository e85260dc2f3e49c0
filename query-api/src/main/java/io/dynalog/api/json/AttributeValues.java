package io.dynalog.api.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.topology.model.AttributeValue;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DynamoDB JSON to and from the model ({@link AttributeValue}).
 *
 * <p>Reading: {@link #fromJson}, {@link #itemFromJson} and {@link #expressionAttributeValuesFromJson}
 * check everything a value can be judged on by itself and throw {@link ApiException} with
 * DynamoDB's messages: ValidationException for bad values (empty or multiple data types, numbers
 * that do not parse or exceed DynamoDB's limits, bad base64, NULL not true, empty sets, duplicate
 * set members, containers nested deeper than {@link #MAX_NESTING_DEPTH}); SerializationException
 * for JSON of the wrong shape, naming where in the request it was found. Maps keep the client's
 * order.
 *
 * <p>Writing: {@link #write} and {@link #writeItem} stream into a {@link JsonGenerator};
 * {@link #itemNode}, {@link #itemsNode} and {@link #valueNode} wrap values as nodes that are
 * streamed when the response tree is encoded (the cheap way to put items into an operation's
 * {@code ObjectNode} response); {@link #toJson} builds a plain tree where one is needed.
 */
public final class AttributeValues {

    /**
     * The deepest nesting of M and L containers accepted (DynamoDB's limit is 32 levels). The model
     * validator enforces the exact rule; this guard only keeps the reader's recursion bounded.
     */
    public static final int MAX_NESTING_DEPTH = 32;

    private AttributeValues() {}

    /** Reads one attribute value; shape errors are located relative to the value itself. */
    public static AttributeValue fromJson(JsonNode node) {
        return fromJson(node, "AttributeValue");
    }

    /**
     * Reads one attribute value.
     *
     * @param location where the value sits in the request (e.g. {@code ExclusiveStartKey.pk}),
     *     used only in error messages
     */
    public static AttributeValue fromJson(JsonNode node, String location) {
        try {
            return AttributeValueReader.read(node, 1);
        } catch (ShapeError e) {
            throw e.toApiException(location);
        }
    }

    /**
     * Reads a map of attribute values: an item, a key, an ExclusiveStartKey.
     *
     * @param node the JSON object, or null / JSON null / missing when the parameter is absent
     * @param parameterName the request member holding it (e.g. {@code Item}), used in error messages
     * @return a new mutable map in the client's order, or null when the parameter is absent
     */
    public static Map<String, AttributeValue> itemFromJson(JsonNode node, String parameterName) {
        if (isAbsent(node)) return null;
        try {
            return AttributeValueReader.readMap(node, 1);
        } catch (ShapeError e) {
            throw e.toApiException(parameterName);
        }
    }

    /**
     * Reads ExpressionAttributeValues. A bad value is reported as DynamoDB does for this parameter:
     * {@code ExpressionAttributeValues contains invalid value: <reason> for key :v}.
     *
     * @return a new mutable map in the client's order, or null when the parameter is absent
     */
    public static Map<String, AttributeValue> expressionAttributeValuesFromJson(JsonNode node) {
        String parameterName = "ExpressionAttributeValues";
        if (isAbsent(node)) return null;
        if (!node.isObject()) throw new ShapeError(Shapes.mismatch(node, "Map")).toApiException(parameterName);
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> member : node.properties()) {
            String key = member.getKey();
            try {
                values.put(key, AttributeValueReader.read(member.getValue(), 1));
            } catch (ShapeError e) {
                throw e.within(key).toApiException(parameterName);
            } catch (ApiException e) {
                throw ApiException.validation(parameterName + " contains invalid value: " + e.getMessage()
                        + " for key " + key);
            }
        }
        return values;
    }

    /** Writes one attribute value, e.g. {@code {"N":"1.5"}}. */
    public static void write(JsonGenerator g, AttributeValue value) throws IOException {
        AttributeValueWriter.write(g, value);
    }

    /** Writes a map of attribute values as a JSON object, e.g. {@code {"pk":{"S":"a"}}}. */
    public static void writeItem(JsonGenerator g, Map<String, AttributeValue> item) throws IOException {
        AttributeValueWriter.writeMap(g, item);
    }

    /** A node that streams {@code item} as a JSON object when encoded. The map must not change afterwards. */
    public static JsonNode itemNode(Map<String, AttributeValue> item) {
        return JsonNodeFactory.instance.pojoNode(new StreamedJson.Item(item));
    }

    /**
     * The item of a response member: the map behind an {@link #itemNode}, or read from a plain
     * JSON tree; null when absent.
     */
    public static Map<String, AttributeValue> itemOfResponse(JsonNode node) {
        if (isAbsent(node)) return null;
        if (node.isPojo() && ((com.fasterxml.jackson.databind.node.POJONode) node).getPojo() instanceof StreamedJson.Item streamed) {
            return streamed.item();
        }
        return itemFromJson(node, "Attributes");
    }

    /** A node that streams {@code items} as a JSON array of objects when encoded (Query's Items). */
    public static JsonNode itemsNode(List<? extends Map<String, AttributeValue>> items) {
        return JsonNodeFactory.instance.pojoNode(new StreamedJson.Items(items));
    }

    /** A node that streams one attribute value when encoded. */
    public static JsonNode valueNode(AttributeValue value) {
        return JsonNodeFactory.instance.pojoNode(new StreamedJson.Value(value));
    }

    /** One attribute value as a plain JSON tree (binary as base64 text). Not for the hot path. */
    public static ObjectNode toJson(AttributeValue value) {
        return tree(valueNode(value));
    }

    /** A map of attribute values as a plain JSON tree (binary as base64 text). Not for the hot path. */
    public static ObjectNode toJson(Map<String, AttributeValue> item) {
        return tree(itemNode(item));
    }

    /**
     * Encodes and re-reads rather than using {@code valueToTree}, which would keep binary values
     * as binary nodes instead of the base64 text a client sees.
     */
    private static ObjectNode tree(JsonNode streamed) {
        return Json.parseObject(Json.encode(streamed));
    }

    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }
}
