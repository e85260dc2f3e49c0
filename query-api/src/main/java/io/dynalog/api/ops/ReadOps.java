package io.dynalog.api.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.json.AttributeValues;
import io.dynalog.api.json.Params;
import io.dynalog.api.json.ValidationErrors;
import io.dynalog.api.read.KeyRange;
import io.dynalog.api.read.Page;
import io.dynalog.api.read.PageBuilder;
import io.dynalog.api.read.QueryRanges;
import io.dynalog.expression.Condition;
import io.dynalog.expression.ConditionEvaluator;
import io.dynalog.expression.LegacyConditions;
import io.dynalog.expression.ConditionExpression;
import io.dynalog.expression.ConditionPaths;
import io.dynalog.expression.ProjectionExpression;
import io.dynalog.expression.ExpressionKind;
import io.dynalog.expression.KeyCondition;
import io.dynalog.expression.KeyConditions;
import io.dynalog.ingest.WritePath;
import io.dynalog.replica.ReplicaStore;
import io.dynalog.topology.keys.KeyCodec;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.TableDescriptor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.dynalog.api.route.Forwarder;
import io.dynalog.topology.placement.NodeInfo;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Query and Scan: turn the request into store-key ranges, read them in order (after the
 * partition's read barrier for ConsistentRead), and page the result as DynamoDB does
 * ({@link PageBuilder}).
 *
 * <p>Runs on an API worker thread: it reads RocksDB synchronously and may wait, briefly, for a
 * partition to reach its barrier.
 */
public final class ReadOps {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** DynamoDB's limit on parallel scan segments. */
    static final int MAX_TOTAL_SEGMENTS = 1_000_000;

    private final TableOps tables;
    private final WritePath writePath;
    private final ReplicaStore store;
    private final Router router;
    /** Where a consistent Query reads its page once the barrier is passed (not the thread that passed it). */
    private final java.util.concurrent.Executor pageReads;

    ReadOps(TableOps tables, WritePath writePath, ReplicaStore store, Router router, java.util.concurrent.Executor pageReads) {
        this.tables = tables;
        this.writePath = writePath;
        this.store = store;
        this.router = router;
        this.pageReads = pageReads;
    }

    public CompletableFuture<ObjectNode> query(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        String tableName = Params.requiredTableName(request, "TableName", errors);
        Integer limit = Params.optionalInteger(request, "Limit", 1, Integer.MAX_VALUE, errors);
        boolean consistent = Params.bool(request, "ConsistentRead", false, errors);
        boolean forward = Params.bool(request, "ScanIndexForward", true, errors);
        Select select = Params.optionalEnum(request, "Select", Select.class, errors);
        String keyExpression = Params.optionalString(request, "KeyConditionExpression", errors);
        Params.optionalObject(request, "ExpressionAttributeNames", errors);
        Capacity.Report capacity = Capacity.requested(request, errors);
        errors.throwIfAny();
        ItemOps.Unsupported.reject(request, "IndexName");
        LegacyParameters.check(request, LegacyParameters.Operation.QUERY);
        boolean legacyKey = LegacyParameters.isPresent(request, "KeyConditions");
        if (keyExpression == null && !legacyKey) {
            throw ApiException.validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
        }
        TableDescriptor table = tables.activeTable(tableName);
        RequestExpressions expressions = new RequestExpressions(request);
        ConditionExpression parsed = expressions.condition(request, "KeyConditionExpression", ExpressionKind.KEY_CONDITION);
        Condition filter = filter(request, expressions, "QueryFilter");
        ProjectionExpression projection = expressions.projection(request);
        expressions.checkAllUsed();
        checkSelect(select, projection, projectionParameter(request));
        KeyCondition condition = legacyKey
                ? LegacyConditions.keyConditions(LegacyParameters.conditionClauses(request, "KeyConditions"), table.keySchema())
                : KeyConditions.resolve(parsed, table.keySchema());
        if (filter != null) {
            String filterName = LegacyParameters.isPresent(request, "QueryFilter") ? "QueryFilter" : "Filter Expression";
            for (String name : ConditionPaths.topLevelNames(filter)) {
                if (table.keySchema().isKeyAttribute(name)) {
                    throw ApiException.validation(filterName + " can only contain non-primary key attributes: Primary key attribute: " + name);
                }
            }
        }

        KeyRange range = QueryRanges.of(table.keySchema(), condition);
        int partition = KeyCodec.partitionOf(KeyCodec.hash32(condition.partitionKeyValue()), table.partitionCount());
        Map<String, AttributeValue> startKey = AttributeValues.itemFromJson(request.get("ExclusiveStartKey"), "ExclusiveStartKey");
        if (startKey != null) {
            ItemKey start = startKey(table, startKey);
            if (!start.key().get(table.keySchema().partitionKey()).equals(condition.partitionKeyValue())) {
                throw ApiException.validation("The provided starting key is invalid: The provided key element does not match the query's partition key");
            }
            if (!range.contains(start.storeKey())) {
                throw ApiException.validation("The provided starting key is outside query boundaries based on provided conditions");
            }
            range = forward
                    ? range.intersect(new KeyRange(KeyRange.successor(start.storeKey()), null))
                    : range.intersect(new KeyRange(null, start.storeKey()));
        }
        KeyRange queryRange = range;
        int pageLimit = limit == null ? Integer.MAX_VALUE : limit;
        java.util.function.Supplier<ObjectNode> readPage = () -> {
            PageBuilder page = new PageBuilder(table.keySchema(), pageLimit, select == Select.COUNT, filterOf(filter));
            if (!queryRange.isEmpty()) {
                try (ReplicaStore.RangeCursor cursor = store.range(table.tableId(), queryRange.lower(), queryRange.upper(), forward)) {
                    page.drain(cursor);
                }
            }
            Page built = page.build();
            return Capacity.report(respond(built, select, projection), capacity, tableName,
                    () -> Capacity.readUnits(built.scannedBytes(), consistent));
        };
        if (consistent) {
            // At the leader, once its replica reflects every write chosen before the query began.
            return router.toLeader("Query", request, handOff -> Futures.readDeadline(Futures.retrying(
                    () -> writePath.readBarrier(table, partition), true, Futures.READ_WAIT_MS, handOff))
                    .thenApplyAsync(v -> readPage.get(), pageReads));
        }
        if (!router.holds(table, partition)) return router.toReplica("Query", request, table, partition);
        return CompletableFuture.completedFuture(readPage.get());
    }

    public CompletableFuture<ObjectNode> scan(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        String tableName = Params.requiredTableName(request, "TableName", errors);
        Integer limit = Params.optionalInteger(request, "Limit", 1, Integer.MAX_VALUE, errors);
        boolean consistent = Params.bool(request, "ConsistentRead", false, errors);
        Select select = Params.optionalEnum(request, "Select", Select.class, errors);
        Integer segment = Params.optionalInteger(request, "Segment", 0, MAX_TOTAL_SEGMENTS - 1, errors);
        Integer totalSegments = Params.optionalInteger(request, "TotalSegments", 1, MAX_TOTAL_SEGMENTS, errors);
        Capacity.Report capacity = Capacity.requested(request, errors);
        errors.throwIfAny();
        ItemOps.Unsupported.reject(request, "IndexName");
        LegacyParameters.check(request, LegacyParameters.Operation.SCAN);
        RequestExpressions expressions = new RequestExpressions(request);
        Condition filter = filter(request, expressions, "ScanFilter");
        ProjectionExpression parsedProjection = expressions.projection(request);
        expressions.checkAllUsed();
        checkSelect(select, parsedProjection, projectionParameter(request));
        // A part of a Scan read for another node returns whole items: that node projects the page.
        ProjectionExpression projection = request.path(UNPROJECTED_MEMBER).asBoolean(false) ? null : parsedProjection;
        if (segment != null && totalSegments == null) {
            throw ApiException.validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
        }
        if (totalSegments != null && segment == null) {
            throw ApiException.validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
        }
        if (segment != null && segment >= totalSegments) {
            throw ApiException.validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: "
                    + segment + " is not less than TotalSegments: " + totalSegments);
        }
        TableDescriptor table = tables.activeTable(tableName);
        int seg = segment == null ? 0 : segment;
        int segs = totalSegments == null ? 1 : totalSegments;
        long segmentStart = KeyCodec.rangeStart(seg, segs);
        long segmentEnd = KeyCodec.rangeStart(seg + 1, segs);
        byte[] resumeAfter = null;
        Map<String, AttributeValue> startKey = AttributeValues.itemFromJson(request.get("ExclusiveStartKey"), "ExclusiveStartKey");
        if (startKey != null) {
            ItemKey start = startKey(table, startKey);
            long hash = KeyCodec.hashOf(start.storeKey()) & 0xFFFFFFFFL;
            if (hash < segmentStart || hash >= segmentEnd) {
                throw ApiException.validation("The provided Exclusive start key does not map to the provided segment");
            }
            resumeAfter = KeyRange.successor(start.storeKey());
        }

        PageBuilder page = new PageBuilder(table.keySchema(), limit == null ? Integer.MAX_VALUE : limit,
                select == Select.COUNT, filterOf(filter));
        KeyRange segmentRange = new KeyRange(KeyCodec.hashBound(segmentStart), KeyCodec.hashBound(segmentEnd));
        if (resumeAfter != null) segmentRange = segmentRange.intersect(new KeyRange(resumeAfter, null));
        // Partitions are contiguous hash ranges in hash order, so reading them in turn is key order.
        for (int p = 0; p < table.partitionCount() && !page.full(); p++) {
            KeyRange partitionRange = new KeyRange(
                    KeyCodec.hashBound(KeyCodec.rangeStart(p, table.partitionCount())),
                    KeyCodec.hashBound(KeyCodec.rangeStart(p + 1, table.partitionCount())));
            KeyRange range = partitionRange.intersect(segmentRange);
            if (range.isEmpty()) continue;
            NodeInfo elsewhere = consistent ? leaderElsewhere(table, p, request) : router.holds(table, p) ? null : router.replicaFor(table, p);
            if (elsewhere != null) {
                scanElsewhere(table, p, request, seg, segs, startKey, page, elsewhere);
                continue;
            }
            try (ReplicaStore.RangeCursor cursor = store.range(table.tableId(), range.lower(), range.upper(), true)) {
                page.drain(cursor);
            }
        }
        Page built = page.build();
        return CompletableFuture.completedFuture(Capacity.report(respond(built, select, projection), capacity, tableName,
                () -> Capacity.readUnits(built.scannedBytes(), consistent)));
    }

    /** Marks a part of a Scan that a node reads for another: its items come back whole, for the page's last key. */
    static final String UNPROJECTED_MEMBER = io.dynalog.api.http.NodeOnlyMembers.PREFIX + "Unprojected";

    /** The read's filter: its FilterExpression, or its legacy QueryFilter / ScanFilter; null when it has none. */
    private static Condition filter(ObjectNode request, RequestExpressions expressions, String legacyFilter) {
        if (LegacyParameters.isPresent(request, legacyFilter)) {
            return LegacyConditions.filter(LegacyParameters.conditionClauses(request, legacyFilter),
                    LegacyParameters.conditionalOperator(request));
        }
        ConditionExpression parsed = expressions.condition(request, "FilterExpression", ExpressionKind.FILTER);
        return parsed == null ? null : parsed.condition();
    }

    private static java.util.function.Predicate<Map<String, AttributeValue>> filterOf(Condition filter) {
        return filter == null ? item -> true : item -> ConditionEvaluator.test(filter, item);
    }

    /**
     * For a consistent read of a partition: null once this node leads it and its replica reflects
     * every chosen write (the read barrier passed), else the node to send the read to.
     */
    private NodeInfo leaderElsewhere(TableDescriptor table, int partition, ObjectNode request) {
        if (!router.holds(table, partition)) return router.preferredLeader(table, partition);
        boolean mayForward = !Forwarder.wasForwarded(request);
        try {
            Futures.retrying(() -> writePath.readBarrier(table, partition), true, Futures.READ_WAIT_MS,
                    e -> mayForward && router.remoteLeader(e) != null).get(Futures.READ_WAIT_MS + 1_000, TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            NodeInfo leader = mayForward ? router.remoteLeader(Failures.unwrap(e)) : null;
            if (leader != null) return leader;
            Throwable t = Failures.toApi(e.getCause());
            if (t instanceof RuntimeException r) throw r;
            throw new IllegalStateException(t);
        } catch (TimeoutException e) {
            throw ApiException.serviceUnavailable("The partition did not answer in time; retry the request");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.serviceUnavailable("The request was interrupted");
        }
    }

    /**
     * Reads the part of a Scan that falls in a partition this node cannot serve, from a node that
     * can: as Scans of segments of the grid of {@code partitions * totalSegments} equal hash ranges,
     * which cuts both the partition and the client's segment exactly.
     */
    private void scanElsewhere(TableDescriptor table, int partition, ObjectNode request, int segment, int totalSegments,
                               Map<String, AttributeValue> startKey, PageBuilder page, NodeInfo target) {
        long grid = (long) table.partitionCount() * totalSegments;
        if (grid > MAX_TOTAL_SEGMENTS) {
            throw ApiException.serviceUnavailable("This Scan's segments are too fine to split across nodes; use fewer TotalSegments");
        }
        long resumeHash = startKey == null ? -1 : KeyCodec.hashOf(KeyCodec.storeKey(table.keySchema(), startKey)) & 0xFFFFFFFFL;
        long from = Math.max((long) segment * table.partitionCount(), (long) partition * totalSegments);
        long to = Math.min((long) (segment + 1) * table.partitionCount(), (long) (partition + 1) * totalSegments);
        for (long k = from; k < to && !page.full(); k++) {
            long pieceEnd = KeyCodec.rangeStart((int) k + 1, (int) grid);
            long pieceStart = KeyCodec.rangeStart((int) k, (int) grid);
            if (resumeHash >= pieceEnd) continue;
            ObjectNode piece = request.deepCopy();
            piece.put(UNPROJECTED_MEMBER, true);
            piece.put("Segment", (int) k);
            piece.put("TotalSegments", (int) grid);
            if (resumeHash >= pieceStart) piece.set("ExclusiveStartKey", request.get("ExclusiveStartKey"));
            else piece.remove("ExclusiveStartKey");
            if (request.hasNonNull("Limit")) piece.put("Limit", page.remainingLimit());
            ObjectNode answer = Futures.await(router.forward(target, "Scan", piece));
            List<Map<String, AttributeValue>> items = new java.util.ArrayList<>();
            if (answer.has("Items")) answer.get("Items").forEach(i -> items.add(AttributeValues.itemFromJson(i, "Items")));
            page.absorb(items, answer.path("Count").asInt(), answer.path("ScannedCount").asInt(),
                    AttributeValues.itemFromJson(answer.get("LastEvaluatedKey"), "LastEvaluatedKey"));
        }
    }

    private static ItemKey startKey(TableDescriptor table, Map<String, AttributeValue> startKey) {
        try {
            return ItemKey.ofKey(table, startKey);
        } catch (RuntimeException e) {
            Throwable api = Failures.toApi(e);
            throw ApiException.validation("The provided starting key is invalid: " + api.getMessage());
        }
    }

    private static ObjectNode respond(Page page, Select select, ProjectionExpression projection) {
        ObjectNode response = JSON.objectNode();
        if (select != Select.COUNT) {
            List<Map<String, AttributeValue>> items = page.items();
            if (projection != null) items = items.stream().map(i -> RequestExpressions.project(projection, i)).toList();
            response.set("Items", AttributeValues.itemsNode(items));
        }
        response.put("Count", page.count());
        response.put("ScannedCount", page.scannedCount());
        if (page.lastEvaluatedKey() != null) response.set("LastEvaluatedKey", AttributeValues.itemNode(page.lastEvaluatedKey()));
        return response;
    }

    /** {@code projectionParameter}: the parameter the projection came from, ProjectionExpression or AttributesToGet. */
    private static void checkSelect(Select select, ProjectionExpression projection, String projectionParameter) {
        if (select == Select.ALL_PROJECTED_ATTRIBUTES) {
            throw ApiException.validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
        }
        if (projection != null && select != null && select != Select.SPECIFIC_ATTRIBUTES) {
            throw ApiException.validation("Cannot specify the " + projectionParameter + " when choosing to get " + select);
        }
        if (select == Select.SPECIFIC_ATTRIBUTES && projection == null) {
            throw ApiException.validation("Select SPECIFIC_ATTRIBUTES needs a ProjectionExpression or AttributesToGet");
        }
    }

    private static String projectionParameter(ObjectNode request) {
        return LegacyParameters.isPresent(request, "AttributesToGet") ? "AttributesToGet" : "ProjectionExpression";
    }

    /** DynamoDB's Select enum, in the order its messages list it. */
    enum Select { ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, SPECIFIC_ATTRIBUTES, COUNT }
}
