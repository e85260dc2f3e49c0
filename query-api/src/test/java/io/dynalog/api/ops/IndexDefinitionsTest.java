package io.dynalog.api.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.ErrorType;
import io.dynalog.api.json.Json;
import io.dynalog.api.json.ValidationErrors;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.IndexDescriptor.IndexStatus;
import io.dynalog.topology.model.IndexDescriptor.Kind;
import io.dynalog.topology.model.IndexProjection;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableDescriptor.AttributeDefinition;
import io.dynalog.topology.model.TableStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class IndexDefinitionsTest {

    private static final KeySchema PK_SK = KeySchema.hashRange("pk", ScalarType.S, "sk", ScalarType.N);
    private static final KeySchema PK = KeySchema.hash("pk", ScalarType.S);

    /** JSON with single quotes for readability. */
    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) Json.mapper().readTree(text.replace('\'', '"'));
        } catch (IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** Compact JSON text written with single quotes (JSON nodes compare unequal across int and long numbers). */
    private static String text(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    /** AttributeDefinitions in the given order: "pk:S", "sk:N", ... */
    private static Map<String, ScalarType> defs(String... definitions) {
        Map<String, ScalarType> map = new LinkedHashMap<>();
        for (String d : definitions) map.put(d.split(":")[0], ScalarType.parse(d.split(":")[1]));
        return map;
    }

    private static void fails(Runnable call, ErrorType type, String message) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.type()).isEqualTo(type))
                .hasMessage(message);
    }

    private static void invalid(Runnable call, String message) {
        fails(call, ErrorType.ValidationException, message);
    }

    private static String lsi(String name, String range) {
        return "{'IndexName':'" + name + "','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'AttributeName':'" + range
                + "','KeyType':'RANGE'}],'Projection':{'ProjectionType':'ALL'}}";
    }

    private static String gsi(String name, String hash) {
        return "{'IndexName':'" + name + "','KeySchema':[{'AttributeName':'" + hash + "','KeyType':'HASH'}],'Projection':{'ProjectionType':'KEYS_ONLY'}}";
    }

    private static String includes(int count, String prefix) {
        return IntStream.range(0, count).mapToObj(i -> "'" + prefix + i + "'").collect(Collectors.joining(",", "[", "]"));
    }

    @Nested
    class CreateTable {

        private List<IndexDefinitions.Spec> create(String indexes, KeySchema key, Map<String, ScalarType> defined, boolean provisioned) {
            return IndexDefinitions.forCreateTable(json("{'TableName':'t'" + indexes + "}"), key, defined, provisioned);
        }

        private List<IndexDefinitions.Spec> create(String indexes, Map<String, ScalarType> defined) {
            return create(indexes, PK_SK, defined, false);
        }

        @Test
        void readsLocalAndGlobalIndexes() {
            List<IndexDefinitions.Spec> specs = create(",'LocalSecondaryIndexes':[{'IndexName':'byA','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
                    + "{'AttributeName':'a','KeyType':'RANGE'}],'Projection':{'ProjectionType':'INCLUDE','NonKeyAttributes':['x','y']}}],"
                    + "'GlobalSecondaryIndexes':[{'IndexName':'g.1-x_','KeySchema':[{'AttributeName':'b','KeyType':'HASH'},"
                    + "{'AttributeName':'a','KeyType':'RANGE'}],'Projection':{'ProjectionType':'ALL'},"
                    + "'ProvisionedThroughput':{'ReadCapacityUnits':3,'WriteCapacityUnits':4}}]",
                    PK_SK, defs("pk:S", "sk:N", "a:B", "b:N"), true);
            assertThat(specs).containsExactly(
                    new IndexDefinitions.Spec("byA", Kind.LOCAL, KeySchema.hashRange("pk", ScalarType.S, "a", ScalarType.B),
                            new IndexProjection(IndexProjection.Type.INCLUDE, List.of("x", "y")), 0, 0),
                    new IndexDefinitions.Spec("g.1-x_", Kind.GLOBAL, KeySchema.hashRange("b", ScalarType.N, "a", ScalarType.B),
                            IndexProjection.ALL, 3, 4));
        }

        @Test
        void aGlobalIndexMayRepeatTheTableKeyAndALocalOneItsSortKey() {
            assertThat(create(",'LocalSecondaryIndexes':[" + lsi("same", "sk") + "],'GlobalSecondaryIndexes':["
                    + "{'IndexName':'alsoSame','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'AttributeName':'sk','KeyType':'RANGE'}],"
                    + "'Projection':{'ProjectionType':'ALL'}}]", defs("pk:S", "sk:N"))).hasSize(2);
        }

        @Test
        void projectingKeyAttributesIsAllowed() {
            // DynamoDB and DynamoDB Local accept a key attribute in NonKeyAttributes.
            assertThat(create(",'GlobalSecondaryIndexes':[{'IndexName':'gsi','KeySchema':[{'AttributeName':'a','KeyType':'HASH'}],"
                    + "'Projection':{'ProjectionType':'INCLUDE','NonKeyAttributes':['pk','a']}}]", defs("pk:S", "sk:N", "a:S")))
                    .singleElement().satisfies(s -> assertThat(s.projection().nonKeyAttributes()).containsExactly("pk", "a"));
        }

        @Test
        void noIndexesIsTheTableOnlyDefinitionsRule() {
            assertThat(create("", defs("pk:S", "sk:N"))).isEmpty();
            invalid(() -> create("", defs("pk:S", "sk:N", "x:S")),
                    "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
        }

        @Test
        void emptyListsAreRefused() {
            invalid(() -> create(",'LocalSecondaryIndexes':[]", defs("pk:S", "sk:N")),
                    "One or more parameter values were invalid: List of LocalSecondaryIndexes is empty");
            invalid(() -> create(",'GlobalSecondaryIndexes':[]", defs("pk:S", "sk:N")),
                    "One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty");
            // Before the definitions: an unused definition does not hide it.
            invalid(() -> create(",'LocalSecondaryIndexes':[]", PK, defs("pk:S", "x:S"), false),
                    "One or more parameter values were invalid: List of LocalSecondaryIndexes is empty");
        }

        @Test
        void localIndexesNeedATableSortKey() {
            // Checked before the index's own keys are looked up in the definitions.
            invalid(() -> create(",'LocalSecondaryIndexes':[" + lsi("lsi", "zz") + "]", PK, defs("pk:S"), false),
                    "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
        }

        @Test
        void undefinedKeysAreListedLastGivenFirst() {
            invalid(() -> create(",'LocalSecondaryIndexes':[" + lsi("lsi", "c") + "]", defs("pk:S", "sk:N")),
                    "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. "
                            + "Keys: [c, pk], AttributeDefinitions: [sk, pk]");
            invalid(() -> create(",'GlobalSecondaryIndexes':[" + gsi("gsi", "q") + "]", defs("pk:S", "sk:N", "a:S")),
                    "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. "
                            + "Keys: [q], AttributeDefinitions: [a, sk, pk]");
        }

        @Test
        void unusedDefinitionsAreNamedAndHideTheIndexesOwnRules() {
            invalid(() -> create(",'GlobalSecondaryIndexes':[{'IndexName':'xyz','KeySchema':[{'AttributeName':'a','KeyType':'RANGE'}],'Projection':{}}]",
                            defs("pk:S", "sk:N", "a:S", "b:N")),
                    "One or more parameter values were invalid: Some AttributeDefinitions are not used. "
                            + "AttributeDefinitions: [b, a, sk, pk], keys used: [a, sk, pk]");
        }

        @Test
        void tableKeyDefinitions() {
            invalid(() -> IndexDefinitions.checkTableKeysDefined(List.of("a", "b"), defs("b:S")),
                    "Invalid KeySchema: Some index key attribute have no definition");
            invalid(() -> IndexDefinitions.checkTableKeysDefined(List.of("a"), defs("b:S")),
                    "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. "
                            + "Keys: [a], AttributeDefinitions: [b]");
            IndexDefinitions.checkDefinitionsUsed(List.of("pk"), List.of(List.of("pk", "a")), defs("a:S", "pk:S"));
        }

        @Test
        void keySchemaOrder() {
            Map<String, ScalarType> d = defs("pk:S", "sk:N", "a:S");
            invalid(() -> create(",'GlobalSecondaryIndexes':[{'IndexName':'gsi','KeySchema':[{'AttributeName':'a','KeyType':'HASH'},"
                    + "{'AttributeName':'a','KeyType':'RANGE'}],'Projection':{'ProjectionType':'ALL'}}]", d),
                    "Both the Hash Key and the Range Key element in the KeySchema have the same name");
            invalid(() -> create(",'GlobalSecondaryIndexes':[{'IndexName':'gsi','KeySchema':[{'AttributeName':'a','KeyType':'RANGE'}],"
                    + "'Projection':{'ProjectionType':'ALL'}}]", d),
                    "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
            // An index's KeyType is not held to the enum: a wrong one breaks the order rule.
            invalid(() -> create(",'GlobalSecondaryIndexes':[{'IndexName':'gsi','KeySchema':[{'AttributeName':'a','KeyType':'HASHY'}],"
                    + "'Projection':{'ProjectionType':'ALL'}}]", d),
                    "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
            invalid(() -> create(",'LocalSecondaryIndexes':[{'IndexName':'lsi','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
                    + "{'AttributeName':'a','KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL'}}]", d),
                    "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
        }

        @Test
        void localIndexKeys() {
            Map<String, ScalarType> d = defs("pk:S", "sk:N", "a:S");
            invalid(() -> create(",'LocalSecondaryIndexes':[{'IndexName':'lsi','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],"
                    + "'Projection':{'ProjectionType':'ALL'}}]", defs("pk:S", "sk:N")),
                    "One or more parameter values were invalid: Index KeySchema does not have a range key for index: lsi");
            invalid(() -> create(",'LocalSecondaryIndexes':[{'IndexName':'lsi','KeySchema':[{'AttributeName':'a','KeyType':'HASH'},"
                    + "{'AttributeName':'sk','KeyType':'RANGE'}],'Projection':{'ProjectionType':'ALL'}}]", d),
                    "One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table "
                            + "KeySchema for index: lsi. index hash key: a, table hash key: pk");
        }

        @Test
        void projectionRules() {
            Map<String, ScalarType> d = defs("pk:S", "sk:N", "a:S");
            String key = "'KeySchema':[{'AttributeName':'a','KeyType':'HASH'}]";
            invalid(() -> create(",'GlobalSecondaryIndexes':[{'IndexName':'gsi'," + key + ",'Projection':{}}]", d),
                    "One or more parameter values were invalid: Unknown ProjectionType: null");
            invalid(() -> create(",'GlobalSecondaryIndexes':[{'IndexName':'gsi'," + key + ",'Projection':{'NonKeyAttributes':['x']}}]", d),
                    "One or more parameter values were invalid: Unknown ProjectionType: null");
            invalid(() -> create(",'GlobalSecondaryIndexes':[{'IndexName':'gsi'," + key
                            + ",'Projection':{'ProjectionType':'KEYS_ONLY','NonKeyAttributes':['x']}}]", d),
                    "One or more parameter values were invalid: ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified");
            invalid(() -> create(",'GlobalSecondaryIndexes':[{'IndexName':'gsi'," + key
                            + ",'Projection':{'ProjectionType':'ALL','NonKeyAttributes':['x']}}]", d),
                    "One or more parameter values were invalid: ProjectionType is ALL, but NonKeyAttributes is specified");
            invalid(() -> create(",'GlobalSecondaryIndexes':[{'IndexName':'gsi'," + key + ",'Projection':{'ProjectionType':'INCLUDE'}}]", d),
                    "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
            invalid(() -> create(",'GlobalSecondaryIndexes':[{'IndexName':'gsi'," + key
                            + ",'Projection':{'ProjectionType':'INCLUDE','NonKeyAttributes':['x','y','x']}}]", d),
                    "One or more parameter values were invalid: Duplicate element in NonKeyAttributes: x");
        }

        @Test
        void nonKeyAttributesAreSummedOverTheTablesIndexes() {
            Map<String, ScalarType> d = defs("pk:S", "sk:N", "a:S");
            StringBuilder indexes = new StringBuilder(",'GlobalSecondaryIndexes':[");
            for (int i = 0; i < 5; i++) {
                if (i > 0) indexes.append(',');
                // The same 20 names in every index: each index counts them again.
                indexes.append("{'IndexName':'gsi").append(i).append("','KeySchema':[{'AttributeName':'a','KeyType':'HASH'}],")
                        .append("'Projection':{'ProjectionType':'INCLUDE','NonKeyAttributes':").append(includes(20, "x")).append("}}");
            }
            assertThat(create(indexes + "]", d)).hasSize(5);
            invalid(() -> create(indexes + ",{'IndexName':'gsi5','KeySchema':[{'AttributeName':'a','KeyType':'HASH'}],"
                            + "'Projection':{'ProjectionType':'INCLUDE','NonKeyAttributes':['y']}}]", d),
                    "One or more parameter values were invalid: Number of NonKeyAttributes across all secondary indexes exceeds per-table limit of 100");
        }

        @Test
        void indexNamesAreUniqueAcrossBothLists() {
            Map<String, ScalarType> d = defs("pk:S", "sk:N", "a:S");
            invalid(() -> create(",'LocalSecondaryIndexes':[" + lsi("idx", "a") + "," + lsi("idx", "sk") + "]", d),
                    "One or more parameter values were invalid: Duplicate index name: idx");
            invalid(() -> create(",'LocalSecondaryIndexes':[" + lsi("idx", "a") + "],'GlobalSecondaryIndexes':[" + gsi("idx", "a") + "]", d),
                    "One or more parameter values were invalid: Duplicate index name: idx");
        }

        @Test
        void indexCounts() {
            Map<String, ScalarType> d = defs("pk:S", "sk:N", "a:S");
            String five = IntStream.range(0, 5).mapToObj(i -> lsi("lsi" + i, "a")).collect(Collectors.joining(","));
            assertThat(create(",'LocalSecondaryIndexes':[" + five + "]", d)).hasSize(5);
            invalid(() -> create(",'LocalSecondaryIndexes':[" + five + "," + lsi("lsi5", "a") + "]", d),
                    "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5");
            String twenty = IntStream.range(0, 20).mapToObj(i -> gsi("gsi" + i, "a")).collect(Collectors.joining(","));
            assertThat(create(",'GlobalSecondaryIndexes':[" + twenty + "]", d)).hasSize(20);
            invalid(() -> create(",'GlobalSecondaryIndexes':[" + twenty + "," + gsi("gsi20", "a") + "]", d),
                    "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20");
        }

        @Test
        void globalIndexThroughputFollowsTheBillingMode() {
            Map<String, ScalarType> d = defs("pk:S", "sk:N", "a:S");
            invalid(() -> create(",'GlobalSecondaryIndexes':[" + gsi("gsi", "a") + "]", PK_SK, d, true),
                    "One or more parameter values were invalid: ProvisionedThroughput is not specified for index: gsi");
            invalid(() -> create(",'GlobalSecondaryIndexes':[{'IndexName':'gsi','KeySchema':[{'AttributeName':'a','KeyType':'HASH'}],"
                            + "'Projection':{'ProjectionType':'ALL'},'ProvisionedThroughput':{'ReadCapacityUnits':1,'WriteCapacityUnits':1}}]", PK_SK, d, false),
                    "One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: gsi when BillingMode is PAY_PER_REQUEST");
            assertThat(create(",'GlobalSecondaryIndexes':[" + gsi("gsi", "a") + "]", PK_SK, d, false))
                    .singleElement().satisfies(s -> assertThat(s.readCapacityUnits()).isZero());
        }

        @Test
        void memberViolationsAreReportedTogetherInDynamoDbsOrder() {
            ValidationErrors errors = new ValidationErrors();
            IndexDefinitions.checkCreateTableMembers(json("{'LocalSecondaryIndexes':[{},{}]}"), errors);
            assertThat(errors.message()).isEqualTo("6 validation errors detected: "
                    + "Value null at 'localSecondaryIndexes.1.member.projection' failed to satisfy constraint: Member must not be null; "
                    + "Value null at 'localSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must not be null; "
                    + "Value null at 'localSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: Member must not be null; "
                    + "Value null at 'localSecondaryIndexes.2.member.projection' failed to satisfy constraint: Member must not be null; "
                    + "Value null at 'localSecondaryIndexes.2.member.indexName' failed to satisfy constraint: Member must not be null; "
                    + "Value null at 'localSecondaryIndexes.2.member.keySchema' failed to satisfy constraint: Member must not be null");
        }

        @Test
        void memberViolationsJoinTheTablesOwn() {
            ValidationErrors errors = new ValidationErrors();
            errors.violation("TableName", null, "Member must not be null");
            IndexDefinitions.checkCreateTableMembers(json("{'GlobalSecondaryIndexes':[{'IndexName':'h;','KeySchema':[],"
                    + "'Projection':{'ProjectionType':'abc','NonKeyAttributes':[]},'ProvisionedThroughput':{'ReadCapacityUnits':0}}]}"), errors);
            assertThat(errors.message()).isEqualTo("8 validation errors detected: "
                    + "Value null at 'tableName' failed to satisfy constraint: Member must not be null; "
                    + "Value 'abc' at 'globalSecondaryIndexes.1.member.projection.projectionType' failed to satisfy constraint: "
                    + "Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]; "
                    + "Value '[]' at 'globalSecondaryIndexes.1.member.projection.nonKeyAttributes' failed to satisfy constraint: "
                    + "Member must have length greater than or equal to 1; "
                    + "Value 'h;' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: "
                    + "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
                    + "Value 'h;' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: "
                    + "Member must have length greater than or equal to 3; "
                    + "Value null at 'globalSecondaryIndexes.1.member.provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: "
                    + "Member must not be null; "
                    + "Value '0' at 'globalSecondaryIndexes.1.member.provisionedThroughput.readCapacityUnits' failed to satisfy constraint: "
                    + "Member must have value greater than or equal to 1; "
                    + "Value '[]' at 'globalSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: "
                    + "Member must have length greater than or equal to 1");
        }

        @Test
        void nestedMemberPaths() {
            String longName = "n".repeat(256);
            invalid(() -> create(",'GlobalSecondaryIndexes':[" + gsi("gsi", "a") + ",{'IndexName':'" + longName + "','KeySchema':["
                            + "{'KeyType':'HASH'},{'AttributeName':'','KeyType':'RANGE'},{'AttributeName':'c','KeyType':'RANGE'}],"
                            + "'Projection':{'ProjectionType':'INCLUDE','NonKeyAttributes':" + includes(21, "x").replace("'x20'", "''") + "}}]",
                            defs("pk:S", "sk:N", "a:S")),
                    "6 validation errors detected: "
                            + "Value '" + includes(21, "x").replace("'x20'", "").replace("'", "").replace(",", ", ") + "' at 'globalSecondaryIndexes.2.member.projection.nonKeyAttributes' "
                            + "failed to satisfy constraint: Member must have length less than or equal to 20; "
                            + "Value '' at 'globalSecondaryIndexes.2.member.projection.nonKeyAttributes.21.member' failed to satisfy constraint: "
                            + "Member must have length greater than or equal to 1; "
                            + "Value '" + longName + "' at 'globalSecondaryIndexes.2.member.indexName' failed to satisfy constraint: "
                            + "Member must have length less than or equal to 255; "
                            + "Value '[{\"KeyType\":\"HASH\"}, {\"AttributeName\":\"\",\"KeyType\":\"RANGE\"}, {\"AttributeName\":\"c\",\"KeyType\":\"RANGE\"}]' "
                            + "at 'globalSecondaryIndexes.2.member.keySchema' failed to satisfy constraint: Member must have length less than or equal to 2; "
                            + "Value null at 'globalSecondaryIndexes.2.member.keySchema.1.member.attributeName' failed to satisfy constraint: "
                            + "Member must not be null; "
                            + "Value '' at 'globalSecondaryIndexes.2.member.keySchema.2.member.attributeName' failed to satisfy constraint: "
                            + "Member must have length greater than or equal to 1");
        }

        @Test
        void wrongJsonTypesAreSerializationErrors() {
            Map<String, ScalarType> d = defs("pk:S", "sk:N");
            fails(() -> create(",'LocalSecondaryIndexes':{}", d), ErrorType.SerializationException,
                    "Start of structure or map found where not expected. (at 'localSecondaryIndexes')");
            fails(() -> create(",'GlobalSecondaryIndexes':['x']", d), ErrorType.SerializationException,
                    "STRING_VALUE cannot be converted to Map (at 'globalSecondaryIndexes.1.member')");
            fails(() -> create(",'GlobalSecondaryIndexes':[{'IndexName':'gsi','KeySchema':[],'Projection':{'ProjectionType':'INCLUDE',"
                    + "'NonKeyAttributes':[5]}}]", d), ErrorType.SerializationException,
                    "NUMBER_VALUE cannot be converted to String (at 'globalSecondaryIndexes.1.member.projection.nonKeyAttributes.1.member')");
            fails(() -> create(",'GlobalSecondaryIndexes':[{'IndexName':'gsi','KeySchema':[[]],'Projection':{}}]", d),
                    ErrorType.SerializationException,
                    "Start of list found where not expected (at 'globalSecondaryIndexes.1.member.keySchema.1.member')");
            invalid(() -> create(",'GlobalSecondaryIndexes':[null]", d),
                    "1 validation error detected: Value null at 'globalSecondaryIndexes.1.member' failed to satisfy constraint: Member must not be null");
        }
    }

    @Nested
    class UpdateTable {

        private final KeySchema lsiKey = KeySchema.hashRange("pk", ScalarType.S, "a", ScalarType.S);
        private final KeySchema gsiKey = KeySchema.hash("b", ScalarType.N);

        private TableDescriptor table(String billing, IndexDescriptor... extra) {
            List<IndexDescriptor> indexes = new ArrayList<>();
            indexes.add(IndexDescriptor.local("lsi", 11, lsiKey, IndexProjection.KEYS_ONLY));
            indexes.add(global("gsi", gsiKey, IndexStatus.ACTIVE, false, 5, 6));
            indexes.addAll(List.of(extra));
            return new TableDescriptor("T", 1, PK_SK,
                    List.of(new AttributeDefinition("pk", ScalarType.S), new AttributeDefinition("sk", ScalarType.N),
                            new AttributeDefinition("a", ScalarType.S), new AttributeDefinition("b", ScalarType.N)),
                    billing, 1, 1, 1, 0, TableStatus.ACTIVE, "wal", List.of(List.of(1)), indexes);
        }

        private TableDescriptor table(IndexDescriptor... extra) {
            return table("PAY_PER_REQUEST", extra);
        }

        private IndexDescriptor global(String name, KeySchema key, IndexStatus status, boolean backfilling, long rcu, long wcu) {
            return new IndexDescriptor(name, name.hashCode(), Kind.GLOBAL, key, IndexProjection.ALL, status, backfilling, 1, "topic",
                    List.of(List.of(1)), rcu, wcu);
        }

        private List<IndexDefinitions.Update> update(TableDescriptor table, String members) {
            return IndexDefinitions.forUpdateTable(json("{'TableName':'T'," + members + "}"), table);
        }

        private String createOn(String name, String hash) {
            return "{'Create':{'IndexName':'" + name + "','KeySchema':[{'AttributeName':'" + hash + "','KeyType':'HASH'}],"
                    + "'Projection':{'ProjectionType':'ALL'}}}";
        }

        @Test
        void noUpdatesNoActions() {
            assertThat(update(table(), "'BillingMode':'PAY_PER_REQUEST'")).isEmpty();
        }

        @Test
        void createsAGlobalIndex() {
            List<IndexDefinitions.Update> updates = update(table(), "'AttributeDefinitions':[{'AttributeName':'c','AttributeType':'B'},"
                    + "{'AttributeName':'x','AttributeType':'S'}],'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'byC',"
                    + "'KeySchema':[{'AttributeName':'c','KeyType':'HASH'},{'AttributeName':'a','KeyType':'RANGE'}],"
                    + "'Projection':{'ProjectionType':'INCLUDE','NonKeyAttributes':['z']}}}]");
            // 'a' keeps the type the table's local index gives it; an unused definition ('x') is ignored.
            assertThat(updates).containsExactly(new IndexDefinitions.Create(
                    new IndexDefinitions.Spec("byC", Kind.GLOBAL, KeySchema.hashRange("c", ScalarType.B, "a", ScalarType.S),
                            new IndexProjection(IndexProjection.Type.INCLUDE, List.of("z")), 0, 0),
                    List.of(new AttributeDefinition("c", ScalarType.B), new AttributeDefinition("a", ScalarType.S))));
        }

        @Test
        void createsWithThroughputOnAProvisionedTable() {
            List<IndexDefinitions.Update> updates = update(table("PROVISIONED"), "'AttributeDefinitions':[{'AttributeName':'c','AttributeType':'S'}],"
                    + "'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'byC','KeySchema':[{'AttributeName':'c','KeyType':'HASH'}],"
                    + "'Projection':{'ProjectionType':'ALL'},'ProvisionedThroughput':{'ReadCapacityUnits':7,'WriteCapacityUnits':8}}}]");
            assertThat(updates).singleElement().isInstanceOfSatisfying(IndexDefinitions.Create.class, c -> {
                assertThat(c.spec().readCapacityUnits()).isEqualTo(7);
                assertThat(c.spec().writeCapacityUnits()).isEqualTo(8);
            });
            invalid(() -> update(table("PROVISIONED"), "'AttributeDefinitions':[{'AttributeName':'c','AttributeType':'S'}],"
                            + "'GlobalSecondaryIndexUpdates':[" + createOn("byC", "c") + "]"),
                    "One or more parameter values were invalid: Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: byC");
            invalid(() -> update(table(), "'AttributeDefinitions':[{'AttributeName':'c','AttributeType':'S'}],"
                            + "'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'byC','KeySchema':[{'AttributeName':'c','KeyType':'HASH'}],"
                            + "'Projection':{'ProjectionType':'ALL'},'ProvisionedThroughput':{'ReadCapacityUnits':7,'WriteCapacityUnits':8}}}]"),
                    "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: byC "
                            + "when BillingMode is PAY_PER_REQUEST");
            // The BillingMode the request switches to decides.
            assertThat(update(table("PROVISIONED"), "'BillingMode':'PAY_PER_REQUEST','AttributeDefinitions':[{'AttributeName':'c','AttributeType':'S'}],"
                    + "'GlobalSecondaryIndexUpdates':[" + createOn("byC", "c") + "]")).hasSize(1);
        }

        @Test
        void createChecksDefinitions() {
            invalid(() -> update(table(), "'GlobalSecondaryIndexUpdates':[" + createOn("byC", "c") + "]"),
                    "One or more parameter values were invalid: AttributeDefinitions is not specified for index: byC");
            invalid(() -> update(table(), "'AttributeDefinitions':[{'AttributeName':'d','AttributeType':'S'},{'AttributeName':'e','AttributeType':'S'}],"
                            + "'GlobalSecondaryIndexUpdates':[" + createOn("byC", "c") + "]"),
                    "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. "
                            + "Keys: [c], AttributeDefinitions: [e, d]");
            invalid(() -> update(table(), "'AttributeDefinitions':[{'AttributeName':'a','AttributeType':'N'}],"
                            + "'GlobalSecondaryIndexUpdates':[" + createOn("byA", "a") + "]"),
                    "One or more parameter values were invalid: Attributes cannot be redefined. Please check that your attribute has the same "
                            + "type as previously defined. Existing schema: Schema:[SchemaElement: key{a:S:RANGE}] "
                            + "New schema: Schema:[SchemaElement: key{a:N:HASH}]");
            invalid(() -> update(table(), "'AttributeDefinitions':[{'AttributeName':'c','AttributeType':'S'},{'AttributeName':'c','AttributeType':'N'}],"
                            + "'GlobalSecondaryIndexUpdates':[" + createOn("byC", "c") + "]"),
                    "Cannot have two attributes with the same name. Attribute name: c");
            // An attribute a key of the table already has needs no definition in the request.
            assertThat(update(table(), "'AttributeDefinitions':[{'AttributeName':'x','AttributeType':'S'}],"
                    + "'GlobalSecondaryIndexUpdates':[" + createOn("byA", "a") + "]")).hasSize(1);
        }

        @Test
        void createChecksTheIndexLikeCreateTable() {
            String defs = "'AttributeDefinitions':[{'AttributeName':'c','AttributeType':'S'}],";
            invalid(() -> update(table(), defs + "'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'byC',"
                            + "'KeySchema':[{'AttributeName':'c','KeyType':'RANGE'}],'Projection':{'ProjectionType':'ALL'}}}]"),
                    "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
            invalid(() -> update(table(), defs + "'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'byC',"
                            + "'KeySchema':[{'AttributeName':'c','KeyType':'HASH'}],'Projection':{'ProjectionType':'INCLUDE'}}}]"),
                    "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
            invalid(() -> update(table(), defs + "'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'byC',"
                            + "'KeySchema':[{'AttributeName':'c','KeyType':'HASH'}]}}]"),
                    "1 validation error detected: Value null at 'globalSecondaryIndexUpdates.1.member.create.projection' "
                            + "failed to satisfy constraint: Member must not be null");
        }

        @Test
        void createOfAnExistingName() {
            String defs = "'AttributeDefinitions':[{'AttributeName':'c','AttributeType':'S'}],";
            fails(() -> update(table(), defs + "'GlobalSecondaryIndexUpdates':[" + createOn("gsi", "c") + "]"),
                    ErrorType.ValidationException, "Attempting to create an index which already exists");
            // A local index's name too, and before any rule of the index itself.
            fails(() -> update(table(), "'GlobalSecondaryIndexUpdates':[" + createOn("lsi", "zz") + "]"),
                    ErrorType.ValidationException, "Attempting to create an index which already exists");
            fails(() -> update(table(global("new", gsiKey, IndexStatus.CREATING, true, 0, 0)), defs + "'GlobalSecondaryIndexUpdates':["
                            + createOn("new", "c") + "]"),
                    ErrorType.ResourceInUseException, "Attempt to change a resource which is still in use: Index is being created.  Table: T Index: new");
        }

        @Test
        void globalIndexLimitOnUpdateIsLimitExceeded() {
            IndexDescriptor[] more = IntStream.range(1, 20).mapToObj(i -> global("g" + i, gsiKey, IndexStatus.ACTIVE, false, 0, 0))
                    .toArray(IndexDescriptor[]::new);
            fails(() -> update(table(more), "'AttributeDefinitions':[{'AttributeName':'c','AttributeType':'S'}],"
                            + "'GlobalSecondaryIndexUpdates':[" + createOn("byC", "c") + "]"),
                    ErrorType.LimitExceededException, "Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit of 20");
        }

        @Test
        void deletesAGlobalIndex() {
            assertThat(update(table(), "'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'gsi'}}]"))
                    .containsExactly(new IndexDefinitions.Delete("gsi"));
            fails(() -> update(table(), "'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'nope'}}]"),
                    ErrorType.ResourceNotFoundException, "Requested resource not found: Index nope for table T");
            fails(() -> update(table(), "'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'lsi'}}]"),
                    ErrorType.ValidationException, "Cannot delete an index that is not a GlobalSecondaryIndex: lsi");
        }

        @Test
        void deleteOfAnIndexInTransition() {
            fails(() -> update(table(global("new", gsiKey, IndexStatus.CREATING, false, 0, 0)),
                            "'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'new'}}]"),
                    ErrorType.ResourceInUseException, "Attempt to change a resource which is still in use: Index creation is in resource "
                            + "allocation phase. Retry deletion during backfilling phase or when the index is active. Table: T Index: new");
            assertThat(update(table(global("new", gsiKey, IndexStatus.CREATING, true, 0, 0)),
                    "'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'new'}}]")).containsExactly(new IndexDefinitions.Delete("new"));
            fails(() -> update(table(global("old", gsiKey, IndexStatus.DELETING, false, 0, 0)),
                            "'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'old'}}]"),
                    ErrorType.ResourceInUseException, "Attempt to change a resource which is still in use: Index is being deleted.  Table: T Index: old");
        }

        @Test
        void oneIndexCreatedOrDeletedAtATime() {
            String limit = "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table";
            String defs = "'AttributeDefinitions':[{'AttributeName':'c','AttributeType':'S'},{'AttributeName':'d','AttributeType':'S'}],";
            fails(() -> update(table(), defs + "'GlobalSecondaryIndexUpdates':[" + createOn("byC", "c") + "," + createOn("byD", "d") + "]"),
                    ErrorType.LimitExceededException, limit);
            fails(() -> update(table(), defs + "'GlobalSecondaryIndexUpdates':[" + createOn("byC", "c") + ",{'Delete':{'IndexName':'gsi'}}]"),
                    ErrorType.LimitExceededException, limit);
            // ... and while another index of the table is being created or deleted, before anything else.
            fails(() -> update(table(global("new", gsiKey, IndexStatus.CREATING, true, 0, 0)),
                            "'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'gsi'}}]"),
                    ErrorType.LimitExceededException, limit);
            fails(() -> update(table(global("old", gsiKey, IndexStatus.DELETING, false, 0, 0)),
                            "'GlobalSecondaryIndexUpdates':[" + createOn("gsi", "zz") + "]"),
                    ErrorType.LimitExceededException, limit);
        }

        @Test
        void throughputUpdates() {
            String update = "'GlobalSecondaryIndexUpdates':[{'Update':{'IndexName':'gsi','ProvisionedThroughput':{'ReadCapacityUnits':9,'WriteCapacityUnits':6}}}]";
            assertThat(update(table("PROVISIONED"), update)).containsExactly(new IndexDefinitions.Throughput("gsi", 9, 6));
            invalid(() -> update(table(), update),
                    "One or more parameter values were invalid: The only Updates for index: gsi when TableThroughputMode is PAY_PER_REQUEST "
                            + "can be to OnDemandThroughput, WarmThroughput");
            invalid(() -> update(table("PROVISIONED"), "'GlobalSecondaryIndexUpdates':[{'Update':{'IndexName':'gsi','ProvisionedThroughput':"
                            + "{'ReadCapacityUnits':5,'WriteCapacityUnits':6}}}]"),
                    "The provisioned throughput for the index gsi will not change. The requested value equals the current value. "
                            + "Current ReadCapacityUnits provisioned for index gsi: 5. Requested ReadCapacityUnits: 5. "
                            + "Current WriteCapacityUnits provisioned for index gsi: 6. Requested WriteCapacityUnits: 6. "
                            + "Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.");
            invalid(() -> update(table("PROVISIONED"), "'GlobalSecondaryIndexUpdates':[{'Update':{'IndexName':'gsi'}}]"),
                    "One or more parameter values were invalid: Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: gsi");
            fails(() -> update(table("PROVISIONED"), "'GlobalSecondaryIndexUpdates':[{'Update':{'IndexName':'nope','ProvisionedThroughput':"
                            + "{'ReadCapacityUnits':1,'WriteCapacityUnits':1}}}]"),
                    ErrorType.ResourceNotFoundException, "Requested resource not found: Index nope for table T");
            invalid(() -> update(table("PROVISIONED"), "'GlobalSecondaryIndexUpdates':[{'Update':{'IndexName':'lsi','ProvisionedThroughput':"
                            + "{'ReadCapacityUnits':1,'WriteCapacityUnits':1}}}]"),
                    "Cannot update an index that is not a GlobalSecondaryIndex: lsi");
            // Several Updates, and an Update beside a Create, are allowed.
            assertThat(update(table("PROVISIONED"), "'AttributeDefinitions':[{'AttributeName':'c','AttributeType':'S'}],"
                    + "'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'byC','KeySchema':[{'AttributeName':'c','KeyType':'HASH'}],"
                    + "'Projection':{'ProjectionType':'ALL'},'ProvisionedThroughput':{'ReadCapacityUnits':1,'WriteCapacityUnits':1}}},"
                    + "{'Update':{'IndexName':'gsi','ProvisionedThroughput':{'ReadCapacityUnits':2,'WriteCapacityUnits':2}}}]")).hasSize(2);
        }

        @Test
        void entryRules() {
            invalid(() -> update(table(), "'GlobalSecondaryIndexUpdates':[]"),
                    "One or more parameter values were invalid: List of GlobalSecondaryIndexUpdates is empty");
            invalid(() -> update(table(), "'GlobalSecondaryIndexUpdates':[{}]"),
                    "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                            + "GlobalSecondaryIndexUpdate.Delete must not be null");
            invalid(() -> update(table(), "'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'gsi'},'Update':{'IndexName':'gsi'}}]"),
                    "One or more parameter values were invalid: Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object");
            invalid(() -> update(table(), "'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'gsi'}}," + createOn("gsi", "b") + "]"),
                    "One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: gsi");
        }

        @Test
        void memberViolations() {
            ValidationErrors errors = new ValidationErrors();
            IndexDefinitions.checkUpdateTableMembers(json("{'AttributeDefinitions':[{'AttributeName':'c','AttributeType':'SS'}],"
                    + "'GlobalSecondaryIndexUpdates':[{'Update':{'IndexName':'gsi','ProvisionedThroughput':{}}},{'Delete':{}},"
                    + "{'Create':{'IndexName':'x'}}]}"), errors);
            assertThat(errors.message()).isEqualTo("7 validation errors detected: "
                    + "Value null at 'globalSecondaryIndexUpdates.1.member.update.provisionedThroughput.writeCapacityUnits' "
                    + "failed to satisfy constraint: Member must not be null; "
                    + "Value null at 'globalSecondaryIndexUpdates.1.member.update.provisionedThroughput.readCapacityUnits' "
                    + "failed to satisfy constraint: Member must not be null; "
                    + "Value null at 'globalSecondaryIndexUpdates.2.member.delete.indexName' failed to satisfy constraint: Member must not be null; "
                    + "Value null at 'globalSecondaryIndexUpdates.3.member.create.projection' failed to satisfy constraint: Member must not be null; "
                    + "Value 'x' at 'globalSecondaryIndexUpdates.3.member.create.indexName' failed to satisfy constraint: "
                    + "Member must have length greater than or equal to 3; "
                    + "Value null at 'globalSecondaryIndexUpdates.3.member.create.keySchema' failed to satisfy constraint: Member must not be null; "
                    + "Value 'SS' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]");
        }
    }

    @Nested
    class Describe {

        private JsonNode describe(TableDescriptor t) {
            return TableDescriptions.describe(t, "us-east-1", 10, 2, i -> i.name().length(), i -> 100 + i.name().length());
        }

        private TableDescriptor table(String billing, List<IndexDescriptor> indexes) {
            return new TableDescriptor("T", 1, PK_SK, List.of(new AttributeDefinition("pk", ScalarType.S)), billing,
                    "PROVISIONED".equals(billing) ? 3 : 0, "PROVISIONED".equals(billing) ? 4 : 0, 1, 0, TableStatus.ACTIVE, "wal",
                    List.of(List.of(1)), indexes);
        }

        private IndexDescriptor global(String name, IndexStatus status, boolean backfilling) {
            return new IndexDescriptor(name, 7, Kind.GLOBAL, KeySchema.hash("b", ScalarType.N), IndexProjection.KEYS_ONLY, status,
                    backfilling, 1, "topic", List.of(List.of(1)), 5, 6);
        }

        @Test
        void withoutIndexesNoIndexMembers() {
            JsonNode d = describe(table("PAY_PER_REQUEST", List.of()));
            assertThat(d.has("LocalSecondaryIndexes")).isFalse();
            assertThat(d.has("GlobalSecondaryIndexes")).isFalse();
            assertThat(TableDescriptions.describe(table("PAY_PER_REQUEST", List.of()), "us-east-1", 10, 2)).isEqualTo(d);
        }

        @Test
        void localIndexes() {
            IndexDescriptor lsi = IndexDescriptor.local("byA", 3, KeySchema.hashRange("pk", ScalarType.S, "a", ScalarType.S),
                    new IndexProjection(IndexProjection.Type.INCLUDE, List.of("x", "y")));
            JsonNode d = describe(table("PAY_PER_REQUEST", List.of(lsi)));
            assertThat(d.has("GlobalSecondaryIndexes")).isFalse();
            assertThat(d.get("LocalSecondaryIndexes")).hasToString(text("[{'IndexName':'byA','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
                    + "{'AttributeName':'a','KeyType':'RANGE'}],'Projection':{'ProjectionType':'INCLUDE','NonKeyAttributes':['x','y']},"
                    + "'IndexSizeBytes':3,'ItemCount':103,'IndexArn':'arn:aws:dynamodb:us-east-1:000000000000:table/T/index/byA'}]"));
        }

        @Test
        void globalIndexesOfAPayPerRequestTableReportZeroThroughput() {
            JsonNode d = describe(table("PAY_PER_REQUEST", List.of(global("gsi", IndexStatus.ACTIVE, false))));
            assertThat(d.has("LocalSecondaryIndexes")).isFalse();
            assertThat(d.get("GlobalSecondaryIndexes")).hasToString(text("[{'IndexName':'gsi','KeySchema':[{'AttributeName':'b','KeyType':'HASH'}],"
                    + "'Projection':{'ProjectionType':'KEYS_ONLY'},'IndexStatus':'ACTIVE',"
                    + "'ProvisionedThroughput':{'NumberOfDecreasesToday':0,'ReadCapacityUnits':0,'WriteCapacityUnits':0},"
                    + "'IndexSizeBytes':3,'ItemCount':103,'IndexArn':'arn:aws:dynamodb:us-east-1:000000000000:table/T/index/gsi'}]"));
        }

        @Test
        void globalIndexesOfAProvisionedTableAndTheirStatus() {
            JsonNode d = describe(table("PROVISIONED", List.of(global("new", IndexStatus.CREATING, true),
                    global("alloc", IndexStatus.CREATING, false), global("old", IndexStatus.DELETING, false))));
            JsonNode indexes = d.get("GlobalSecondaryIndexes");
            assertThat(indexes).hasSize(3);
            assertThat(indexes.get(0).get("IndexStatus").asText()).isEqualTo("CREATING");
            assertThat(indexes.get(0).get("Backfilling").asBoolean()).isTrue();
            assertThat(indexes.get(0).get("ProvisionedThroughput"))
                    .hasToString(text("{'NumberOfDecreasesToday':0,'ReadCapacityUnits':5,'WriteCapacityUnits':6}"));
            assertThat(indexes.get(1).has("Backfilling")).isFalse();
            assertThat(indexes.get(2).get("IndexStatus").asText()).isEqualTo("DELETING");
            assertThat(indexes.get(2).has("Backfilling")).isFalse();
            // The table's members keep DynamoDB's order, indexes after BillingModeSummary's place.
            List<String> fields = new ArrayList<>();
            d.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).endsWith("TableId", "GlobalSecondaryIndexes", "DeletionProtectionEnabled");
        }
    }
}
