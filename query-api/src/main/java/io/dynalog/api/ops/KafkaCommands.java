package io.dynalog.api.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.ErrorType;
import io.dynalog.api.http.Operation;
import io.dynalog.api.json.AttributeValues;
import io.dynalog.ingest.intake.CommandExecutor;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.request.WriteCommand;
import io.dynalog.topology.request.WriteCommand.BatchEntry;
import io.dynalog.topology.request.WriteReply;
import io.dynalog.topology.request.WriteRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the Kafka write path's commands as the HTTP API runs the same requests: each command
 * becomes the DynamoDB JSON request it stands for, with the request token as a node-only member,
 * and goes to the same operation (PutItem, UpdateItem, DeleteItem, BatchWriteItem), so validation,
 * routing to leaders and error types are exactly the HTTP API's. The response becomes a
 * {@link WriteReply}; every failure a {@link WriteReply.Failure} with DynamoDB's error type.
 */
final class KafkaCommands implements CommandExecutor {
    private static final Logger log = LoggerFactory.getLogger(KafkaCommands.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Operation put;
    private final Operation update;
    private final Operation delete;
    private final Operation batchWrite;

    KafkaCommands(Operation put, Operation update, Operation delete, Operation batchWrite) {
        this.put = Failures.guarded(put);
        this.update = Failures.guarded(update);
        this.delete = Failures.guarded(delete);
        this.batchWrite = Failures.guarded(batchWrite);
    }

    @Override
    public CompletableFuture<WriteReply> execute(WriteRequest request) {
        String token = request.requestToken();
        WriteCommand command = request.command();
        ObjectNode json;
        Operation operation;
        if (command instanceof WriteCommand.Put p) {
            json = single(p.tableName(), "Item", p.item(), p.conditionExpression(), p.names(), p.values(), p.returnValues());
            operation = put;
        } else if (command instanceof WriteCommand.Update u) {
            json = single(u.tableName(), "Key", u.key(), u.conditionExpression(), u.names(), u.values(), u.returnValues());
            if (u.updateExpression() != null) json.put("UpdateExpression", u.updateExpression());
            operation = update;
        } else if (command instanceof WriteCommand.Delete d) {
            json = single(d.tableName(), "Key", d.key(), d.conditionExpression(), d.names(), d.values(), d.returnValues());
            operation = delete;
        } else {
            json = batch((WriteCommand.BatchWrite) command);
            operation = batchWrite;
        }
        RequestTokens.set(json, token);
        return operation.handle(json).handle((response, error) -> error == null ? success(token, response) : failure(token, error));
    }

    private static ObjectNode single(String table, String itemMember, Map<String, AttributeValue> item, String condition,
                                     Map<String, String> names, Map<String, AttributeValue> values, String returnValues) {
        ObjectNode json = JSON.objectNode().put("TableName", table);
        json.set(itemMember, AttributeValues.toJson(item));
        if (condition != null) json.put("ConditionExpression", condition);
        if (names != null) {
            ObjectNode n = json.putObject("ExpressionAttributeNames");
            names.forEach(n::put);
        }
        if (values != null) json.set("ExpressionAttributeValues", AttributeValues.toJson(values));
        if (returnValues != null) json.put("ReturnValues", returnValues);
        return json;
    }

    private static ObjectNode batch(WriteCommand.BatchWrite command) {
        ObjectNode json = JSON.objectNode();
        ObjectNode requestItems = json.putObject("RequestItems");
        for (BatchEntry e : command.requests()) {
            ArrayNode list = requestItems.has(e.tableName()) ? (ArrayNode) requestItems.get(e.tableName()) : requestItems.putArray(e.tableName());
            ObjectNode w = list.addObject();
            if (e.isPut()) {
                w.putObject("PutRequest").set("Item", AttributeValues.toJson(e.item()));
            } else {
                w.putObject("DeleteRequest").set("Key", AttributeValues.toJson(e.key()));
            }
        }
        return json;
    }

    private static WriteReply success(String token, ObjectNode response) {
        Map<String, AttributeValue> attributes = AttributeValues.itemOfResponse(response.get("Attributes"));
        List<BatchEntry> unprocessed = new ArrayList<>();
        JsonNode items = response.get("UnprocessedItems");
        if (items != null) {
            for (Map.Entry<String, JsonNode> table : items.properties()) {
                for (JsonNode w : table.getValue()) {
                    unprocessed.add(w.has("PutRequest")
                            ? BatchEntry.put(table.getKey(), AttributeValues.itemFromJson(w.get("PutRequest").get("Item"), "Item"))
                            : BatchEntry.delete(table.getKey(), AttributeValues.itemFromJson(w.get("DeleteRequest").get("Key"), "Key")));
                }
            }
        }
        return new WriteReply(token, new WriteReply.Success(attributes, unprocessed));
    }

    private static WriteReply failure(String token, Throwable error) {
        Throwable cause = Failures.unwrap(error);
        if (cause instanceof ApiException api) return WriteReply.failure(token, api.type().name(), api.getMessage());
        log.warn("request {} failed inside the node", token, cause);
        return WriteReply.failure(token, ErrorType.InternalServerError.name(), "Internal server error");
    }
}
