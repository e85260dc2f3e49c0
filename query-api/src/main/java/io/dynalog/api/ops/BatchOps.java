package io.dynalog.api.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.json.AttributeValues;
import io.dynalog.api.json.Params;
import io.dynalog.api.json.ValidationErrors;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.request.WriteRequest;
import io.dynalog.topology.model.ItemSize;
import io.dynalog.topology.model.ItemValidator;
import io.dynalog.topology.model.TableDescriptor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import io.dynalog.ingest.WriteOutcome;

/**
 * BatchWriteItem and BatchGetItem.
 *
 * <p>The whole batch is validated before anything is written or read, as DynamoDB does. Each
 * request in the batch then goes its own way (different items may live in different
 * partitions); one that fails for a reason that is not the client's is returned as unprocessed,
 * for the client to retry, instead of failing the batch. A write the leader refuses for the
 * client's reason (its item collection would pass the limit) fails the batch with that error,
 * once every write has ended: as in DynamoDB, the others may have taken effect.
 */
public final class BatchOps {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    static final int MAX_WRITE_REQUESTS = 25;
    static final int MAX_GET_KEYS = 100;
    /** DynamoDB returns at most 16 MB from one BatchGetItem; the rest is unprocessed. */
    static final long MAX_GET_RESPONSE_BYTES = 16L << 20;

    private final TableOps tables;
    private final ItemOps items;

    BatchOps(TableOps tables, ItemOps items) {
        this.tables = tables;
        this.items = items;
    }

    public CompletableFuture<ObjectNode> batchWriteItem(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        ObjectNode requestItems = Params.optionalObject(request, "RequestItems", errors);
        if (requestItems == null) errors.violation("RequestItems", null, "Member must not be null");
        Capacity.Report capacity = Capacity.requested(request, errors);
        CollectionMetrics.Report collectionMetrics = CollectionMetrics.requested(request, errors);
        errors.throwIfAny();
        List<Write> writes = new ArrayList<>();
        int count = 0;
        for (Map.Entry<String, JsonNode> e : requestItems.properties()) {
            String tableName = Params.checkTableName(e.getKey(), "RequestItems", errors);
            errors.throwIfAny();
            if (!e.getValue().isArray()) throw ApiException.serialization("Start of structure or map found where not expected.");
            ArrayNode list = (ArrayNode) e.getValue();
            count += list.size();
            if (list.isEmpty() || list.size() > MAX_WRITE_REQUESTS) {
                throw ApiException.validation("1 validation error detected: Value '{" + tableName + "=[" + list.size()
                        + " requests]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: "
                        + "[Member must have length less than or equal to 25, Member must have length greater than or equal to 1]");
            }
            TableDescriptor table = tables.activeTable(tableName);
            for (JsonNode w : list) writes.add(write(table, w));
        }
        if (count == 0) {
            throw ApiException.validation("1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
        }
        if (count > MAX_WRITE_REQUESTS) {
            throw ApiException.validation("Too many items requested for the BatchWriteItem call");
        }
        Set<String> seen = new HashSet<>();
        for (Write w : writes) {
            if (!seen.add(w.key.identity())) throw ApiException.validation("Provided list of item keys contains duplicates");
        }

        // Each write's answer (its units and collection metrics, as asked), or its failure.
        List<CompletableFuture<ObjectNode>> done = new ArrayList<>(writes.size());
        // Each write of a batch with a request token has its own: <token>#<index in the batch>.
        String token = RequestTokens.of(request);
        for (int i = 0; i < writes.size(); i++) {
            done.add(write(writes.get(i), token == null ? null : WriteRequest.batchToken(token, i), capacity, collectionMetrics));
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).handle((v, ignored) -> {
            for (CompletableFuture<ObjectNode> f : done) {
                if (f.isCompletedExceptionally() && !retryable(f)) throw new java.util.concurrent.CompletionException(Failures.toApi(error(f)));
            }
            ObjectNode response = JSON.objectNode();
            ObjectNode unprocessed = response.putObject("UnprocessedItems");
            Map<String, Double> units = new LinkedHashMap<>();
            Map<String, List<JsonNode>> metrics = new LinkedHashMap<>();
            for (Write w : writes) units.putIfAbsent(w.key.table().name(), 0.0);
            for (int i = 0; i < writes.size(); i++) {
                Write w = writes.get(i);
                if (!done.get(i).isCompletedExceptionally()) {
                    ObjectNode answer = done.get(i).join();
                    units.merge(w.key.table().name(), Capacity.reportedUnits(answer), Double::sum);
                    if (answer.has("ItemCollectionMetrics")) {
                        metrics.computeIfAbsent(w.key.table().name(), t -> new ArrayList<>()).add(answer.get("ItemCollectionMetrics"));
                    }
                    continue;
                }
                ArrayNode list = unprocessed.has(w.key.table().name())
                        ? (ArrayNode) unprocessed.get(w.key.table().name())
                        : unprocessed.putArray(w.key.table().name());
                list.add(w.original);
            }
            Capacity.reportPerTable(response, capacity, units);
            return CollectionMetrics.reportPerTable(response, collectionMetrics, metrics);
        });
    }

    /**
     * One write of the batch, at its partition's leader (forwarded as a PutItem or DeleteItem when
     * that is another node); its answer reports the units it consumed and the size of its item
     * collection when the batch asks for them (the leader sizes them).
     */
    private CompletableFuture<ObjectNode> write(Write w, String token, Capacity.Report capacity,
                                                CollectionMetrics.Report collectionMetrics) {
        String tableName = w.key.table().name();
        ObjectNode single = JSON.objectNode().put("TableName", tableName).put("ReturnConsumedCapacity", capacity.name())
                .put("ReturnItemCollectionMetrics", collectionMetrics.name());
        RequestTokens.set(single, token);
        Function<WriteOutcome, ObjectNode> answer = outcome -> CollectionMetrics.report(Capacity.report(JSON.objectNode(),
                capacity, tableName, () -> Capacity.writeUnits(outcome.oldImage(), outcome.newImage())),
                collectionMetrics, w.key.table(), outcome);
        if (w.item == null) {
            single.set("Key", w.original.get("DeleteRequest").get("Key"));
            return items.router().toLeader("DeleteItem", single, ItemOps.repeatable(token),
                    handOff -> items.delete(w.key, token, ItemOps.repeatable(token), handOff).thenApply(answer));
        }
        single.set("Item", w.original.get("PutRequest").get("Item"));
        return items.router().toLeader("PutItem", single, ItemOps.repeatable(token),
                handOff -> items.put(w.key, w.item, token, ItemOps.repeatable(token), handOff).thenApply(answer));
    }

    /** One read of the batch: at the leader when consistent, else at a replica (forwarded as a GetItem when not here). */
    private CompletableFuture<Map<String, AttributeValue>> read(ItemKey key, boolean consistent) {
        ObjectNode single = JSON.objectNode().put("TableName", key.table().name()).put("ConsistentRead", consistent);
        single.set("Key", AttributeValues.toJson(key.key()));
        CompletableFuture<ObjectNode> answer;
        if (consistent) {
            answer = items.router().toLeader("GetItem", single, handOff -> items.read(key, true, handOff).thenApply(BatchOps::itemResponse));
        } else if (!items.router().servesReads(key.table(), key.partition())) {
            answer = items.router().toReplica("GetItem", single, key.table(), key.partition());
        } else {
            return items.read(key, false, e -> false);
        }
        return answer.thenApply(r -> AttributeValues.itemFromJson(r.get("Item"), "Item"));
    }

    private static ObjectNode itemResponse(Map<String, AttributeValue> item) {
        ObjectNode r = JSON.objectNode();
        if (item != null) r.set("Item", AttributeValues.toJson(item));
        return r;
    }

    private static Write write(TableDescriptor table, JsonNode request) {
        if (!request.isObject()) throw ApiException.serialization("Unexpected value type in WriteRequest");
        JsonNode put = request.get("PutRequest");
        JsonNode delete = request.get("DeleteRequest");
        boolean hasPut = put != null && !put.isNull();
        boolean hasDelete = delete != null && !delete.isNull();
        if (hasPut == hasDelete) {
            throw ApiException.validation("One or more parameter values were invalid: a WriteRequest must contain exactly one of PutRequest or DeleteRequest");
        }
        if (hasPut) {
            Map<String, AttributeValue> item = AttributeValues.itemFromJson(put.get("Item"), "Item");
            if (item == null) throw ApiException.validation("1 validation error detected: Value null at 'requestItems.member.putRequest.item' failed to satisfy constraint: Member must not be null");
            ItemValidator.validateItem(table.keySchema(), item);
            ItemValidator.validateIndexKeys(table.indexes(), item);
            return new Write(ItemKey.ofItem(table, item), item, request);
        }
        Map<String, AttributeValue> key = AttributeValues.itemFromJson(delete.get("Key"), "Key");
        if (key == null) throw ApiException.validation("1 validation error detected: Value null at 'requestItems.member.deleteRequest.key' failed to satisfy constraint: Member must not be null");
        return new Write(ItemKey.ofKey(table, key), null, request);
    }

    public CompletableFuture<ObjectNode> batchGetItem(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        ObjectNode requestItems = Params.optionalObject(request, "RequestItems", errors);
        if (requestItems == null) errors.violation("RequestItems", null, "Member must not be null");
        Capacity.Report capacity = Capacity.requested(request, errors);
        errors.throwIfAny();
        List<TableRead> reads = new ArrayList<>();
        int keyCount = 0;
        for (Map.Entry<String, JsonNode> e : requestItems.properties()) {
            String tableName = Params.checkTableName(e.getKey(), "RequestItems", errors);
            errors.throwIfAny();
            JsonNode spec = e.getValue();
            if (!spec.isObject()) throw ApiException.serialization("Unexpected value type in KeysAndAttributes");
            RequestExpressions expressions = new RequestExpressions(spec);
            io.dynalog.expression.ProjectionExpression projection = expressions.projection(spec);
            expressions.checkAllUsed();
            ArrayNode keys = Params.optionalArray(spec, "Keys", errors.within("requestItems." + tableName + ".member"));
            boolean consistent = Params.bool(spec, "ConsistentRead", false, errors);
            if (keys == null) errors.violationAt("requestItems." + tableName + ".member.keys", null, "Member must not be null");
            else if (keys.isEmpty()) errors.violationAt("requestItems." + tableName + ".member.keys", "[]", "Member must have length greater than or equal to 1");
            errors.throwIfAny();
            keyCount += keys.size();
            if (keyCount > MAX_GET_KEYS) throw ApiException.validation("Too many items requested for the BatchGetItem call");
            TableDescriptor table = tables.activeTable(tableName);
            List<ItemKey> itemKeys = new ArrayList<>(keys.size());
            Set<String> seen = new HashSet<>();
            for (JsonNode k : keys) {
                ItemKey key = ItemKey.ofKey(table, AttributeValues.itemFromJson(k, "Keys"));
                if (!seen.add(key.identity())) throw ApiException.validation("Provided list of item keys contains duplicates");
                itemKeys.add(key);
            }
            reads.add(new TableRead(tableName, (ObjectNode) spec, itemKeys, consistent, projection));
        }
        if (reads.isEmpty()) {
            throw ApiException.validation("1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
        }

        Map<TableRead, List<CompletableFuture<Map<String, AttributeValue>>>> results = new LinkedHashMap<>();
        for (TableRead r : reads) {
            List<CompletableFuture<Map<String, AttributeValue>>> fs = new ArrayList<>();
            for (ItemKey k : r.keys) fs.add(read(k, r.consistent));
            results.put(r, fs);
        }
        CompletableFuture<?>[] all = results.values().stream().flatMap(List::stream).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(all).handle((v, ignored) -> {
            ObjectNode response = JSON.objectNode();
            ObjectNode responses = response.putObject("Responses");
            ObjectNode unprocessed = response.putObject("UnprocessedKeys");
            Map<String, Double> units = new LinkedHashMap<>();
            long bytes = 0;
            for (Map.Entry<TableRead, List<CompletableFuture<Map<String, AttributeValue>>>> e : results.entrySet()) {
                TableRead r = e.getKey();
                units.putIfAbsent(r.tableName, 0.0);
                List<Map<String, AttributeValue>> found = new ArrayList<>();
                ArrayNode unprocessedKeys = null;
                for (int i = 0; i < r.keys.size(); i++) {
                    CompletableFuture<Map<String, AttributeValue>> f = e.getValue().get(i);
                    Map<String, AttributeValue> item = f.isCompletedExceptionally() ? null : f.join();
                    boolean failed = f.isCompletedExceptionally();
                    if (!failed && item != null && bytes + ItemSize.of(item) > MAX_GET_RESPONSE_BYTES) failed = true;
                    if (failed) {
                        if (f.isCompletedExceptionally() && !retryable(f)) throw new java.util.concurrent.CompletionException(Failures.toApi(error(f)));
                        if (unprocessedKeys == null) {
                            ObjectNode spec = r.spec.deepCopy();
                            unprocessedKeys = spec.putArray("Keys");
                            unprocessed.set(r.tableName, spec);
                        }
                        unprocessedKeys.add(AttributeValues.toJson(r.keys.get(i).key()));
                        continue;
                    }
                    // Each key read costs what a GetItem of it would, a missing item included.
                    if (capacity != Capacity.Report.NONE) units.merge(r.tableName, Capacity.readUnits(item, r.consistent), Double::sum);
                    if (item != null) {
                        bytes += ItemSize.of(item);
                        found.add(RequestExpressions.project(r.projection, item));
                    }
                }
                responses.set(r.tableName, AttributeValues.itemsNode(found));
            }
            return Capacity.reportPerTable(response, capacity, units);
        });
    }

    private static Throwable error(CompletableFuture<?> f) {
        try {
            f.join();
            return null;
        } catch (RuntimeException e) {
            return Failures.unwrap(e);
        }
    }

    /**
     * Whether a request of the batch failed for a reason a retry may get past (throttled, or not
     * the client's): it is then unprocessed, for the client to retry, and the batch does not fail.
     */
    private static boolean retryable(CompletableFuture<?> f) {
        Throwable t = Failures.toApi(error(f));
        return !(t instanceof ApiException a) || a.type().retryableBySdk();
    }

    private record Write(ItemKey key, Map<String, AttributeValue> item, JsonNode original) {}

    private record TableRead(String tableName, ObjectNode spec, List<ItemKey> keys, boolean consistent,
                             io.dynalog.expression.ProjectionExpression projection) {}
}
