package io.dynalog.api.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.json.AttributeValues;
import io.dynalog.expression.LegacyConditions;
import io.dynalog.expression.LegacyUpdates;
import io.dynalog.topology.model.AttributeValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The request side of DynamoDB's pre-expression parameters (Expected, ConditionalOperator,
 * AttributeUpdates, AttributesToGet, KeyConditions, QueryFilter, ScanFilter): which of them an
 * operation takes, the rules for mixing them with expressions, and their JSON shapes. What they
 * mean is the expression module's ({@link LegacyConditions}, {@link LegacyUpdates}).
 *
 * <p>The rules, as DynamoDB Local applies them: no legacy parameter beside an expression, except
 * that KeyConditions may stand beside a FilterExpression or ProjectionExpression (not beside a
 * KeyConditionExpression); ConditionalOperator only with the two or more conditions it joins; and
 * ExpressionAttributeNames / ExpressionAttributeValues only with an expression that can use them.
 */
final class LegacyParameters {

    /** An operation's legacy and expression parameters, in the order DynamoDB's messages list them. */
    enum Operation {
        PUT_OR_DELETE(List.of("Expected", "ConditionalOperator"), List.of("ConditionExpression"), "Expected"),
        UPDATE(List.of("AttributeUpdates", "Expected", "ConditionalOperator"), List.of("UpdateExpression", "ConditionExpression"), "Expected"),
        GET(List.of("AttributesToGet"), List.of("ProjectionExpression"), null),
        QUERY(List.of("AttributesToGet", "KeyConditions", "QueryFilter", "ConditionalOperator"),
                List.of("ProjectionExpression", "FilterExpression", "KeyConditionExpression"), "QueryFilter"),
        SCAN(List.of("AttributesToGet", "ScanFilter", "ConditionalOperator"), List.of("ProjectionExpression", "FilterExpression"), "ScanFilter");

        final List<String> legacy;
        final List<String> expressions;
        /** The conditions ConditionalOperator joins. */
        final String joined;

        Operation(List<String> legacy, List<String> expressions, String joined) {
            this.legacy = legacy;
            this.expressions = expressions;
            this.joined = joined;
        }
    }

    private LegacyParameters() {}

    /** Checks the mixing rules for one request of {@code operation}. */
    static void check(JsonNode request, Operation operation) {
        List<String> expressions = present(request, operation.expressions);
        boolean keyExpression = expressions.contains("KeyConditionExpression");
        List<String> legacy = new ArrayList<>();
        for (String name : present(request, operation.legacy)) {
            if (!name.equals("KeyConditions") || keyExpression) legacy.add(name);
        }
        if (!legacy.isEmpty() && !expressions.isEmpty()) {
            throw ApiException.validation("Can not use both expression and non-expression parameters in the same request: "
                    + "Non-expression parameters: {" + String.join(", ", legacy) + "} Expression parameters: {"
                    + String.join(", ", expressions) + "}");
        }
        // An operation without conditions to join (GetItem) has no ConditionalOperator member: like
        // any unknown member, it is ignored.
        if (operation.joined != null && isPresent(request, "ConditionalOperator")) {
            JsonNode joined = request.get(operation.joined);
            if (joined == null || !joined.isObject() || joined.isEmpty()) {
                throw ApiException.validation("ConditionalOperator cannot be used without Filter or Expected");
            }
            if (joined.size() < 2) {
                throw ApiException.validation("ConditionalOperator can only be used when Filter or Expected has two or more elements");
            }
        }
        if (expressions.isEmpty() && isPresent(request, "ExpressionAttributeNames")) {
            throw ApiException.validation("ExpressionAttributeNames can only be specified when using expressions");
        }
        List<String> valueTaking = new ArrayList<>(operation.expressions);
        valueTaking.remove("ProjectionExpression");
        if (isPresent(request, "ExpressionAttributeValues") && present(request, valueTaking).isEmpty() && !valueTaking.isEmpty()) {
            throw ApiException.validation("ExpressionAttributeValues can only be specified when using expressions: "
                    + String.join(" and ", valueTaking) + (valueTaking.size() == 1 ? " is null" : " are null"));
        }
    }

    static boolean isPresent(JsonNode request, String parameter) {
        JsonNode node = request.get(parameter);
        return node != null && !node.isNull();
    }

    /** The ConditionalOperator's text, or null when absent. */
    static String conditionalOperator(JsonNode request) {
        return text(request.get("ConditionalOperator"));
    }

    /**
     * The clauses of an Expected, QueryFilter, ScanFilter or KeyConditions map: per attribute,
     * ComparisonOperator, AttributeValueList, Value and Exists (each may be absent).
     */
    static List<LegacyConditions.Clause> conditionClauses(JsonNode request, String parameter) {
        List<LegacyConditions.Clause> clauses = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : object(request.get(parameter), parameter).properties()) {
            String path = parameter + "." + entry.getKey();
            JsonNode clause = object(entry.getValue(), path);
            List<AttributeValue> list = null;
            JsonNode listNode = clause.get("AttributeValueList");
            if (listNode != null && !listNode.isNull()) {
                if (!listNode.isArray()) throw ApiException.serialization("Unexpected value type in " + path + ".AttributeValueList");
                list = new ArrayList<>();
                for (JsonNode value : listNode) list.add(value(value, path + ".AttributeValueList"));
            }
            JsonNode existsNode = clause.get("Exists");
            if (existsNode != null && !existsNode.isNull() && !existsNode.isBoolean()) {
                throw ApiException.serialization(existsNode.getNodeType() + " cannot be converted to Boolean");
            }
            clauses.add(new LegacyConditions.Clause(entry.getKey(), text(clause.get("ComparisonOperator")), list,
                    optionalValue(clause, path),
                    existsNode == null || existsNode.isNull() ? null : existsNode.booleanValue()));
        }
        return clauses;
    }

    /** The clauses of AttributeUpdates: per attribute, Action and Value (each may be absent). */
    static List<LegacyUpdates.Clause> updateClauses(JsonNode request) {
        List<LegacyUpdates.Clause> clauses = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : object(request.get("AttributeUpdates"), "AttributeUpdates").properties()) {
            String path = "AttributeUpdates." + entry.getKey();
            JsonNode clause = object(entry.getValue(), path);
            clauses.add(new LegacyUpdates.Clause(entry.getKey(), text(clause.get("Action")), optionalValue(clause, path)));
        }
        return clauses;
    }

    private static List<String> present(JsonNode request, List<String> parameters) {
        List<String> present = new ArrayList<>();
        for (String parameter : parameters) {
            if (isPresent(request, parameter)) present.add(parameter);
        }
        return present;
    }

    private static JsonNode object(JsonNode node, String path) {
        if (node == null || !node.isObject()) throw ApiException.serialization("Unexpected value type in " + path + ": expected a map");
        return node;
    }

    private static String text(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (!node.isTextual()) throw ApiException.serialization(node.getNodeType() + " cannot be converted to String");
        return node.textValue();
    }

    /** A clause's Value, or null when absent. */
    private static AttributeValue optionalValue(JsonNode clause, String path) {
        JsonNode node = clause.get("Value");
        return node == null || node.isNull() ? null : value(node, path + ".Value");
    }

    private static AttributeValue value(JsonNode node, String path) {
        return AttributeValues.fromJson(node, path);
    }
}
