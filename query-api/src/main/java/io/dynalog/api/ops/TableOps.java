package io.dynalog.api.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.json.Params;
import io.dynalog.api.json.ValidationErrors;
import io.dynalog.api.http.NodeOnlyMembers;
import io.dynalog.api.route.Forwarder;
import io.dynalog.ingest.CatalogWriter;
import io.dynalog.replica.CatalogReplica;
import io.dynalog.replica.ReplicaStore;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.wal.Configuration;
import io.dynalog.topology.model.TableDescriptor.AttributeDefinition;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.topology.time.Time;
import io.dynalog.topology.model.TableStream;
import io.dynalog.topology.wal.IndexRow;
import io.dynalog.topology.wal.WalRecords;
import io.dynalog.topology.wire.TableRecordCodec;
import io.dynalog.topology.placement.NodeInfo;
import io.dynalog.topology.placement.Placement;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.function.Supplier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * CreateTable, DescribeTable, ListTables and DeleteTable: validation in DynamoDB's words, then
 * the catalog group's leader for changes (forwarded there) and the node's catalog copy for reads.
 *
 * <p>A node that answered a change waits (briefly) until its own catalog copy shows it, so that a
 * client reads its own change on the node it sent it to.
 */
public final class TableOps implements CatalogChanges {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final CatalogReplica catalog;
    private final CatalogWriter catalogWriter;
    private final Router router;
    private final ReplicaStore store;
    private final String topicPrefix;
    private final int defaultPartitions;
    private final String region;
    private final Supplier<Collection<NodeInfo>> members;
    private final SecureRandom random = new SecureRandom();

    private final Futures futures;
    private final Time time;

    /** @param members the nodes of the cluster, among which a new table's partitions are placed */
    TableOps(CatalogReplica catalog, CatalogWriter catalogWriter, Router router, ReplicaStore store,
             String topicPrefix, int defaultPartitions, String region, Supplier<Collection<NodeInfo>> members,
             Futures futures, Time time) {
        this.futures = futures;
        this.time = time;
        this.catalog = catalog;
        this.catalogWriter = catalogWriter;
        this.router = router;
        this.store = store;
        this.topicPrefix = topicPrefix;
        this.defaultPartitions = defaultPartitions;
        this.region = region;
        this.members = members;
    }

    /** The table, which must exist and be ACTIVE, for item operations. */
    TableDescriptor activeTable(String name) {
        TableDescriptor t = catalog.table(name);
        if (t == null || t.status() != TableStatus.ACTIVE) {
            throw ApiException.resourceNotFound("Requested resource not found");
        }
        return t;
    }

    public CompletableFuture<ObjectNode> createTable(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        String name = Params.requiredTableName(request, "TableName", errors);
        ArrayNode keyElements = Params.optionalArray(request, "KeySchema", errors);
        ArrayNode definitionElements = Params.optionalArray(request, "AttributeDefinitions", errors);
        BillingMode billingMode = Params.optionalEnum(request, "BillingMode", BillingMode.class, errors);
        ObjectNode throughput = Params.optionalObject(request, "ProvisionedThroughput", errors);
        Long rcu = null;
        Long wcu = null;
        if (throughput != null) {
            ValidationErrors within = errors.within("provisionedThroughput");
            rcu = IndexDefinitions.capacity(throughput, "ReadCapacityUnits", within);
            wcu = IndexDefinitions.capacity(throughput, "WriteCapacityUnits", within);
        }
        if (keyElements == null) errors.violation("KeySchema", null, "Member must not be null");
        else if (keyElements.isEmpty()) errors.violation("KeySchema", keyElements, "Member must have length greater than or equal to 1");
        else if (keyElements.size() > 2) errors.violation("KeySchema", keyElements, "Member must have length less than or equal to 2");
        if (definitionElements == null) errors.violation("AttributeDefinitions", null, "Member must not be null");
        List<String[]> keys = keyElements == null ? List.of() : keyElements(keyElements, errors);
        Map<String, ScalarType> defined = definitionElements == null ? Map.of() : definitions(definitionElements, errors);
        IndexDefinitions.checkCreateTableMembers(request, errors);
        errors.throwIfAny();

        KeySchema keySchema = keySchema(keys, defined);
        StreamSpecifications.Change stream = StreamSpecifications.parse(request);
        boolean provisioned = billingMode == null || billingMode == BillingMode.PROVISIONED;
        if (provisioned && (rcu == null || wcu == null)) {
            throw ApiException.validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
        }
        if (!provisioned && throughput != null) {
            throw ApiException.validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
        }
        List<IndexDefinitions.Spec> indexes = IndexDefinitions.forCreateTable(request, keySchema, defined, provisioned);
        boolean fromNode = request.has(Forwarder.FORWARDED_MEMBER);
        // The catalog's leader decides; this node's copy answers a name it knows to be taken at once.
        if (!fromNode && catalog.table(name) != null) {
            throw ApiException.resourceInUse("Table already exists: " + name);
        }
        TableDescriptor table = fromNode && request.has(TABLE_MEMBER) ? carriedTable(request, name)
                : newTable(name, keySchema, defined, provisioned, rcu, wcu, indexes, stream);
        // The table is decided once, by the first node: a retry, here or at another leader, is the
        // same incarnation, which the catalog records once (the change is idempotent).
        ObjectNode routed = request.deepCopy();
        routed.put(TABLE_MEMBER, TableRecordCodec.encode(table));
        CompletableFuture<ObjectNode> created = router.toLeader("CreateTable", routed, handOff ->
                catalogChange(() -> catalogWriter.create(table), true, handOff).thenApply(t -> {
                    ObjectNode response = JSON.objectNode();
                    response.set("TableDescription", TableDescriptions.describe(t, region, 0, 0));
                    return response;
                }));
        // Only the node that answers the client waits for its copy to show the change.
        return fromNode ? created
                : created.thenCompose(response -> catalog.awaitTable(name, t -> t != null, READ_OWN_CHANGE_MS).thenApply(v -> response));
    }

    /** A CreateTable forwarded by a node carries the table that node decided on. */
    static final String TABLE_MEMBER = NodeOnlyMembers.PREFIX + "Table";

    private static TableDescriptor carriedTable(ObjectNode request, String name) {
        try {
            TableDescriptor t = TableRecordCodec.decode(request.get(TABLE_MEMBER).binaryValue());
            if (!t.name().equals(name)) throw new IllegalArgumentException("carries table " + t.name());
            return t;
        } catch (java.io.IOException | RuntimeException e) {
            throw ApiException.validation("A forwarded CreateTable for " + name + " carries no valid table: " + e.getMessage());
        }
    }

    private TableDescriptor newTable(String name, KeySchema keySchema, Map<String, ScalarType> defined, boolean provisioned,
                                     Long rcu, Long wcu, List<IndexDefinitions.Spec> indexSpecs, StreamSpecifications.Change stream) {
        List<AttributeDefinition> definitions = new ArrayList<>();
        defined.forEach((n, t) -> definitions.add(new AttributeDefinition(n, t)));
        long tableId = newTableId();
        long nowMs = time.wallClockMs();
        List<IndexDescriptor> indexes = new ArrayList<>();
        // A new table is empty: its global indexes have nothing to backfill.
        for (IndexDefinitions.Spec spec : indexSpecs) indexes.add(newIndex(name, spec, IndexDescriptor.IndexStatus.ACTIVE));
        return new TableDescriptor(name, tableId, keySchema, definitions,
                provisioned ? "PROVISIONED" : "PAY_PER_REQUEST", provisioned ? rcu : 0, provisioned ? wcu : 0,
                defaultPartitions, nowMs, TableStatus.CREATING,
                WalRecords.walTopic(topicPrefix, name, tableId),
                Placement.table(defaultPartitions, nodes(), Placement.DEFAULT_REPLICATION_FACTOR), indexes,
                stream instanceof StreamSpecifications.Enable enable
                        ? StreamSpecifications.newStream(topicPrefix, name, newTableId(), enable.viewType(), nowMs) : null);
    }

    /** An index incarnation of a table named {@code tableName}: its id and, for a global index, its topic and placement. */
    private IndexDescriptor newIndex(String tableName, IndexDefinitions.Spec spec, IndexDescriptor.IndexStatus status) {
        long indexId = newTableId();
        if (spec.kind() == IndexDescriptor.Kind.LOCAL) return IndexDescriptor.local(spec.name(), indexId, spec.keySchema(), spec.projection());
        return new IndexDescriptor(spec.name(), indexId, IndexDescriptor.Kind.GLOBAL, spec.keySchema(), spec.projection(), status,
                status == IndexDescriptor.IndexStatus.CREATING, defaultPartitions,
                IndexRow.topic(topicPrefix, tableName, spec.name(), indexId),
                Placement.table(defaultPartitions, nodes(), Placement.DEFAULT_REPLICATION_FACTOR),
                spec.readCapacityUnits(), spec.writeCapacityUnits());
    }

    private Collection<NodeInfo> nodes() {
        Collection<NodeInfo> nodes = members.get();
        if (nodes.isEmpty()) throw ApiException.serviceUnavailable("The cluster's nodes are not known yet; retry the request");
        return nodes;
    }

    /**
     * UpdateTable: adds a global secondary index (CREATING and backfilled from the table's WAL,
     * then ACTIVE) or deletes one. The first node decides the new index (its id and placement) and
     * carries it to the catalog's leader, so that a retry there, or at another leader, is the same
     * index, which the catalog records once.
     */
    public CompletableFuture<ObjectNode> updateTable(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        String name = Params.requiredTableName(request, "TableName", errors);
        IndexDefinitions.checkUpdateTableMembers(request, errors);
        errors.throwIfAny();
        boolean fromNode = request.has(Forwarder.FORWARDED_MEMBER);
        boolean indexUpdates = request.path("GlobalSecondaryIndexUpdates").isArray() && !request.path("GlobalSecondaryIndexUpdates").isEmpty();
        StreamSpecifications.Change streamChange = StreamSpecifications.parse(request);
        List<String> tableChanges = UPDATE_TABLE_CHANGES.stream().filter(p -> request.hasNonNull(p)).toList();
        if (!indexUpdates && streamChange == null && tableChanges.isEmpty()) {
            throw ApiException.validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates "
                    + "or SSESpecification or ReplicaUpdates is required");
        }
        if (!tableChanges.isEmpty()) {
            throw ApiException.validation("UpdateTable changes only GlobalSecondaryIndexUpdates and StreamSpecification in this version of Dynalog; not supported: "
                    + String.join(", ", tableChanges));
        }
        TableDescriptor table = catalog.table(name);
        if (table == null) throw ApiException.resourceNotFound("Requested resource not found: Table: " + name + " not found");
        List<IndexDescriptor> created = new ArrayList<>();
        TableDescriptor carried = fromNode && request.has(TABLE_MEMBER) ? carriedTable(request, name) : null;
        if (carried != null) created.addAll(carried.indexes());
        TableStream newStream = carried != null ? carried.stream()
                : streamChange == null ? null
                : StreamSpecifications.decide(table, streamChange, topicPrefix, newTableId(), time.wallClockMs());
        // Checked here against this node's copy, so that a plain mistake fails at once; the
        // catalog's leader checks again against the record.
        if (!fromNode) StreamSpecifications.apply(table, streamChange, newStream);
        // A retry of a change that took effect finds its own new indexes in the catalog: check the
        // request against the table without them, and let the catalog's leader see it is the same.
        List<String> createdNames = created.stream().map(IndexDescriptor::name).toList();
        TableDescriptor basis = table.withIndexes(table.indexes().stream().filter(i -> !createdNames.contains(i.name())).toList());
        List<IndexDefinitions.Update> updates = IndexDefinitions.forUpdateTable(request, basis);
        if (created.isEmpty()) {
            for (IndexDefinitions.Update u : updates) {
                if (u instanceof IndexDefinitions.Create c) created.add(newIndex(name, c.spec(), IndexDescriptor.IndexStatus.CREATING));
            }
        }
        ObjectNode routed = request.deepCopy();
        routed.put(TABLE_MEMBER, TableRecordCodec.encode(table.withIndexes(created).withStream(newStream)));
        // A delete that took effect would fail when retried: it is not repeated when its outcome is unknown.
        boolean idempotent = updates.stream().noneMatch(u -> u instanceof IndexDefinitions.Delete);
        CompletableFuture<ObjectNode> updated = router.toLeader("UpdateTable", routed, idempotent, handOff ->
                catalogChange(() -> catalogWriter.update(name, current -> StreamSpecifications.apply(
                        IndexUpdates.apply(current, updates, created), streamChange, newStream)), idempotent, handOff)
                        .thenApply(t -> {
                            ObjectNode response = JSON.objectNode();
                            response.set("TableDescription", TableDescriptions.describe(t, region, 0, 0));
                            return response;
                        }));
        if (fromNode) return updated;
        return updated.thenCompose(response -> catalog.awaitTable(name,
                t -> t != null && IndexUpdates.shows(t, updates, created) && StreamSpecifications.shows(t, streamChange, newStream),
                READ_OWN_CHANGE_MS).thenApply(v -> response));
    }

    /** UpdateTable's changes of the table itself (not of its indexes), which this version does not make. */
    private static final List<String> UPDATE_TABLE_CHANGES = List.of("ProvisionedThroughput", "BillingMode",
            "SSESpecification", "ReplicaUpdates", "TableClass", "DeletionProtectionEnabled", "OnDemandThroughput", "WarmThroughput");

    /** Marks a backfilled global index ACTIVE, at the catalog's leader (the node watching its backfill calls it). */
    @Override
    public CompletableFuture<Void> markIndexActive(TableDescriptor table, IndexDescriptor index) {
        return indexServed(indexRequest(table, index)).thenApply(response -> null);
    }

    /** A request between nodes about an index incarnation of a table incarnation. */
    private static ObjectNode indexRequest(TableDescriptor table, IndexDescriptor index) {
        ObjectNode request = JSON.objectNode();
        request.put("TableName", table.name());
        request.put("TableId", Long.toHexString(table.tableId()));
        request.put("IndexId", Long.toHexString(index.indexId()));
        return request;
    }

    /** The index a request between nodes names (see {@link #indexRequest}). */
    private record IndexRef(String tableName, long tableId, long indexId) {
        static IndexRef of(ObjectNode request) {
            try {
                return new IndexRef(request.path("TableName").asText(), Long.parseUnsignedLong(request.path("TableId").asText(), 16),
                        Long.parseUnsignedLong(request.path("IndexId").asText(), 16));
            } catch (NumberFormatException e) {
                throw ApiException.validation("TableId and IndexId must be incarnation ids: " + e.getMessage());
            }
        }
    }

    /** The internal operation behind {@link #markIndexActive}, between nodes only. */
    public CompletableFuture<ObjectNode> indexServedOperation(ObjectNode request) {
        if (!request.has(Forwarder.FORWARDED_MEMBER)) throw ApiException.unknownOperation("Unknown operation: " + INDEX_SERVED_OPERATION);
        return indexServed(request);
    }

    private CompletableFuture<ObjectNode> indexServed(ObjectNode request) {
        IndexRef index = IndexRef.of(request);
        return router.toLeader(INDEX_SERVED_OPERATION, request, handOff -> catalogChange(
                () -> catalogWriter.markIndexActive(index.tableName(), index.tableId(), index.indexId()), true, handOff)
                .thenApply(t -> JSON.objectNode()));
    }

    public static final String INDEX_SERVED_OPERATION = "DynalogIndexServed";

    /**
     * Marks a table served by the nodes of its partitions ACTIVE, at the catalog's leader (a
     * node's lifecycle calls it once its replicas of the table are served).
     */
    @Override
    public CompletableFuture<Void> markActive(TableDescriptor table) {
        ObjectNode request = JSON.objectNode();
        request.put("TableName", table.name());
        request.put("TableId", Long.toHexString(table.tableId()));
        return markServed(request, table.name(), table.tableId()).thenApply(response -> null);
    }

    /**
     * The internal operation behind {@link #markActive}, between nodes only: a request that no
     * node forwarded is not one this API knows.
     */
    public CompletableFuture<ObjectNode> tableServed(ObjectNode request) {
        if (!request.has(Forwarder.FORWARDED_MEMBER) || !request.path("TableName").isTextual() || !request.path("TableId").isTextual()) {
            throw ApiException.unknownOperation("Unknown operation: " + TABLE_SERVED_OPERATION);
        }
        long tableId;
        try {
            tableId = Long.parseUnsignedLong(request.get("TableId").asText(), 16);
        } catch (NumberFormatException e) {
            throw ApiException.validation("TableId is not a table incarnation id: " + request.get("TableId").asText());
        }
        return markServed(request, request.get("TableName").asText(), tableId);
    }

    private CompletableFuture<ObjectNode> markServed(ObjectNode request, String name, long tableId) {
        return router.toLeader(TABLE_SERVED_OPERATION, request, handOff ->
                catalogChange(() -> catalogWriter.markActive(name, tableId), true, handOff).thenApply(t -> JSON.objectNode()));
    }

    public static final String TABLE_SERVED_OPERATION = "DynalogTableServed";
    public static final String GROUP_CONFIGURATION_OPERATION = "DynalogGroupConfiguration";
    public static final String INDEX_REPLICAS_OPERATION = "DynalogIndexReplicas";

    /**
     * Moves a global index partition's replicas from {@code expected} to {@code next} in the
     * catalog, at the catalog's leader; no change when they are no longer on {@code expected}.
     */
    @Override
    public CompletableFuture<Void> moveIndexReplicas(TableDescriptor table, IndexDescriptor index, int partition,
                                                     List<Integer> expected, List<Integer> next) {
        ObjectNode request = indexRequest(table, index);
        request.put("Partition", partition);
        expected.forEach(request.putArray("Expected")::add);
        next.forEach(request.putArray("Replicas")::add);
        return indexReplicasMoved(request).thenApply(response -> null);
    }

    /** The internal operation behind {@link #moveIndexReplicas}, between nodes only. */
    public CompletableFuture<ObjectNode> indexReplicasOperation(ObjectNode request) {
        if (!request.has(Forwarder.FORWARDED_MEMBER)) throw ApiException.unknownOperation("Unknown operation: " + INDEX_REPLICAS_OPERATION);
        return indexReplicasMoved(request);
    }

    private CompletableFuture<ObjectNode> indexReplicasMoved(ObjectNode request) {
        IndexRef index = IndexRef.of(request);
        int partition = request.path("Partition").asInt(-1);
        List<Integer> expected = new ArrayList<>();
        request.path("Expected").forEach(v -> expected.add(v.asInt()));
        List<Integer> next = new ArrayList<>();
        request.path("Replicas").forEach(v -> next.add(v.asInt()));
        if (partition < 0 || next.isEmpty()) throw ApiException.validation("Partition and Replicas must name an index partition's nodes");
        return router.toLeader(INDEX_REPLICAS_OPERATION, request, handOff -> catalogChange(
                () -> catalogWriter.moveIndexReplicas(index.tableName(), index.tableId(), index.indexId(), partition, expected, next),
                true, handOff)
                .thenApply(t -> JSON.objectNode()));
    }

    /**
     * Records a configuration chosen in a table partition's replica group in the catalog, at the
     * catalog's leader (the group's leader calls it once the configuration is chosen), so that the
     * nodes it names join the group and the ones it drops leave. An older one than recorded is no change.
     */
    @Override
    public CompletableFuture<Void> recordConfiguration(TableDescriptor table, int partition, Configuration configuration) {
        ObjectNode request = JSON.objectNode();
        request.put("TableName", table.name());
        request.put("TableId", Long.toHexString(table.tableId()));
        request.put("Partition", partition);
        request.put("Version", configuration.version());
        configuration.voters().forEach(request.putArray("Voters")::add);
        configuration.learners().forEach(request.putArray("Learners")::add);
        return configurationChosen(request).thenApply(response -> null);
    }

    /** The internal operation behind {@link #recordConfiguration}, between nodes only. */
    public CompletableFuture<ObjectNode> configurationChosenOperation(ObjectNode request) {
        if (!request.has(Forwarder.FORWARDED_MEMBER)) {
            throw ApiException.unknownOperation("Unknown operation: " + GROUP_CONFIGURATION_OPERATION);
        }
        return configurationChosen(request);
    }

    private CompletableFuture<ObjectNode> configurationChosen(ObjectNode request) {
        String name = request.path("TableName").asText();
        long tableId;
        Configuration configuration;
        int partition = request.path("Partition").asInt(-1);
        try {
            tableId = Long.parseUnsignedLong(request.path("TableId").asText(), 16);
            List<Integer> voters = new ArrayList<>();
            request.path("Voters").forEach(v -> voters.add(v.asInt()));
            List<Integer> learners = new ArrayList<>();
            request.path("Learners").forEach(v -> learners.add(v.asInt()));
            configuration = new Configuration(request.path("Version").asLong(-1), voters, learners);
        } catch (IllegalArgumentException e) {
            throw ApiException.validation("not a group configuration of a table incarnation: " + e.getMessage());
        }
        if (partition < 0) throw ApiException.validation("Partition must be a partition number");
        return router.toLeader(GROUP_CONFIGURATION_OPERATION, request, handOff -> catalogChange(
                () -> catalogWriter.recordConfiguration(name, tableId, partition, configuration), true, handOff)
                .thenApply(t -> JSON.objectNode()));
    }
    public static final String IMPORT_TABLE_OPERATION = "DynalogImportTable";

    /**
     * Records a table exactly as described (an earlier version's catalog entry), at the catalog's
     * leader; no change when the catalog has it already. Fails with ResourceInUse when the name
     * belongs to another table.
     */
    @Override
    public CompletableFuture<Void> importTable(TableDescriptor table) {
        ObjectNode request = JSON.objectNode();
        request.put(TABLE_MEMBER, TableRecordCodec.encode(table));
        return importHere(request, table).thenApply(response -> null);
    }

    /** The internal operation behind {@link #importTable}, between nodes only. */
    public CompletableFuture<ObjectNode> importedTable(ObjectNode request) {
        TableDescriptor table;
        try {
            if (!request.has(Forwarder.FORWARDED_MEMBER)) throw new IllegalArgumentException("not forwarded");
            table = TableRecordCodec.decode(request.path(TABLE_MEMBER).binaryValue());
        } catch (java.io.IOException | RuntimeException e) {
            throw ApiException.unknownOperation("Unknown operation: " + IMPORT_TABLE_OPERATION);
        }
        return importHere(request, table);
    }

    private CompletableFuture<ObjectNode> importHere(ObjectNode request, TableDescriptor table) {
        return router.toLeader(IMPORT_TABLE_OPERATION, request, handOff ->
                catalogChange(() -> catalogWriter.create(table), true, handOff).thenApply(t -> JSON.objectNode()));
    }

    /** A catalog change at the catalog's leader, retried here through a leader change until the write deadline. */
    private <T> CompletableFuture<T> catalogChange(java.util.function.Supplier<CompletableFuture<T>> change, boolean idempotent,
                                                          java.util.function.Predicate<Throwable> handOff) {
        return futures.writeDeadline(futures.retrying(change, idempotent, Futures.WRITE_WAIT_MS, handOff));
    }

    /** How long a node that answered a catalog change waits for its own catalog copy to show it. */
    static final long READ_OWN_CHANGE_MS = 5_000;

    public CompletableFuture<ObjectNode> describeTable(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        String name = Params.requiredTableName(request, "TableName", errors);
        errors.throwIfAny();
        TableDescriptor t = catalog.table(name);
        if (t == null) throw ApiException.resourceNotFound("Requested resource not found: Table: " + name + " not found");
        ObjectNode response = JSON.objectNode();
        long sizeBytes = store.approximateSizeBytes(t.tableId());
        Map<Long, Long> indexSizes = new java.util.HashMap<>(); // each index sized once
        response.set("Table", TableDescriptions.describe(t, region, sizeBytes, itemCount(t.tableId(), sizeBytes),
                index -> indexSizes.computeIfAbsent(index.indexId(), store::approximateSizeBytes),
                index -> itemCount(index.indexId(), indexSizes.computeIfAbsent(index.indexId(), store::approximateSizeBytes))));
        return CompletableFuture.completedFuture(response);
    }

    public CompletableFuture<ObjectNode> listTables(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        Integer limit = Params.optionalInteger(request, "Limit", 1, 100, errors);
        String start = Params.optionalTableName(request, "ExclusiveStartTableName", errors);
        errors.throwIfAny();
        int max = limit == null ? 100 : limit;
        ObjectNode response = JSON.objectNode();
        ArrayNode names = response.putArray("TableNames");
        String last = null;
        boolean more = false;
        for (TableDescriptor t : catalog.tables()) {
            if (start != null && t.name().compareTo(start) <= 0) continue;
            if (names.size() == max) {
                more = true;
                break;
            }
            names.add(t.name());
            last = t.name();
        }
        if (more) response.put("LastEvaluatedTableName", last);
        return CompletableFuture.completedFuture(response);
    }

    public CompletableFuture<ObjectNode> deleteTable(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        String name = Params.requiredTableName(request, "TableName", errors);
        errors.throwIfAny();
        boolean fromNode = request.has(Forwarder.FORWARDED_MEMBER);
        // Not retried when its outcome is unknown: a retry of a delete that took effect would say the table was never there.
        CompletableFuture<ObjectNode> deleted = router.toLeader("DeleteTable", request, false, handOff ->
                catalogChange(() -> catalogWriter.delete(name), false, handOff).thenApply(t -> {
                    ObjectNode response = JSON.objectNode();
                    response.set("TableDescription", TableDescriptions.describe(t, region, 0, 0));
                    return response;
                }));
        if (fromNode) return deleted;
        return deleted.thenCompose(response -> {
            String deletedId = response.path("TableDescription").path("TableId").asText();
            return catalog.awaitTable(name, t -> t == null || !TableDescriptions.tableIdText(t.tableId()).equals(deletedId),
                    READ_OWN_CHANGE_MS).thenApply(v -> response);
        });
    }

    /**
     * The number of items (or index rows), exact up to {@value #EXACT_ITEM_COUNT_LIMIT} and estimated from the
     * table's size beyond (DynamoDB's ItemCount is approximate too: it refreshes every six hours),
     * so that DescribeTable, which clients poll, stays cheap on any table.
     */
    private long itemCount(long keySpaceId, long sizeBytes) {
        long count = 0;
        long countedBytes = 0;
        try (ReplicaStore.RangeCursor c = store.range(keySpaceId, null, null, true)) {
            for (; c.valid(); c.next()) {
                if (count == EXACT_ITEM_COUNT_LIMIT) {
                    return countedBytes == 0 ? count : Math.max(count, sizeBytes * count / countedBytes);
                }
                count++;
                countedBytes += c.storeKey().length + c.encodedItem().length;
            }
        }
        return count;
    }

    private static final int EXACT_ITEM_COUNT_LIMIT = 10_000;

    private long newTableId() {
        long id;
        do {
            id = random.nextLong() & Long.MAX_VALUE;
        } while (id == 0 || id == Long.MAX_VALUE);
        return id;
    }

    /** The KeySchema elements as (attribute name, key type) pairs, with element-level violations recorded. */
    private static List<String[]> keyElements(ArrayNode elements, ValidationErrors errors) {
        List<String[]> keys = new ArrayList<>();
        for (int i = 0; i < elements.size(); i++) {
            JsonNode e = elements.get(i);
            ValidationErrors within = errors.within("keySchema." + (i + 1) + ".member");
            String attr = Params.requiredString(e, "AttributeName", within);
            KeyType keyType = Params.requiredEnum(e, "KeyType", KeyType.class, within);
            if (attr != null && (attr.isEmpty() || attr.length() > 255)) {
                within.violation("AttributeName", e.get("AttributeName"),
                        attr.isEmpty() ? "Member must have length greater than or equal to 1" : "Member must have length less than or equal to 255");
            }
            if (attr != null && keyType != null) keys.add(new String[] {attr, keyType.name()});
        }
        return keys;
    }

    private static Map<String, ScalarType> definitions(ArrayNode elements, ValidationErrors errors) {
        Map<String, ScalarType> defined = new LinkedHashMap<>();
        for (int i = 0; i < elements.size(); i++) {
            JsonNode e = elements.get(i);
            ValidationErrors within = errors.within("attributeDefinitions." + (i + 1) + ".member");
            String attr = Params.requiredString(e, "AttributeName", within);
            ScalarAttributeType type = Params.requiredEnum(e, "AttributeType", ScalarAttributeType.class, within);
            if (attr == null || type == null) continue;
            if (defined.put(attr, ScalarType.parse(type.name())) != null) {
                throw ApiException.validation("Cannot have two attributes with the same name. Attribute name: " + attr);
            }
        }
        return defined;
    }

    /**
     * The key schema from its elements and the AttributeDefinitions, which must define the key
     * attributes ({@link IndexDefinitions#checkDefinitionsUsed} checks that nothing else is defined
     * that no index uses).
     */
    private static KeySchema keySchema(List<String[]> keys, Map<String, ScalarType> defined) {
        if (!keys.get(0)[1].equals("HASH")) {
            throw ApiException.validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
        }
        if (keys.size() == 2) {
            if (!keys.get(1)[1].equals("RANGE")) {
                throw ApiException.validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
            }
            if (keys.get(0)[0].equals(keys.get(1)[0])) {
                throw ApiException.validation("Both the Hash Key and the Range Key element in the KeySchema have the same name");
            }
        }
        List<String> keyNames = keys.stream().map(k -> k[0]).toList();
        List<String> missing = keyNames.stream().filter(k -> !defined.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            throw ApiException.validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: "
                    + missing + ", AttributeDefinitions: " + new ArrayList<>(defined.keySet()));
        }
        return keyNames.size() == 1
                ? KeySchema.hash(keyNames.get(0), defined.get(keyNames.get(0)))
                : KeySchema.hashRange(keyNames.get(0), defined.get(keyNames.get(0)), keyNames.get(1), defined.get(keyNames.get(1)));
    }

    /** DynamoDB's enums, declared in the order its messages list them. */
    private enum BillingMode { PROVISIONED, PAY_PER_REQUEST }

    private enum KeyType { HASH, RANGE }

    private enum ScalarAttributeType { B, N, S }

}
