package io.dynalog.api.ops;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.json.AttributeValues;
import io.dynalog.api.json.Params;
import io.dynalog.api.json.ValidationErrors;
import io.dynalog.expression.Condition;
import io.dynalog.expression.ConditionEvaluator;
import io.dynalog.expression.ConditionExpression;
import io.dynalog.expression.ExpressionKind;
import io.dynalog.expression.LegacyConditions;
import io.dynalog.expression.LegacyUpdates;
import io.dynalog.expression.Operand;
import io.dynalog.expression.Projection;
import io.dynalog.expression.ProjectionExpression;
import io.dynalog.expression.UpdateApplier;
import io.dynalog.expression.UpdateExpression;
import io.dynalog.ingest.ConditionFailedException;
import io.dynalog.ingest.Mutation;
import io.dynalog.ingest.WriteOutcome;
import io.dynalog.ingest.WritePath;
import io.dynalog.replica.ReplicaStore;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.ItemValidator;
import io.dynalog.topology.model.TableDescriptor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * PutItem, GetItem and DeleteItem: validate the request, then hand the write to the partition's
 * leader (which checks its ConditionExpression against the item's chosen state), or read the item (a consistent read from the leader's view, an eventually consistent one
 * from the local replica).
 */
public final class ItemOps {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final TableOps tables;
    private final WritePath writePath;
    private final ReplicaStore store;
    private final Router router;
    private final Futures futures;

    ItemOps(TableOps tables, WritePath writePath, ReplicaStore store, Router router, Futures futures) {
        this.futures = futures;
        this.tables = tables;
        this.writePath = writePath;
        this.store = store;
        this.router = router;
    }

    public CompletableFuture<ObjectNode> putItem(ObjectNode request) {
        WriteParams params = WriteParams.of(request, "Item");
        LegacyParameters.check(request, LegacyParameters.Operation.PUT_OR_DELETE);
        ReturnValues rv = onlyNoneOrAllOld(params.returnValues());
        Map<String, AttributeValue> item = AttributeValues.itemFromJson(request.get("Item"), "Item");
        Condition condition = condition(request);
        TableDescriptor table = tables.activeTable(params.tableName());
        ItemValidator.validateItem(table.keySchema(), item);
        ItemValidator.validateIndexKeys(table.indexes(), item);
        ItemKey key = ItemKey.ofItem(table, item);
        String token = RequestTokens.of(request);
        boolean repeatable = repeatable(token);
        return router.toLeader("PutItem", request, repeatable, handOff -> write(key, current -> {
            checkCondition(condition, current, params.returnOldOnFailure());
            return Mutation.Result.put(item);
        }, token, repeatable, handOff).thenApply(outcome -> params.withMetrics(respond(rv, outcome), table, outcome)));
    }

    /**
     * Whether a write whose outcome is unknown (its leader failed with it in flight) may be tried
     * again: only with a client request token, by which the leader finds it if it took effect.
     * Without one, even a whole-item put with no condition is not repeated: run again after
     * another client's write, it would undo that write, a second effect of one request (found by
     * the nemesis test: a put retried across a failover overwrote two later writes). The client
     * gets InternalServerError and decides, as DynamoDB's clients do.
     */
    static boolean repeatable(String token) {
        return token != null;
    }

    public CompletableFuture<ObjectNode> deleteItem(ObjectNode request) {
        WriteParams params = WriteParams.of(request, "Key");
        LegacyParameters.check(request, LegacyParameters.Operation.PUT_OR_DELETE);
        ReturnValues rv = onlyNoneOrAllOld(params.returnValues());
        Map<String, AttributeValue> keyAttributes = AttributeValues.itemFromJson(request.get("Key"), "Key");
        Condition condition = condition(request);
        TableDescriptor table = tables.activeTable(params.tableName());
        ItemKey key = ItemKey.ofKey(table, keyAttributes);
        String token = RequestTokens.of(request);
        boolean repeatable = repeatable(token);
        return router.toLeader("DeleteItem", request, repeatable, handOff -> write(key, current -> {
            checkCondition(condition, current, params.returnOldOnFailure());
            return current == null ? Mutation.Result.unchanged(null) : Mutation.Result.delete();
        }, token, repeatable, handOff).thenApply(outcome -> params.withMetrics(respond(rv, outcome), table, outcome)));
    }

    public CompletableFuture<ObjectNode> updateItem(ObjectNode request) {
        WriteParams params = WriteParams.of(request, "Key");
        LegacyParameters.check(request, LegacyParameters.Operation.UPDATE);
        Map<String, AttributeValue> keyAttributes = AttributeValues.itemFromJson(request.get("Key"), "Key");
        RequestExpressions expressions = new RequestExpressions(request);
        List<LegacyUpdates.Clause> legacyUpdates = LegacyParameters.isPresent(request, "AttributeUpdates")
                ? LegacyParameters.updateClauses(request) : null;
        UpdateExpression update = legacyUpdates != null ? null : expressions.update(request);
        Condition condition = LegacyParameters.isPresent(request, "Expected") ? expected(request)
                : conditionOf(expressions.condition(request, "ConditionExpression", ExpressionKind.CONDITION));
        expressions.checkAllUsed();
        TableDescriptor table = tables.activeTable(params.tableName());
        ItemKey key = ItemKey.ofKey(table, keyAttributes);
        List<Operand.Path> targets = legacyUpdates != null ? LegacyUpdates.targets(legacyUpdates)
                : update == null ? List.of() : UpdateApplier.targets(update);
        List<Operand.Path> written = legacyUpdates != null ? LegacyUpdates.writtenTargets(legacyUpdates)
                : update == null ? List.of() : UpdateApplier.writtenTargets(update);
        if (legacyUpdates == null) checkKeyNotUpdated(table, targets);
        ReturnValues rv = params.returnValues() == null ? ReturnValues.NONE : params.returnValues();
        // An update computes from the item it finds (ADD, arithmetic, its condition): never repeated
        // when its outcome is unknown, unless its request token makes the leader see the repeat.
        String token = RequestTokens.of(request);
        return router.toLeader("UpdateItem", request, token != null, handOff -> write(key, current -> {
            checkCondition(condition, current, params.returnOldOnFailure());
            Map<String, AttributeValue> after;
            if (legacyUpdates != null) {
                // AttributeUpdates' actions are checked after the condition: DynamoDB Local answers a
                // failed Expected with ConditionalCheckFailedException even when an action is invalid.
                UpdateExpression legacy = LegacyUpdates.update(legacyUpdates);
                checkKeyNotUpdated(table, targets);
                after = legacy == null ? (current != null ? current : key.key()) : LegacyUpdates.apply(legacy, current, key.key());
            } else {
                after = update == null ? (current != null ? current : key.key()) : UpdateApplier.apply(update, current, key.key());
            }
            ItemValidator.validateItem(table.keySchema(), after);
            ItemValidator.validateIndexKeys(table.indexes(), after);
            return Mutation.Result.put(after);
        }, token, token != null, handOff).thenApply(outcome -> params.withMetrics(respondToUpdate(rv, outcome, targets, written), table, outcome)));
    }

    private static void checkKeyNotUpdated(TableDescriptor table, List<Operand.Path> targets) {
        for (Operand.Path target : targets) {
            if (table.keySchema().isKeyAttribute(target.attributeName())) {
                throw ApiException.validation("One or more parameter values were invalid: Cannot update attribute "
                        + target.attributeName() + ". This attribute is part of the key");
            }
        }
    }

    /** {@code written}: the targets of actions that leave a value (not REMOVE), what UPDATED_NEW reports. */
    private static ObjectNode respondToUpdate(ReturnValues rv, WriteOutcome outcome, List<Operand.Path> targets,
                                              List<Operand.Path> written) {
        Map<String, AttributeValue> attributes = switch (rv) {
            case NONE -> null;
            case ALL_OLD -> outcome.oldImage();
            case ALL_NEW -> outcome.newImage();
            case UPDATED_OLD -> outcome.oldImage() == null ? null : Projection.project(outcome.oldImage(), targets);
            case UPDATED_NEW -> Projection.project(outcome.newImage(), written);
        };
        ObjectNode response = JSON.objectNode();
        if (attributes != null && !attributes.isEmpty()) response.set("Attributes", AttributeValues.itemNode(attributes));
        return response;
    }

    public CompletableFuture<ObjectNode> getItem(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        String tableName = Params.requiredTableName(request, "TableName", errors);
        if (Params.optionalObject(request, "Key", errors) == null) errors.violation("Key", null, "Member must not be null");
        boolean consistent = Params.bool(request, "ConsistentRead", false, errors);
        Capacity.Report capacity = Capacity.requested(request, errors);
        errors.throwIfAny();
        LegacyParameters.check(request, LegacyParameters.Operation.GET);
        Map<String, AttributeValue> keyAttributes = AttributeValues.itemFromJson(request.get("Key"), "Key");
        RequestExpressions expressions = new RequestExpressions(request);
        ProjectionExpression projection = expressions.projection(request);
        expressions.checkAllUsed();
        TableDescriptor table = tables.activeTable(tableName);
        ItemKey key = ItemKey.ofKey(table, keyAttributes);
        java.util.function.Function<Map<String, AttributeValue>, ObjectNode> respond = item -> {
            ObjectNode response = JSON.objectNode();
            if (item != null) response.set("Item", AttributeValues.itemNode(RequestExpressions.project(projection, item)));
            return Capacity.report(response, capacity, tableName, () -> Capacity.readUnits(item, consistent));
        };
        if (consistent) return router.toLeader("GetItem", request, handOff -> read(key, true, handOff).thenApply(respond));
        if (!router.servesReads(table, key.partition())) return router.toReplica("GetItem", request, table, key.partition());
        return read(key, false, e -> false).thenApply(respond);
    }

    /**
     * Writes a whole item at the partition's leader (here); {@code handOff} claims the failures
     * the caller handles itself (another node leads: forward).
     */
    CompletableFuture<WriteOutcome> put(ItemKey key, Map<String, AttributeValue> item, String token, boolean repeatable,
                                        Predicate<Throwable> handOff) {
        return write(key, current -> Mutation.Result.put(item), token, repeatable, handOff);
    }

    /**
     * A write of one item at the partition's leader (here), decided there against the item's
     * chosen state; {@code token} is its client request token (null: none).
     */
    private CompletableFuture<WriteOutcome> write(ItemKey key, Mutation mutation, String token, boolean repeatable,
                                                  Predicate<Throwable> handOff) {
        return futures.writeDeadline(futures.retrying(() -> writePath.write(key.table(), key.partition(), key.storeKey(), mutation, token),
                repeatable, Futures.WRITE_WAIT_MS, handOff));
    }

    /**
     * The request's condition: its ConditionExpression, parsed and resolved with its placeholders,
     * or its legacy Expected; null when there is none.
     */
    static Condition condition(ObjectNode request) {
        if (LegacyParameters.isPresent(request, "Expected")) return expected(request);
        RequestExpressions expressions = new RequestExpressions(request);
        ConditionExpression parsed = expressions.condition(request, "ConditionExpression", ExpressionKind.CONDITION);
        expressions.checkAllUsed();
        return conditionOf(parsed);
    }

    private static Condition expected(ObjectNode request) {
        return LegacyConditions.expected(LegacyParameters.conditionClauses(request, "Expected"), LegacyParameters.conditionalOperator(request));
    }

    private static Condition conditionOf(ConditionExpression parsed) {
        return parsed == null ? null : parsed.condition();
    }

    /** At the leader: a condition that does not hold against the item fails the write, which writes nothing. */
    static void checkCondition(Condition condition, Map<String, AttributeValue> current, boolean returnOld) {
        if (condition != null && !ConditionEvaluator.test(condition, current)) {
            throw new ConditionFailedException(returnOld ? current : null);
        }
    }

    /** What every single-item write names: its table, its item or key (required), and what to return. */
    private record WriteParams(String tableName, ReturnValues returnValues, OnConditionFailure onFailure, Capacity.Report capacity,
                               CollectionMetrics.Report collectionMetrics) {
        static WriteParams of(ObjectNode request, String itemParameter) {
            ValidationErrors errors = new ValidationErrors();
            String tableName = Params.requiredTableName(request, "TableName", errors);
            if (Params.optionalObject(request, itemParameter, errors) == null) {
                errors.violation(itemParameter, null, "Member must not be null");
            }
            ReturnValues returnValues = Params.optionalEnum(request, "ReturnValues", ReturnValues.class, errors);
            OnConditionFailure onFailure = Params.optionalEnum(request, "ReturnValuesOnConditionCheckFailure", OnConditionFailure.class, errors);
            Capacity.Report capacity = Capacity.requested(request, errors);
            CollectionMetrics.Report collectionMetrics = CollectionMetrics.requested(request, errors);
            errors.throwIfAny();
            return new WriteParams(tableName, returnValues, onFailure, capacity, collectionMetrics);
        }

        /** Whether a failed condition returns the item it was checked against. */
        boolean returnOldOnFailure() {
            return onFailure == OnConditionFailure.ALL_OLD;
        }

        /** The response with the write's ConsumedCapacity and ItemCollectionMetrics, as asked for. */
        ObjectNode withMetrics(ObjectNode response, TableDescriptor table, WriteOutcome outcome) {
            Capacity.report(response, capacity, tableName, () -> Capacity.writeUnits(outcome.oldImage(), outcome.newImage()));
            return CollectionMetrics.report(response, collectionMetrics, table, outcome);
        }
    }

    /** DynamoDB's ReturnValuesOnConditionCheckFailure enum. */
    enum OnConditionFailure { ALL_OLD, NONE }

    /** Deletes an item; deleting an absent item changes nothing, as in DynamoDB. */
    CompletableFuture<WriteOutcome> delete(ItemKey key, String token, boolean repeatable, Predicate<Throwable> handOff) {
        return write(key, current -> current == null ? Mutation.Result.unchanged(null) : Mutation.Result.delete(), token,
                repeatable, handOff);
    }

    /** Reads an item: from the leader's view when consistent, else from the local replica. */
    CompletableFuture<Map<String, AttributeValue>> read(ItemKey key, boolean consistent, Predicate<Throwable> handOff) {
        if (consistent) {
            return futures.readDeadline(futures.retrying(
                    () -> writePath.consistentGet(key.table(), key.partition(), key.storeKey()), true, Futures.READ_WAIT_MS, handOff));
        }
        return CompletableFuture.completedFuture(store.get(key.table().tableId(), key.storeKey()));
    }

    Router router() {
        return router;
    }

    private static ReturnValues onlyNoneOrAllOld(ReturnValues rv) {
        if (rv == null) return ReturnValues.NONE;
        if (rv != ReturnValues.NONE && rv != ReturnValues.ALL_OLD) {
            throw ApiException.validation("ReturnValues can only be ALL_OLD or NONE");
        }
        return rv;
    }

    private static ObjectNode respond(ReturnValues rv, WriteOutcome outcome) {
        ObjectNode response = JSON.objectNode();
        if (rv == ReturnValues.ALL_OLD && outcome.oldImage() != null) {
            response.set("Attributes", AttributeValues.itemNode(outcome.oldImage()));
        }
        return response;
    }

    /** DynamoDB's ReturnValue enum, in the order its messages list it. */
    enum ReturnValues { ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW }
}
