package io.dynalog.api.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.json.Params;
import io.dynalog.api.json.ValidationErrors;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.IndexProjection;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableDescriptor.AttributeDefinition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The secondary indexes a request defines: CreateTable's LocalSecondaryIndexes and
 * GlobalSecondaryIndexes, UpdateTable's GlobalSecondaryIndexUpdates, checked in DynamoDB's words
 * and, as far as it is known, in its order. Like DynamoDB, in two phases:
 *
 * <ol>
 *   <li>Member constraints ({@link #checkCreateTableMembers}, {@link #checkUpdateTableMembers}):
 *       each member as the API model constrains it (not null, lengths, the name pattern, enums),
 *       recorded into the request's {@link ValidationErrors} so that they are reported together
 *       with the table's own in one "N validation errors detected" message. A member of the wrong
 *       JSON type is a SerializationException at once.
 *   <li>The rules between members and against the table ({@link #forCreateTable},
 *       {@link #forUpdateTable}): the first broken one is thrown. These read the members again,
 *       so they are complete on their own: a caller that skipped phase 1 gets the same member
 *       violations, only not merged with the table's.
 * </ol>
 *
 * <p>Messages that list attribute names ({@code Keys: [...], AttributeDefinitions: [...]}) list
 * them last-given first, as DynamoDB does ({@code [{a}, {b}]} is printed {@code [b, a]}); the
 * {@code defined} maps passed in must therefore keep the request's order (LinkedHashMap).
 */
final class IndexDefinitions {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** The prefix of DynamoDB's messages for rules between parameters. */
    private static final String INVALID = "One or more parameter values were invalid: ";
    private static final String NOT_NULL = "Member must not be null";
    private static final String ONE_ONLINE_INDEX =
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table";

    /** DynamoDB's limits: 20 NonKeyAttributes in one index (a member constraint), 100 summed over a table's indexes. */
    static final int MAX_NON_KEY_ATTRIBUTES_PER_INDEX = 20;
    static final int MAX_NON_KEY_ATTRIBUTES_PER_TABLE = 100;
    /** An attribute name (key or projected) is 1 to 255 characters. */
    private static final int MAX_ATTRIBUTE_NAME_CHARS = 255;

    private IndexDefinitions() {}

    /**
     * An index as a request defines it, before ids, topics and placement are assigned.
     *
     * @param readCapacityUnits the index's own throughput: 0 for a LOCAL index (it shares its
     *     table's) and for a GLOBAL one of a PAY_PER_REQUEST table
     */
    record Spec(String name, IndexDescriptor.Kind kind, KeySchema keySchema, IndexProjection projection,
                long readCapacityUnits, long writeCapacityUnits) {}

    /** One action of UpdateTable's GlobalSecondaryIndexUpdates, checked against the table. */
    sealed interface Update permits Create, Delete, Throughput {}

    /**
     * Adds a global index. {@code newDefinitions} defines the index's key attributes (one or two,
     * with the table's types where it already has them): the table's AttributeDefinitions must
     * hold them once the index is added, merged by name.
     */
    record Create(Spec spec, List<AttributeDefinition> newDefinitions) implements Update {}

    /**
     * Deletes a global index: an ACTIVE one, or a CREATING one that is already backfilling
     * (DynamoDB cancels the backfill; during resource allocation, before the backfill, it refuses).
     */
    record Delete(String indexName) implements Update {}

    /**
     * UpdateTable's Update action: new provisioned throughput for an ACTIVE or CREATING global
     * index of a PROVISIONED table. DynamoDB (and DynamoDB Local) apply it and report the new
     * values; nothing else of the index changes.
     */
    record Throughput(String indexName, long readCapacityUnits, long writeCapacityUnits) implements Update {}

    // ---------------------------------------------------------------------------------- CreateTable

    /**
     * Records the member violations of CreateTable's LocalSecondaryIndexes and
     * GlobalSecondaryIndexes (either may be absent) into {@code errors}, the request's, before
     * the caller throws them all.
     */
    static void checkCreateTableMembers(ObjectNode request, ValidationErrors errors) {
        readIndexes(request, IndexDescriptor.Kind.LOCAL, errors);
        readIndexes(request, IndexDescriptor.Kind.GLOBAL, errors);
    }

    /**
     * CreateTable: the LocalSecondaryIndexes and GlobalSecondaryIndexes of the request (either
     * may be absent), validated against the table's key schema, the AttributeDefinitions and the
     * billing mode. Runs the whole AttributeDefinitions rule ({@link #checkDefinitionsUsed}), also
     * for a request without indexes, so the caller checks only that the table's own key
     * attributes are defined (it needs their types for {@code tableKey}).
     *
     * @param defined the AttributeDefinitions in the request's order
     * @return the indexes, local ones first, each list in the request's order; empty without indexes
     */
    static List<Spec> forCreateTable(ObjectNode request, KeySchema tableKey, Map<String, ScalarType> defined,
                                     boolean provisioned) {
        ValidationErrors errors = new ValidationErrors();
        List<Requested> locals = readIndexes(request, IndexDescriptor.Kind.LOCAL, errors);
        List<Requested> globals = readIndexes(request, IndexDescriptor.Kind.GLOBAL, errors);
        errors.throwIfAny();
        if (locals != null) {
            if (locals.isEmpty()) throw invalid("List of LocalSecondaryIndexes is empty");
            if (!tableKey.hasSortKey()) {
                throw invalid("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
            }
        }
        if (globals != null && globals.isEmpty()) throw invalid("List of GlobalSecondaryIndexes is empty");
        locals = locals == null ? List.of() : locals;
        globals = globals == null ? List.of() : globals;

        // The definitions come before every rule of a single index: an unused one hides the rest.
        List<List<String>> indexKeys = new ArrayList<>();
        locals.forEach(r -> indexKeys.add(r.keyNames()));
        globals.forEach(r -> indexKeys.add(r.keyNames()));
        checkDefinitionsUsed(keyNames(tableKey), indexKeys, defined);

        Set<String> names = new HashSet<>();
        List<Spec> specs = new ArrayList<>();
        for (Requested r : locals) {
            checkKeyOrder(r.keys());
            if (r.keys().size() != 2) throw invalid("Index KeySchema does not have a range key for index: " + r.name());
            String hash = r.keys().get(0)[0];
            if (!hash.equals(tableKey.partitionKey())) {
                throw invalid("Index KeySchema does not have the same leading hash key as table KeySchema for index: "
                        + r.name() + ". index hash key: " + hash + ", table hash key: " + tableKey.partitionKey());
            }
            IndexProjection projection = projection(r);
            if (!names.add(r.name())) throw invalid("Duplicate index name: " + r.name());
            specs.add(new Spec(r.name(), IndexDescriptor.Kind.LOCAL, keySchema(r.keys(), defined), projection, 0, 0));
        }
        if (locals.size() > TableDescriptor.MAX_LOCAL_INDEXES) {
            throw invalid("Number of LocalSecondaryIndexes exceeds per-table limit of " + TableDescriptor.MAX_LOCAL_INDEXES);
        }
        for (Requested r : globals) {
            checkKeyOrder(r.keys());
            IndexProjection projection = projection(r);
            if (provisioned && !r.hasThroughput()) throw invalid("ProvisionedThroughput is not specified for index: " + r.name());
            if (!provisioned && r.hasThroughput()) {
                throw invalid("ProvisionedThroughput should not be specified for index: " + r.name() + " when BillingMode is PAY_PER_REQUEST");
            }
            if (!names.add(r.name())) throw invalid("Duplicate index name: " + r.name());
            specs.add(new Spec(r.name(), IndexDescriptor.Kind.GLOBAL, keySchema(r.keys(), defined), projection,
                    r.readCapacityUnits(), r.writeCapacityUnits()));
        }
        if (globals.size() > TableDescriptor.MAX_GLOBAL_INDEXES) {
            throw invalid("GlobalSecondaryIndex count exceeds the per-table limit of " + TableDescriptor.MAX_GLOBAL_INDEXES);
        }
        checkProjectedTotal(specs.stream().mapToInt(s -> s.projection().nonKeyAttributes().size()).sum());
        return specs;
    }

    /**
     * The first half of the AttributeDefinitions rule, the table's own key: as many definitions
     * as key elements at least, and each key attribute defined. {@code tableKeys} are the table's
     * KeySchema attribute names as given (a repeated name counts twice, as in DynamoDB).
     */
    static void checkTableKeysDefined(List<String> tableKeys, Map<String, ScalarType> defined) {
        if (tableKeys.size() > defined.size()) {
            throw ApiException.validation("Invalid KeySchema: Some index key attribute have no definition");
        }
        checkKeysDefined(tableKeys, defined);
    }

    /**
     * The AttributeDefinitions rule of CreateTable, generalised to indexes: every key attribute
     * of the table and of every index must be defined, and every definition used by some key.
     * Without indexes DynamoDB words the second part as a count mismatch; with them it names the
     * definitions and the keys used.
     *
     * @param tableKeys the table's key attribute names, partition key first
     * @param indexKeys each index's key attribute names, local indexes first, in the request's order
     * @param defined the AttributeDefinitions in the request's order
     */
    static void checkDefinitionsUsed(List<String> tableKeys, List<List<String>> indexKeys, Map<String, ScalarType> defined) {
        checkTableKeysDefined(tableKeys, defined);
        Set<String> used = new LinkedHashSet<>(tableKeys);
        if (indexKeys.isEmpty()) {
            if (defined.size() != used.size()) {
                throw invalid("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
            }
            return;
        }
        for (List<String> keys : indexKeys) {
            checkKeysDefined(keys, defined);
            used.addAll(keys);
        }
        if (!used.containsAll(defined.keySet())) {
            throw invalid("Some AttributeDefinitions are not used. AttributeDefinitions: " + listed(defined.keySet())
                    + ", keys used: " + listed(used));
        }
    }


    // ---------------------------------------------------------------------------------- UpdateTable

    /**
     * Records the member violations of UpdateTable's GlobalSecondaryIndexUpdates and
     * AttributeDefinitions (which only a Create action uses) into {@code errors}, the request's.
     */
    static void checkUpdateTableMembers(ObjectNode request, ValidationErrors errors) {
        readEntries(request, errors);
        readDefinitions(request, errors);
    }

    /**
     * UpdateTable's GlobalSecondaryIndexUpdates (absent: no actions), validated against the table
     * (its indexes, key schema and billing mode, or the BillingMode the request switches to) and
     * against the request's AttributeDefinitions.
     *
     * <p>The caller checks first that the request changes something ("At least one of ... is
     * required"), counting an empty GlobalSecondaryIndexUpdates as absent, as DynamoDB does; an
     * empty list that reaches this method is refused. Actions are all-or-nothing: the list is
     * returned only when every one of them is valid.
     *
     * @throws ApiException ValidationException for a broken rule, LimitExceededException for a
     *     second index created or deleted at once (in this request or on the table), for a 21st
     *     global index, ResourceNotFoundException for an unknown index, ResourceInUseException
     *     for an index whose creation or deletion is in progress
     */
    static List<Update> forUpdateTable(ObjectNode request, TableDescriptor table) {
        ValidationErrors errors = new ValidationErrors();
        List<Entry> entries = readEntries(request, errors);
        List<String[]> definitionList = readDefinitions(request, errors);
        errors.throwIfAny();
        if (entries == null) return List.of();
        if (entries.isEmpty()) throw invalid("List of GlobalSecondaryIndexUpdates is empty");

        Set<String> named = new HashSet<>();
        String structural = null; // the index a Create or Delete names; DynamoDB allows one at a time
        int structuralCount = 0;
        for (Entry e : entries) {
            int actions = (e.create() == null ? 0 : 1) + (e.delete() == null ? 0 : 1) + (e.update() == null ? 0 : 1);
            if (actions == 0) {
                throw invalid("One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                        + "GlobalSecondaryIndexUpdate.Delete must not be null");
            }
            if (actions > 1) throw invalid("Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object");
            String name = e.indexName();
            if (!named.add(name)) {
                throw invalid("Only one global secondary index update per index is allowed simultaneously. Index: " + name);
            }
            if (e.update() == null) {
                structural = name;
                structuralCount++;
            }
        }
        if (structuralCount > 1) throw ApiException.limitExceeded(ONE_ONLINE_INDEX);
        if (structural != null) {
            for (IndexDescriptor index : table.indexes()) {
                boolean changing = index.status() == IndexDescriptor.IndexStatus.CREATING
                        || index.status() == IndexDescriptor.IndexStatus.DELETING;
                if (changing && !index.name().equals(structural)) throw ApiException.limitExceeded(ONE_ONLINE_INDEX);
            }
        }

        boolean provisioned = effectivelyProvisioned(request, table);
        List<Update> updates = new ArrayList<>();
        for (Entry e : entries) {
            if (e.create() != null) updates.add(create(e.create(), definitionList, table, provisioned));
            else if (e.delete() != null) updates.add(delete(e.delete(), table));
            else updates.add(throughput(e.update(), table, provisioned));
        }
        return updates;
    }

    private static Create create(Requested r, List<String[]> definitionList, TableDescriptor table, boolean provisioned) {
        IndexDescriptor existing = table.index(r.name());
        if (existing != null && existing.status() == IndexDescriptor.IndexStatus.CREATING) {
            throw ApiException.resourceInUse("Attempt to change a resource which is still in use: Index is being created.  Table: "
                    + table.name() + " Index: " + r.name());
        }
        if (existing != null) throw ApiException.validation("Attempting to create an index which already exists");
        if (definitionList == null) throw invalid("AttributeDefinitions is not specified for index: " + r.name());
        Map<String, ScalarType> requested = definitionMap(definitionList);
        checkKeyOrder(r.keys());

        // A key attribute's type: as the request defines it, else as a key of the table has it.
        Map<String, String[]> keyed = keyElementsByAttribute(table);
        Map<String, ScalarType> types = new LinkedHashMap<>();
        List<AttributeDefinition> newDefinitions = new ArrayList<>();
        for (String[] key : r.keys()) {
            String attribute = key[0];
            ScalarType type = requested.get(attribute);
            String[] known = keyed.get(attribute); // {type, key type} of the first key that uses it
            if (type == null && known == null) {
                throw invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: " + listed(r.keyNames())
                        + ", AttributeDefinitions: " + listed(requested.keySet()));
            }
            if (type == null) type = ScalarType.parse(known[0]);
            if (known != null && !known[0].equals(type.name())) {
                throw invalid("Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. "
                        + "Existing schema: Schema:[SchemaElement: key{" + attribute + ":" + known[0] + ":" + known[1] + "}] "
                        + "New schema: Schema:[SchemaElement: key{" + attribute + ":" + type.name() + ":" + key[1] + "}]");
            }
            types.put(attribute, type);
            newDefinitions.add(new AttributeDefinition(attribute, type));
        }
        IndexProjection projection = projection(r);
        if (provisioned && !r.hasThroughput()) {
            throw invalid("Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: " + r.name());
        }
        if (!provisioned && r.hasThroughput()) {
            throw invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: " + r.name()
                    + " when BillingMode is PAY_PER_REQUEST");
        }
        if (table.globalIndexes().size() >= TableDescriptor.MAX_GLOBAL_INDEXES) {
            throw ApiException.limitExceeded("Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit of "
                    + TableDescriptor.MAX_GLOBAL_INDEXES);
        }
        checkProjectedTotal(table.indexes().stream().mapToInt(i -> i.projection().nonKeyAttributes().size()).sum()
                + projection.nonKeyAttributes().size());
        Spec spec = new Spec(r.name(), IndexDescriptor.Kind.GLOBAL, keySchema(r.keys(), types), projection,
                provisioned ? r.readCapacityUnits() : 0, provisioned ? r.writeCapacityUnits() : 0);
        return new Create(spec, List.copyOf(newDefinitions));
    }

    private static Delete delete(String name, TableDescriptor table) {
        IndexDescriptor index = table.index(name);
        if (index == null) throw unknownIndex(name, table);
        if (!index.isGlobal()) throw ApiException.validation("Cannot delete an index that is not a GlobalSecondaryIndex: " + name);
        if (index.status() == IndexDescriptor.IndexStatus.DELETING) {
            throw ApiException.resourceInUse("Attempt to change a resource which is still in use: Index is being deleted.  Table: "
                    + table.name() + " Index: " + name);
        }
        if (index.status() == IndexDescriptor.IndexStatus.CREATING && !index.backfilling()) {
            throw ApiException.resourceInUse("Attempt to change a resource which is still in use: Index creation is in resource "
                    + "allocation phase. Retry deletion during backfilling phase or when the index is active. Table: "
                    + table.name() + " Index: " + name);
        }
        return new Delete(name);
    }

    private static Throughput throughput(Requested r, TableDescriptor table, boolean provisioned) {
        IndexDescriptor index = table.index(r.name());
        if (index == null) throw unknownIndex(r.name(), table);
        if (!index.isGlobal()) throw ApiException.validation("Cannot update an index that is not a GlobalSecondaryIndex: " + r.name());
        if (!provisioned) {
            throw invalid("The only Updates for index: " + r.name()
                    + " when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput");
        }
        if (!r.hasThroughput()) throw invalid("Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: " + r.name());
        if (r.readCapacityUnits() == index.readCapacityUnits() && r.writeCapacityUnits() == index.writeCapacityUnits()) {
            throw ApiException.validation("The provisioned throughput for the index " + r.name()
                    + " will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for index "
                    + r.name() + ": " + index.readCapacityUnits() + ". Requested ReadCapacityUnits: " + r.readCapacityUnits()
                    + ". Current WriteCapacityUnits provisioned for index " + r.name() + ": " + index.writeCapacityUnits()
                    + ". Requested WriteCapacityUnits: " + r.writeCapacityUnits()
                    + ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.");
        }
        return new Throughput(r.name(), r.readCapacityUnits(), r.writeCapacityUnits());
    }

    private static ApiException unknownIndex(String name, TableDescriptor table) {
        return ApiException.resourceNotFound("Requested resource not found: Index " + name + " for table " + table.name());
    }

    /** The billing mode that holds once the request applies: its BillingMode, else the table's. */
    private static boolean effectivelyProvisioned(ObjectNode request, TableDescriptor table) {
        JsonNode mode = request.get("BillingMode");
        String billing = mode != null && mode.isTextual() ? mode.textValue() : table.billingMode();
        return !"PAY_PER_REQUEST".equals(billing);
    }

    /** Each attribute a key of the table uses, with {type, key type} of the first key (table, then indexes) that does. */
    private static Map<String, String[]> keyElementsByAttribute(TableDescriptor table) {
        Map<String, String[]> keyed = new LinkedHashMap<>();
        List<KeySchema> keys = new ArrayList<>();
        keys.add(table.keySchema());
        table.indexes().forEach(i -> keys.add(i.keySchema()));
        for (KeySchema k : keys) {
            keyed.putIfAbsent(k.partitionKey(), new String[] {k.partitionKeyType().name(), "HASH"});
            if (k.hasSortKey()) keyed.putIfAbsent(k.sortKey(), new String[] {k.sortKeyType().name(), "RANGE"});
        }
        return keyed;
    }

    // ---------------------------------------------------------------------------------- rules shared

    /** A KeySchema's elements in DynamoDB's order of checks (its length is a member constraint, already met). */
    private static void checkKeyOrder(List<String[]> keys) {
        if (keys.size() == 2 && keys.get(0)[0].equals(keys.get(1)[0])) {
            throw ApiException.validation("Both the Hash Key and the Range Key element in the KeySchema have the same name");
        }
        if (!"HASH".equals(keys.get(0)[1])) {
            throw ApiException.validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
        }
        if (keys.size() == 2 && !"RANGE".equals(keys.get(1)[1])) {
            throw ApiException.validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
        }
    }

    private static void checkKeysDefined(List<String> keys, Map<String, ScalarType> defined) {
        for (String key : keys) {
            if (!defined.containsKey(key)) {
                throw invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: " + listed(keys)
                        + ", AttributeDefinitions: " + listed(defined.keySet()));
            }
        }
    }

    /** The projection of an index whose members met their constraints (ProjectionType may still be absent). */
    private static IndexProjection projection(Requested r) {
        IndexProjection.Type type = r.projectionType();
        List<String> nonKey = r.nonKeyAttributes();
        if (type == null) throw invalid("Unknown ProjectionType: null");
        if (nonKey != null && type != IndexProjection.Type.INCLUDE) {
            throw invalid("ProjectionType is " + type + ", but NonKeyAttributes is specified");
        }
        if (type == IndexProjection.Type.INCLUDE && nonKey == null) {
            throw invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
        }
        if (nonKey == null) return new IndexProjection(type, List.of());
        Set<String> seen = new HashSet<>();
        for (String attribute : nonKey) {
            if (!seen.add(attribute)) throw invalid("Duplicate element in NonKeyAttributes: " + attribute);
        }
        return new IndexProjection(type, nonKey);
    }

    /**
     * The NonKeyAttributes of all a table's indexes, summed: an attribute projected into two
     * indexes counts twice (DynamoDB's documented rule).
     */
    private static void checkProjectedTotal(int total) {
        if (total > MAX_NON_KEY_ATTRIBUTES_PER_TABLE) {
            throw invalid("Number of NonKeyAttributes across all secondary indexes exceeds per-table limit of "
                    + MAX_NON_KEY_ATTRIBUTES_PER_TABLE);
        }
    }

    /** An index's key schema; every attribute is in {@code types} (the definitions were checked). */
    private static KeySchema keySchema(List<String[]> keys, Map<String, ScalarType> types) {
        String hash = keys.get(0)[0];
        if (keys.size() == 1) return KeySchema.hash(hash, types.get(hash));
        String range = keys.get(1)[0];
        return KeySchema.hashRange(hash, types.get(hash), range, types.get(range));
    }

    private static List<String> keyNames(KeySchema key) {
        return key.hasSortKey() ? List.of(key.partitionKey(), key.sortKey()) : List.of(key.partitionKey());
    }

    /** Names as DynamoDB lists them in its messages about definitions: last given first. */
    private static String listed(Collection<String> names) {
        List<String> reversed = new ArrayList<>(names);
        Collections.reverse(reversed);
        return reversed.toString();
    }

    private static ApiException invalid(String rule) {
        return ApiException.validation(INVALID + rule);
    }

    // ---------------------------------------------------------------------------------- members

    /** DynamoDB's ProjectionType, declared in the order its messages list the values. */
    private enum ProjectionType { ALL, INCLUDE, KEYS_ONLY }

    private enum ScalarAttributeType { B, N, S }

    /**
     * An index as the request gives it. Once its members meet their constraints, {@code name}
     * and {@code keys} are present; {@code projectionType} may be absent (a rule, not a
     * constraint), {@code nonKeyAttributes} is null when the request has none.
     *
     * @param keys the KeySchema elements as (attribute name, key type as given) pairs
     */
    private record Requested(String name, List<String[]> keys, IndexProjection.Type projectionType, List<String> nonKeyAttributes,
                             boolean hasThroughput, long readCapacityUnits, long writeCapacityUnits) {
        List<String> keyNames() {
            return keys.stream().map(k -> k[0]).toList();
        }
    }

    /** One GlobalSecondaryIndexUpdates entry; the rules allow exactly one of its actions. */
    private record Entry(Requested create, String delete, Requested update) {
        String indexName() {
            return create != null ? create.name() : delete != null ? delete : update.name();
        }
    }

    /** The list {@code LocalSecondaryIndexes} or {@code GlobalSecondaryIndexes}, or null when the request has none. */
    private static List<Requested> readIndexes(ObjectNode request, IndexDescriptor.Kind kind, ValidationErrors errors) {
        boolean global = kind == IndexDescriptor.Kind.GLOBAL;
        String member = global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes";
        ArrayNode list = Params.optionalArray(request, member, errors);
        if (list == null) return null;
        List<Requested> indexes = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ObjectNode index = structureElement(list, i, member, errors);
            if (index != null) indexes.add(readIndex(index, global, errors.within(elementPath(member, i))));
        }
        return indexes;
    }

    /**
     * An index's members (a CreateTable index, or UpdateTable's Create action), violations
     * recorded in DynamoDB's order: projection, indexName, provisionedThroughput, keySchema.
     */
    private static Requested readIndex(ObjectNode index, boolean global, ValidationErrors errors) {
        IndexProjection.Type projectionType = null;
        List<String> nonKeyAttributes = null;
        ObjectNode projection = Params.optionalObject(index, "Projection", errors);
        if (projection == null) {
            errors.violation("Projection", null, NOT_NULL);
        } else {
            ValidationErrors within = errors.within("projection");
            ProjectionType type = Params.optionalEnum(projection, "ProjectionType", ProjectionType.class, within);
            projectionType = type == null ? null : IndexProjection.Type.valueOf(type.name());
            nonKeyAttributes = nonKeyAttributes(projection, within);
        }
        String name = indexName(index, errors);
        long[] throughput = global ? throughput(index, errors) : null;
        List<String[]> keys = keySchema(index, errors);
        return new Requested(name, keys, projectionType, nonKeyAttributes, throughput != null,
                throughput == null ? 0 : throughput[0], throughput == null ? 0 : throughput[1]);
    }

    private static String indexName(ObjectNode parent, ValidationErrors errors) {
        String name = Params.requiredString(parent, "IndexName", errors);
        // Index names follow the table names' rules, with the same messages.
        return name == null ? null : Params.checkTableName(name, "IndexName", errors);
    }

    /**
     * An index's ProvisionedThroughput as {read, write} capacity units, or null when absent.
     * DynamoDB reports writeCapacityUnits before readCapacityUnits.
     */
    private static long[] throughput(ObjectNode parent, ValidationErrors errors) {
        ObjectNode throughput = Params.optionalObject(parent, "ProvisionedThroughput", errors);
        if (throughput == null) return null;
        ValidationErrors within = errors.within("provisionedThroughput");
        Long wcu = capacity(throughput, "WriteCapacityUnits", within);
        Long rcu = capacity(throughput, "ReadCapacityUnits", within);
        return new long[] {rcu == null ? 0 : rcu, wcu == null ? 0 : wcu};
    }

    /** A capacity member of a ProvisionedThroughput (the table's or an index's); null, with the violation recorded, when invalid. */
    static Long capacity(ObjectNode throughput, String field, ValidationErrors errors) {
        JsonNode node = throughput.get(field);
        if (node == null || node.isNull()) {
            errors.violation(field, null, NOT_NULL);
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw ApiException.serialization(node + " cannot be converted to Long");
        }
        if (node.longValue() < 1) {
            errors.violation(field, node, "Member must have value greater than or equal to 1");
            return null;
        }
        return node.longValue();
    }

    /**
     * An index's KeySchema elements as (attribute name, key type) pairs. The key type is not held
     * to the enum here: DynamoDB words a wrong one in an index as a key-order rule ("The first
     * KeySchemaElement is not a HASH key type").
     */
    private static List<String[]> keySchema(ObjectNode parent, ValidationErrors errors) {
        ArrayNode elements = Params.optionalArray(parent, "KeySchema", errors);
        if (elements == null) {
            errors.violation("KeySchema", null, NOT_NULL);
            return List.of();
        }
        if (elements.isEmpty()) errors.violation("KeySchema", elements, "Member must have length greater than or equal to 1");
        if (elements.size() > 2) errors.violation("KeySchema", elements, "Member must have length less than or equal to 2");
        List<String[]> keys = new ArrayList<>();
        for (int i = 0; i < elements.size(); i++) {
            ObjectNode element = structureElement(elements, i, "KeySchema", errors);
            if (element == null) continue;
            ValidationErrors within = errors.within(elementPath("KeySchema", i));
            String attribute = Params.requiredString(element, "AttributeName", within);
            String keyType = Params.requiredString(element, "KeyType", within);
            if (attribute != null) checkNameLength(attribute, element.get("AttributeName"), "AttributeName", within);
            if (attribute != null && keyType != null) keys.add(new String[] {attribute, keyType});
        }
        return keys;
    }

    /** Projection.NonKeyAttributes (1 to 20 names of 1 to 255 characters), or null when absent. */
    private static List<String> nonKeyAttributes(ObjectNode projection, ValidationErrors errors) {
        ArrayNode list = Params.optionalArray(projection, "NonKeyAttributes", errors);
        if (list == null) return null;
        if (list.isEmpty()) errors.violation("NonKeyAttributes", list, "Member must have length greater than or equal to 1");
        if (list.size() > MAX_NON_KEY_ATTRIBUTES_PER_INDEX) {
            errors.violation("NonKeyAttributes", list, "Member must have length less than or equal to " + MAX_NON_KEY_ATTRIBUTES_PER_INDEX);
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ObjectNode holder = holder(list.get(i));
            ValidationErrors at = errors.within(relative("NonKeyAttributes") + "." + (i + 1));
            String name = Params.requiredString(holder, HOLDER, at);
            if (name == null) continue;
            checkNameLength(name, list.get(i), HOLDER, at);
            names.add(name);
        }
        return names;
    }

    private static void checkNameLength(String name, JsonNode value, String member, ValidationErrors errors) {
        if (name.isEmpty()) errors.violation(member, value, "Member must have length greater than or equal to 1");
        if (name.length() > MAX_ATTRIBUTE_NAME_CHARS) {
            errors.violation(member, value, "Member must have length less than or equal to " + MAX_ATTRIBUTE_NAME_CHARS);
        }
    }

    /** GlobalSecondaryIndexUpdates, or null when the request has none. */
    private static List<Entry> readEntries(ObjectNode request, ValidationErrors errors) {
        ArrayNode list = Params.optionalArray(request, "GlobalSecondaryIndexUpdates", errors);
        if (list == null) return null;
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ObjectNode entry = structureElement(list, i, "GlobalSecondaryIndexUpdates", errors);
            if (entry == null) continue;
            ValidationErrors within = errors.within(elementPath("GlobalSecondaryIndexUpdates", i));
            Requested update = null;
            ObjectNode updateAction = Params.optionalObject(entry, "Update", within);
            if (updateAction != null) {
                ValidationErrors at = within.within("update");
                String name = indexName(updateAction, at);
                long[] throughput = throughput(updateAction, at);
                update = new Requested(name, List.of(), null, null, throughput != null,
                        throughput == null ? 0 : throughput[0], throughput == null ? 0 : throughput[1]);
            }
            ObjectNode createAction = Params.optionalObject(entry, "Create", within);
            Requested create = createAction == null ? null : readIndex(createAction, true, within.within("create"));
            ObjectNode deleteAction = Params.optionalObject(entry, "Delete", within);
            String delete = deleteAction == null ? null : indexName(deleteAction, within.within("delete"));
            entries.add(new Entry(create, delete, update));
        }
        return entries;
    }

    /** UpdateTable's AttributeDefinitions as (name, type) pairs in the request's order, or null when absent. */
    private static List<String[]> readDefinitions(ObjectNode request, ValidationErrors errors) {
        ArrayNode list = Params.optionalArray(request, "AttributeDefinitions", errors);
        if (list == null) return null;
        List<String[]> definitions = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ObjectNode element = structureElement(list, i, "AttributeDefinitions", errors);
            if (element == null) continue;
            ValidationErrors within = errors.within(elementPath("AttributeDefinitions", i));
            String name = Params.requiredString(element, "AttributeName", within);
            ScalarAttributeType type = Params.requiredEnum(element, "AttributeType", ScalarAttributeType.class, within);
            if (name != null && type != null) definitions.add(new String[] {name, type.name()});
        }
        return definitions;
    }

    /** The definitions by name; the same name twice is refused as CreateTable refuses it. */
    private static Map<String, ScalarType> definitionMap(List<String[]> definitions) {
        Map<String, ScalarType> map = new LinkedHashMap<>();
        for (String[] d : definitions) {
            if (map.put(d[0], ScalarType.parse(d[1])) != null) {
                throw ApiException.validation("Cannot have two attributes with the same name. Attribute name: " + d[0]);
            }
        }
        return map;
    }

    /**
     * Element {@code i} of list member {@code listMember} of the structure {@code errors} is at,
     * or null (recorded) when it is JSON null. An element of another JSON type is a
     * SerializationException, worded by {@link Params} as for any member: the element is read as
     * the one member of a holder, named so that its path is DynamoDB's {@code <list>.<i+1>.member}.
     */
    private static ObjectNode structureElement(ArrayNode list, int i, String listMember, ValidationErrors errors) {
        ValidationErrors at = errors.within(relative(listMember) + "." + (i + 1));
        ObjectNode element = Params.optionalObject(holder(list.get(i)), HOLDER, at);
        if (element == null) at.violation(HOLDER, null, NOT_NULL);
        return element;
    }

    /** The member name a list element is read under: DynamoDB's paths spell it {@code member}. */
    private static final String HOLDER = "Member";

    private static ObjectNode holder(JsonNode element) {
        ObjectNode holder = JSON.objectNode();
        holder.set(HOLDER, element);
        return holder;
    }

    /** The path of element {@code i} of list member {@code listMember}, relative to the enclosing structure. */
    private static String elementPath(String listMember, int i) {
        return relative(listMember) + "." + (i + 1) + ".member";
    }

    /**
     * A member's name as a path segment relative to its structure ({@code KeySchema} ->
     * {@code keySchema}); {@link ValidationErrors#within} adds the structure's own path.
     */
    private static String relative(String member) {
        return Character.toLowerCase(member.charAt(0)) + member.substring(1);
    }
}
