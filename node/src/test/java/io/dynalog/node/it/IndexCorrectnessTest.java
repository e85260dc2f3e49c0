package io.dynalog.node.it;

import static io.dynalog.node.it.Values.n;
import static io.dynalog.node.it.Values.s;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.node.DynalogNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Every index equals the index recomputed from its table: random puts, updates and deletes
 * (index keys appearing, changing, disappearing) through the nodes of a three-node cluster, one of
 * which is stopped half way (its partitions fail over, its share of the index derivation moves);
 * after quiescence, each index's rows are exactly the projections of the table's items that have
 * the index's key. Then a global index deleted and added again (backfilled from the WAL) has the
 * same rows.
 */
class IndexCorrectnessTest {
    static final String TABLE = "Shuffled";
    static final long SEED = Long.getLong("dynalog.indexes.seed", 7L);
    static final int OPERATIONS = Integer.getInteger("dynalog.indexes.operations", 300);

    final TestCluster cluster = new TestCluster();
    final List<DynalogNode> nodes = cluster.nodes;
    final List<DynamoDbClient> clients = cluster.clients;

    @AfterEach
    void stop() {
        cluster.close();
    }

    /** The indexes: (name, partition key, sort key or null, projection type, INCLUDE attributes). */
    record IndexSpec(String name, String pk, String sk, ProjectionType projection, List<String> include) {
        boolean covers(Map<String, AttributeValue> item) {
            return item.containsKey(pk) && (sk == null || item.containsKey(sk));
        }

        Map<String, AttributeValue> row(Map<String, AttributeValue> item) {
            if (projection == ProjectionType.ALL) return item;
            Map<String, AttributeValue> row = new HashMap<>();
            for (String name : List.of("pk", "sk", pk)) row.put(name, item.get(name));
            if (sk != null) row.put(sk, item.get(sk));
            for (String name : include) if (item.containsKey(name)) row.put(name, item.get(name));
            return row;
        }
    }

    static final IndexSpec BY_L = new IndexSpec("byL", "pk", "l", ProjectionType.KEYS_ONLY, List.of());
    static final IndexSpec BY_G = new IndexSpec("byG", "g", "h", ProjectionType.INCLUDE, List.of("v"));
    static final IndexSpec BY_H = new IndexSpec("byH", "h", null, ProjectionType.ALL, List.of());

    @Test
    void everyIndexEqualsTheIndexRecomputedFromItsTable() throws Exception {
        cluster.start("ix", 3, 3);
        DynamoDbClient first = clients.get(0);
        first.createTable(r -> r.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(key("pk", KeyType.HASH), key("sk", KeyType.RANGE))
                .attributeDefinitions(def("pk", ScalarAttributeType.S), def("sk", ScalarAttributeType.N), def("l", ScalarAttributeType.N),
                        def("g", ScalarAttributeType.S), def("h", ScalarAttributeType.N))
                .localSecondaryIndexes(LocalSecondaryIndex.builder().indexName("byL").keySchema(key("pk", KeyType.HASH), key("l", KeyType.RANGE))
                        .projection(Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build()).build())
                .globalSecondaryIndexes(gsi(BY_G), gsi(BY_H)));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                clients.stream().allMatch(c -> c.describeTable(r -> r.tableName(TABLE)).table().tableStatus() == TableStatus.ACTIVE));

        Random random = new Random(SEED);
        List<DynamoDbClient> live = new ArrayList<>(clients);
        for (int i = 0; i < OPERATIONS; i++) {
            if (i == OPERATIONS / 2) {
                // Stop a node: the partitions it led fail over, its Streams tasks move to the others.
                clients.get(2).close();
                nodes.get(2).close();
                nodes.set(2, null);
                live.remove(clients.get(2));
            }
            DynamoDbClient client = live.get(random.nextInt(live.size()));
            try {
                randomWrite(client, random);
            } catch (DynamoDbException e) {
                // A write whose outcome is unknown (during the failover) is fine: the table is the truth compared against.
                if (e.statusCode() < 500) throw e;
            }
        }
        assertIndexesMatchTable(live, List.of(BY_L, BY_G, BY_H));

        DynamoDbClient client = live.get(0);
        Set<Map<String, AttributeValue>> before = rows(client, BY_G, false);
        client.updateTable(r -> r.tableName(TABLE).globalSecondaryIndexUpdates(u -> u.delete(d -> d.indexName("byG"))));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> live.stream().allMatch(c ->
                c.describeTable(r -> r.tableName(TABLE)).table().globalSecondaryIndexes().stream().noneMatch(g -> g.indexName().equals("byG"))));
        client.updateTable(r -> r.tableName(TABLE).attributeDefinitions(def("g", ScalarAttributeType.S), def("h", ScalarAttributeType.N))
                .globalSecondaryIndexUpdates(u -> u.create(c -> c.indexName("byG").keySchema(gsi(BY_G).keySchema())
                        .projection(gsi(BY_G).projection()))));
        Awaitility.await("byG backfilled").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                client.describeTable(r -> r.tableName(TABLE)).table().globalSecondaryIndexes().stream()
                        .anyMatch(g -> g.indexName().equals("byG") && g.indexStatus() == IndexStatus.ACTIVE));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(rows(client, BY_G, false)).as("the same rows after deleting and adding the index again").isEqualTo(before));
    }

    void randomWrite(DynamoDbClient client, Random random) {
        Map<String, AttributeValue> key = Map.of("pk", s("p" + random.nextInt(4)), "sk", n(Integer.toString(random.nextInt(12))));
        switch (random.nextInt(4)) {
            case 0, 1 -> {
                Map<String, AttributeValue> item = new HashMap<>(key);
                if (random.nextInt(4) > 0) item.put("l", n(Integer.toString(random.nextInt(5))));
                if (random.nextInt(3) > 0) item.put("g", s("g" + random.nextInt(3)));
                if (random.nextInt(3) > 0) item.put("h", n(Integer.toString(random.nextInt(6))));
                if (random.nextBoolean()) item.put("v", s("v" + random.nextInt(100)));
                item.put("w", s("w" + random.nextInt(100)));
                client.putItem(r -> r.tableName(TABLE).item(item));
            }
            case 2 -> {
                String update = switch (random.nextInt(5)) {
                    case 0 -> "SET g = :g";
                    case 1 -> "REMOVE g";
                    case 2 -> "SET h = :h, l = :h";
                    case 3 -> "REMOVE h, l SET v = :g";
                    default -> "SET v = :g, w = :g";
                };
                Map<String, AttributeValue> values = new HashMap<>();
                if (update.contains(":g")) values.put(":g", s("g" + random.nextInt(3)));
                if (update.contains(":h")) values.put(":h", n(Integer.toString(random.nextInt(6))));
                client.updateItem(r -> r.tableName(TABLE).key(key).updateExpression(update)
                        .expressionAttributeValues(values.isEmpty() ? null : values));
            }
            default -> client.deleteItem(r -> r.tableName(TABLE).key(key));
        }
    }

    void assertIndexesMatchTable(List<DynamoDbClient> live, List<IndexSpec> indexes) {
        DynamoDbClient client = live.get(0);
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        client.scanPaginator(r -> r.tableName(TABLE).consistentRead(true)).items().forEach(items::add);
        for (IndexSpec index : indexes) {
            Set<Map<String, AttributeValue>> expected = new HashSet<>();
            for (Map<String, AttributeValue> item : items) if (index.covers(item)) expected.add(index.row(item));
            boolean local = index == BY_L;
            for (DynamoDbClient c : live) {
                Awaitility.await(index.name() + " settles").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> assertThat(rows(c, index, local)).as(index.name()).isEqualTo(expected));
            }
        }
    }

    static Set<Map<String, AttributeValue>> rows(DynamoDbClient client, IndexSpec index, boolean consistent) {
        Set<Map<String, AttributeValue>> rows = new HashSet<>();
        client.scanPaginator(r -> r.tableName(TABLE).indexName(index.name()).consistentRead(consistent ? true : null).limit(7))
                .items().forEach(rows::add);
        return rows;
    }

    static GlobalSecondaryIndex gsi(IndexSpec spec) {
        List<KeySchemaElement> keys = new ArrayList<>(List.of(key(spec.pk(), KeyType.HASH)));
        if (spec.sk() != null) keys.add(key(spec.sk(), KeyType.RANGE));
        Projection.Builder projection = Projection.builder().projectionType(spec.projection());
        if (!spec.include().isEmpty()) projection.nonKeyAttributes(spec.include());
        return GlobalSecondaryIndex.builder().indexName(spec.name()).keySchema(keys).projection(projection.build()).build();
    }

    static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }

    static AttributeDefinition def(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
    }


}
