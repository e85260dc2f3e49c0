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
import io.dynalog.ingest.ReadLease;
import io.dynalog.ingest.WritePath;
import io.dynalog.replica.ReplicaStore;
import io.dynalog.topology.keys.KeyCodec;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.IndexProjection;
import io.dynalog.topology.model.KeySchema;
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

    private final Futures futures;

    ReadOps(TableOps tables, WritePath writePath, ReplicaStore store, Router router, java.util.concurrent.Executor pageReads,
            Futures futures) {
        this.futures = futures;
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
        String indexName = Params.optionalString(request, "IndexName", errors);
        Capacity.Report capacity = Capacity.requested(request, errors);
        errors.throwIfAny();
        LegacyParameters.check(request, LegacyParameters.Operation.QUERY);
        boolean legacyKey = LegacyParameters.isPresent(request, "KeyConditions");
        if (keyExpression == null && !legacyKey) {
            throw ApiException.validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
        }
        TableDescriptor table = tables.activeTable(tableName);
        ReadSource source = readableSource(table, indexName, consistent, "querying");
        RequestExpressions expressions = new RequestExpressions(request);
        ConditionExpression parsed = expressions.condition(request, "KeyConditionExpression", ExpressionKind.KEY_CONDITION);
        Condition filter = filter(request, expressions, "QueryFilter");
        ProjectionExpression projection = expressions.projection(request);
        expressions.checkAllUsed();
        checkSelect(select, projection, projectionParameter(request), source);
        KeySchema key = source.keySchema();
        KeyCondition condition = legacyKey
                ? LegacyConditions.keyConditions(LegacyParameters.conditionClauses(request, "KeyConditions"), key)
                : KeyConditions.resolve(parsed, key);
        if (filter != null) {
            String filterName = LegacyParameters.isPresent(request, "QueryFilter") ? "QueryFilter" : "Filter Expression";
            for (String name : ConditionPaths.topLevelNames(filter)) {
                if (key.isKeyAttribute(name)) {
                    throw ApiException.validation(filterName + " can only contain non-primary key attributes: Primary key attribute: " + name);
                }
            }
        }
        boolean fetchItems = needsItems(source, select, projection, filter);

        KeyRange range = QueryRanges.of(key, condition);
        int partition = source.partitionOf(condition.partitionKeyValue());
        Map<String, AttributeValue> startKey = AttributeValues.itemFromJson(request.get("ExclusiveStartKey"), "ExclusiveStartKey");
        if (startKey != null) {
            byte[] start = startRowKey(source, startKey);
            if (!condition.partitionKeyValue().equals(startKey.get(key.partitionKey()))) {
                throw ApiException.validation("The provided starting key is invalid: The provided key element does not match the query's partition key");
            }
            if (!range.contains(start)) {
                throw ApiException.validation("The provided starting key is outside query boundaries based on provided conditions");
            }
            range = forward
                    ? range.intersect(new KeyRange(KeyRange.successor(start), null))
                    : range.intersect(new KeyRange(null, start));
        }
        KeyRange queryRange = range;
        int pageLimit = limit == null ? Integer.MAX_VALUE : limit;
        java.util.function.Supplier<ObjectNode> readPage = () -> {
            PageBuilder page = pageBuilder(source, fetchItems, select, projection, pageLimit, filter);
            if (!queryRange.isEmpty()) {
                try (ReplicaStore.RangeCursor cursor = store.range(source.keySpaceId(), queryRange.lower(), queryRange.upper(), forward)) {
                    page.drain(cursor);
                }
            }
            Page built = page.build();
            return Capacity.report(respond(built, select, projection), capacity, tableName,
                    () -> Capacity.readUnits(built.scannedBytes(), consistent));
        };
        if (consistent) {
            // At the leader, once its replica reflects every write chosen before the query began;
            // given only if the leader still holds its lease once the page is read (else read again).
            return router.toLeader("Query", request, handOff -> futures.readDeadline(futures.retrying(
                    () -> writePath.readBarrier(table, partition).thenApplyAsync(lease -> {
                        ObjectNode page = readPage.get();
                        lease.check();
                        return page;
                    }, pageReads), true, Futures.READ_WAIT_MS, handOff)));
        }
        if (!router.servesReads(source.keySpaceId(), partition, source.replicasOf(partition))) {
            return router.toReplica("Query", request, source.readReplicasOf(partition));
        }
        return CompletableFuture.completedFuture(readPage.get());
    }

    /**
     * The table or index a read names, if it can serve this read: a global index is eventually
     * consistent only, and readable once backfilled.
     */
    private static ReadSource readableSource(TableDescriptor table, String indexName, boolean consistent, String verb) {
        ReadSource source = ReadSource.of(table, indexName);
        if (source.isGlobalIndex() && consistent) throw ApiException.validation("Consistent read cannot be true when " + verb + " a GSI");
        if (source.isGlobalIndex() && source.index().status() != IndexDescriptor.IndexStatus.ACTIVE) {
            throw ApiException.validation("Cannot read from backfilling global secondary index: " + indexName);
        }
        return source;
    }

    /**
     * Whether an index read needs the items behind its rows: a local index fetches what its
     * projection lacks (ALL_ATTRIBUTES, or attributes named by the projection or filter), as
     * DynamoDB does; a global index cannot, and refuses such a read instead.
     */
    private static boolean needsItems(ReadSource source, Select select, ProjectionExpression projection, Condition filter) {
        if (!source.isIndex() || source.index().projection().type() == IndexProjection.Type.ALL) return false;
        String indexName = source.index().name();
        List<String> missingForProjection = projection == null ? List.of() : source.notProjected(projection.topLevelNames());
        List<String> missingForFilter = filter == null ? List.of() : source.notProjected(ConditionPaths.topLevelNames(filter));
        if (!source.isGlobalIndex()) return select == Select.ALL_ATTRIBUTES || !missingForProjection.isEmpty() || !missingForFilter.isEmpty();
        if (select == Select.ALL_ATTRIBUTES) {
            throw ApiException.validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for "
                    + "global secondary index " + indexName + " because its projection type is not ALL");
        }
        if (!missingForProjection.isEmpty()) {
            throw ApiException.validation("One or more parameter values were invalid: Global secondary index " + indexName
                    + " does not project " + missingForProjection);
        }
        if (!missingForFilter.isEmpty()) {
            throw ApiException.validation("One or more parameter values were invalid: Secondary index " + indexName
                    + " does not project one or more filter attributes: " + missingForFilter);
        }
        return false;
    }

    /** A page over the source's rows; {@code fetchItems}: a local index read that returns and filters the items behind them. */
    private PageBuilder pageBuilder(ReadSource source, boolean fetchItems, Select select, ProjectionExpression projection, int limit,
                                    Condition filter) {
        TableDescriptor table = source.table();
        java.util.function.UnaryOperator<Map<String, AttributeValue>> resolve = !fetchItems ? java.util.function.UnaryOperator.identity()
                // Null when the item went after the row was read: it is then not returned.
                : row -> store.get(table.tableId(), KeyCodec.storeKey(table.keySchema(), row));
        // Items fetched only to filter them are returned as the index projects them (the row), as DynamoDB does.
        boolean returnItems = fetchItems && (select == Select.ALL_ATTRIBUTES || projection != null);
        return new PageBuilder(source::lastKeyOf, resolve, returnItems, limit, select == Select.COUNT, filterOf(filter));
    }

    public CompletableFuture<ObjectNode> scan(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        String tableName = Params.requiredTableName(request, "TableName", errors);
        Integer limit = Params.optionalInteger(request, "Limit", 1, Integer.MAX_VALUE, errors);
        boolean consistent = Params.bool(request, "ConsistentRead", false, errors);
        Select select = Params.optionalEnum(request, "Select", Select.class, errors);
        Integer segment = Params.optionalInteger(request, "Segment", 0, MAX_TOTAL_SEGMENTS - 1, errors);
        Integer totalSegments = Params.optionalInteger(request, "TotalSegments", 1, MAX_TOTAL_SEGMENTS, errors);
        String indexName = Params.optionalString(request, "IndexName", errors);
        Capacity.Report capacity = Capacity.requested(request, errors);
        errors.throwIfAny();
        LegacyParameters.check(request, LegacyParameters.Operation.SCAN);
        RequestExpressions expressions = new RequestExpressions(request);
        Condition filter = filter(request, expressions, "ScanFilter");
        ProjectionExpression parsedProjection = expressions.projection(request);
        expressions.checkAllUsed();
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
        ReadSource source = readableSource(table, indexName, consistent, "scanning");
        checkSelect(select, parsedProjection, projectionParameter(request), source);
        boolean fetchItems = needsItems(source, select, parsedProjection, filter);
        int seg = segment == null ? 0 : segment;
        int segs = totalSegments == null ? 1 : totalSegments;
        long segmentStart = KeyCodec.rangeStart(seg, segs);
        long segmentEnd = KeyCodec.rangeStart(seg + 1, segs);
        byte[] resumeAfter = null;
        Map<String, AttributeValue> startKey = AttributeValues.itemFromJson(request.get("ExclusiveStartKey"), "ExclusiveStartKey");
        byte[] startRow = null;
        if (startKey != null) {
            startRow = startRowKey(source, startKey);
            long hash = KeyCodec.hashOf(startRow) & 0xFFFFFFFFL;
            if (hash < segmentStart || hash >= segmentEnd) {
                throw ApiException.validation("The provided Exclusive start key does not map to the provided segment");
            }
            resumeAfter = KeyRange.successor(startRow);
        }

        KeyRange segmentRange = new KeyRange(KeyCodec.hashBound(segmentStart), KeyCodec.hashBound(segmentEnd));
        if (resumeAfter != null) segmentRange = segmentRange.intersect(new KeyRange(resumeAfter, null));
        KeyRange scanned = segmentRange;
        byte[] resumeRow = startRow;
        // A consistent page is read again from the start when a partition's leader lost its lease
        // while its part was read (that part may miss writes another leader chose meanwhile).
        Page built = futures.retryingNow(() -> {
            PageBuilder page = pageBuilder(source, fetchItems, select, parsedProjection, limit == null ? Integer.MAX_VALUE : limit, filter);
            // Partitions are contiguous hash ranges in hash order, so reading them in turn is key order.
            int partitions = source.partitionCount();
            for (int p = 0; p < partitions && !page.full(); p++) {
                KeyRange partitionRange = new KeyRange(
                        KeyCodec.hashBound(KeyCodec.rangeStart(p, partitions)),
                        KeyCodec.hashBound(KeyCodec.rangeStart(p + 1, partitions)));
                KeyRange range = partitionRange.intersect(scanned);
                if (range.isEmpty()) continue;
                ConsistentSource here = consistent ? leaderOf(table, p, request)
                        : new ConsistentSource(router.servesReads(source.keySpaceId(), p, source.replicasOf(p)) ? null
                                : router.replicaFor(source.readReplicasOf(p)), null);
                if (here.elsewhere() != null) {
                    scanElsewhere(partitions, p, request, seg, segs, resumeRow, page, here.elsewhere());
                    continue;
                }
                try (ReplicaStore.RangeCursor cursor = store.range(source.keySpaceId(), range.lower(), range.upper(), true)) {
                    page.drain(cursor);
                }
                if (here.lease() != null) here.lease().check();
            }
            return page.build();
        }, Futures.READ_WAIT_MS);
        return CompletableFuture.completedFuture(Capacity.report(respond(built, select, projection), capacity, tableName,
                () -> Capacity.readUnits(built.scannedBytes(), consistent)));
    }

    /** Where a part of a Scan is read: at another node, or here under {@code lease} (null: an eventually consistent read). */
    private record ConsistentSource(NodeInfo elsewhere, ReadLease lease) {}

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
     * For a consistent read of a partition: here, with the lease to check once read, once this
     * node leads it and its replica reflects every chosen write (the read barrier passed); else the
     * node to send the read to.
     */
    private ConsistentSource leaderOf(TableDescriptor table, int partition, ObjectNode request) {
        if (!router.holds(table, partition)) return new ConsistentSource(router.preferredLeader(table, partition), null);
        boolean mayForward = !Forwarder.wasForwarded(request);
        try {
            ReadLease lease = futures.retrying(() -> writePath.readBarrier(table, partition), true, Futures.READ_WAIT_MS,
                    e -> mayForward && router.remoteLeader(e) != null).get(Futures.READ_WAIT_MS + 1_000, TimeUnit.MILLISECONDS);
            return new ConsistentSource(null, lease);
        } catch (ExecutionException e) {
            NodeInfo leader = mayForward ? router.remoteLeader(Failures.unwrap(e)) : null;
            if (leader != null) return new ConsistentSource(leader, null);
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
    private void scanElsewhere(int partitionCount, int partition, ObjectNode request, int segment, int totalSegments,
                               byte[] startRow, PageBuilder page, NodeInfo target) {
        long grid = (long) partitionCount * totalSegments;
        if (grid > MAX_TOTAL_SEGMENTS) {
            throw ApiException.serviceUnavailable("This Scan's segments are too fine to split across nodes; use fewer TotalSegments");
        }
        long resumeHash = startRow == null ? -1 : KeyCodec.hashOf(startRow) & 0xFFFFFFFFL;
        long from = Math.max((long) segment * partitionCount, (long) partition * totalSegments);
        long to = Math.min((long) (segment + 1) * partitionCount, (long) (partition + 1) * totalSegments);
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
            ObjectNode answer = futures.await(router.forward(target, "Scan", piece));
            List<Map<String, AttributeValue>> items = new java.util.ArrayList<>();
            if (answer.has("Items")) answer.get("Items").forEach(i -> items.add(AttributeValues.itemFromJson(i, "Items")));
            page.absorb(items, answer.path("Count").asInt(), answer.path("ScannedCount").asInt(),
                    AttributeValues.itemFromJson(answer.get("LastEvaluatedKey"), "LastEvaluatedKey"));
        }
    }

    /** Where an ExclusiveStartKey points among the source's rows. */
    private static byte[] startRowKey(ReadSource source, Map<String, AttributeValue> startKey) {
        try {
            return source.rowKeyOf(startKey);
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
    private static void checkSelect(Select select, ProjectionExpression projection, String projectionParameter, ReadSource source) {
        if (select == Select.ALL_PROJECTED_ATTRIBUTES && !source.isIndex()) {
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
