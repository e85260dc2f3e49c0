package io.dynalog.api.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.json.AttributeValues;
import io.dynalog.expression.ConditionExpression;
import io.dynalog.expression.ConditionParser;
import io.dynalog.expression.ExpressionAttributes;
import io.dynalog.expression.ExpressionKind;
import io.dynalog.expression.Operand;
import io.dynalog.expression.ParsedExpression;
import io.dynalog.expression.Projection;
import io.dynalog.expression.ProjectionExpression;
import io.dynalog.expression.UpdateExpression;
import io.dynalog.expression.UpdateParser;
import io.dynalog.topology.model.AttributeValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request's expressions and the placeholders they share (ExpressionAttributeNames and
 * ExpressionAttributeValues): checked in DynamoDB's order, keys first, then each expression, then
 * that every placeholder was used.
 */
final class RequestExpressions {
    final Map<String, String> names;
    final Map<String, AttributeValue> values;
    private final List<ParsedExpression> parsed = new ArrayList<>();

    RequestExpressions(JsonNode request) {
        this.names = names(request.get("ExpressionAttributeNames"));
        this.values = AttributeValues.expressionAttributeValuesFromJson(request.get("ExpressionAttributeValues"));
        ExpressionAttributes.validateKeys(names, values);
    }

    /** The condition-grammar expression in {@code parameter}, parsed and resolved; null when the request has none. */
    ConditionExpression condition(ObjectNode request, String parameter, ExpressionKind kind) {
        JsonNode text = request.get(parameter);
        if (text == null || text.isNull()) return null;
        if (!text.isTextual()) throw ApiException.serialization(text.getNodeType() + " cannot be converted to String");
        ConditionExpression e = ConditionParser.parse(kind, text.textValue(), names, values);
        parsed.add(e);
        return e;
    }

    /** The request's UpdateExpression, parsed and resolved; null when it has none. */
    UpdateExpression update(ObjectNode request) {
        JsonNode text = request.get("UpdateExpression");
        if (text == null || text.isNull()) return null;
        if (!text.isTextual()) throw ApiException.serialization(text.getNodeType() + " cannot be converted to String");
        UpdateExpression e = UpdateParser.parse(text.textValue(), names, values);
        parsed.add(e);
        return e;
    }

    /** The request's ProjectionExpression, parsed and resolved; null when it has none. */
    ProjectionExpression projection(JsonNode request) {
        JsonNode text = request.get("ProjectionExpression");
        JsonNode legacy = request.get("AttributesToGet");
        if (legacy != null && !legacy.isNull()) {
            if (text != null && !text.isNull()) {
                throw ApiException.validation("Can not use both expression and non-expression parameters in the same request: "
                        + "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}");
            }
            return attributesToGet(legacy);
        }
        if (text == null || text.isNull()) return null;
        if (!text.isTextual()) throw ApiException.serialization(text.getNodeType() + " cannot be converted to String");
        ProjectionExpression e = ProjectionExpression.parse(text.textValue(), names);
        parsed.add(e);
        return e;
    }

    /** The legacy AttributesToGet (top-level attribute names) as the projection it stands for. */
    private static ProjectionExpression attributesToGet(JsonNode legacy) {
        if (!legacy.isArray()) throw ApiException.serialization("Unexpected value type in AttributesToGet");
        if (legacy.isEmpty()) {
            throw ApiException.validation("1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: "
                    + "Member must have length greater than or equal to 1");
        }
        List<Operand.Path> paths = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (JsonNode name : legacy) {
            if (!name.isTextual()) throw ApiException.serialization(name.getNodeType() + " cannot be converted to String");
            if (!seen.add(name.textValue())) {
                throw ApiException.validation("One or more parameter values were invalid: Duplicate value in attribute name: " + name.textValue());
            }
            paths.add(Operand.Path.of(name.textValue()));
        }
        return new ProjectionExpression("AttributesToGet", paths, java.util.Set.of());
    }

    /** Projects an item (null: none) onto the projection's paths; no projection: the whole item. */
    static Map<String, AttributeValue> project(ProjectionExpression projection, Map<String, AttributeValue> item) {
        return projection == null || item == null ? item : Projection.project(item, projection.paths());
    }

    /** Once every expression of the request is parsed: each placeholder must have been used. */
    void checkAllUsed() {
        ExpressionAttributes.checkAllUsed(parsed, names, values);
    }

    static Map<String, String> names(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (!node.isObject()) throw ApiException.serialization(node.getNodeType() + " cannot be converted to Map");
        Map<String, String> names = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw ApiException.serialization(e.getValue().getNodeType() + " cannot be converted to String");
            }
            names.put(e.getKey(), e.getValue().textValue());
        }
        return names;
    }
}
