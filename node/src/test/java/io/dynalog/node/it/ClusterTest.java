package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.node.DynalogNode;
import io.dynalog.node.NodeConfig;
import io.dynalog.node.kafka.SharedTestKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Three nodes in three zones in this JVM on the shared broker: every partition is a replica group
 * of three. Writes through one node, reads through the others (consistent ones forwarded to the
 * leader, eventual ones served by the local replica), and a node stopped with no acknowledged
 * write lost.
 */
class ClusterTest {
    final TestCluster cluster = new TestCluster();
    final List<DynalogNode> nodes = cluster.nodes;
    final List<DynamoDbClient> clients = cluster.clients;

    @AfterEach
    void stop() {
        cluster.close();
    }

    void startCluster(int count, int partitions) throws Exception {
        cluster.start("cl", count, partitions);
    }

    /**
     * The catalog has one writer at a time whichever node a change arrives on: of three
     * CreateTable calls for one name, one through each node at once, exactly one succeeds, and
     * of three DeleteTable calls exactly one.
     */
    void createAndDeleteTheSameTableThroughEveryNodeAtOnce() throws Exception {
        for (int round = 0; round < 3; round++) {
            String name = "Contested" + round;
            List<CompletableFuture<String>> creates = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                DynamoDbClient c = clients.get(i);
                String keyName = "key" + i;
                creates.add(CompletableFuture.supplyAsync(() -> outcome(() -> c.createTable(r -> r.tableName(name)
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .keySchema(KeySchemaElement.builder().attributeName(keyName).keyType(KeyType.HASH).build())
                        .attributeDefinitions(AttributeDefinition.builder().attributeName(keyName)
                                .attributeType(ScalarAttributeType.S).build())))));
            }
            List<String> outcomes = creates.stream().map(CompletableFuture::join).toList();
            assertThat(outcomes).as("round %d", round).containsOnlyOnce("ok").containsOnly("ok", "ResourceInUseException");
            String winnerKey = "key" + outcomes.indexOf("ok");
            Awaitility.await(name + " ACTIVE").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                    clients.stream().allMatch(c -> c.describeTable(r -> r.tableName(name)).table().tableStatus() == TableStatus.ACTIVE));
            for (DynamoDbClient c : clients) {
                assertThat(c.describeTable(r -> r.tableName(name)).table().keySchema().get(0).attributeName()).isEqualTo(winnerKey);
            }
            List<CompletableFuture<String>> deletes = clients.stream()
                    .map(c -> CompletableFuture.supplyAsync(() -> outcome(() -> c.deleteTable(r -> r.tableName(name)))))
                    .toList();
            assertThat(deletes.stream().map(CompletableFuture::join).toList())
                    .containsOnlyOnce("ok").containsOnly("ok", "ResourceNotFoundException");
        }
    }

    private static String outcome(Runnable call) {
        try {
            call.run();
            return "ok";
        } catch (DynamoDbException e) {
            return e.awsErrorDetails().errorCode();
        }
    }

    /** Four nodes in four zones: each partition has replicas on three of them, so Scans cross nodes. */
    @Test
    void scansReadPartitionsHeldByOtherNodes() throws Exception {
        startCluster(4, 4);
        clients.get(0).createTable(r -> r.tableName("Spread").billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.N).build()));
        Awaitility.await("table ACTIVE").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                clients.get(1).describeTable(r -> r.tableName("Spread")).table().tableStatus() == TableStatus.ACTIVE);
        for (int i = 0; i < 100; i++) {
            int id = i;
            clients.get(i % 4).putItem(r -> r.tableName("Spread").item(Map.of("id", AttributeValue.fromN(Integer.toString(id)))));
        }
        for (DynamoDbClient c : clients) {
            assertThat(scanAll(c, true, null, 7)).hasSize(100).doesNotHaveDuplicates();
            Awaitility.await("eventual scan").atMost(Duration.ofSeconds(10)).until(() -> scanAll(c, false, null, 13).size() == 100);
            List<String> segmented = new ArrayList<>();
            for (int s = 0; s < 3; s++) segmented.addAll(scanAll(c, true, s, 11));
            assertThat(segmented).hasSize(100).doesNotHaveDuplicates();
        }

        // The catalog has replicas on three of the four nodes. With its preferred replica down, the
        // node holding none of them still changes the catalog, through the other two.
        List<Integer> catalogReplicas = nodes.get(0).catalogReplicas();
        assertThat(catalogReplicas).hasSize(3);
        int outsider = List.of(1, 2, 3, 4).stream().filter(id -> !catalogReplicas.contains(id)).findFirst().orElseThrow() - 1;
        int preferred = catalogReplicas.get(0) - 1;
        clients.get(preferred).close();
        nodes.get(preferred).close();
        nodes.set(preferred, null);
        clients.get(outsider).createTable(r -> r.tableName("WithoutPreferred").billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.N).build()));
        assertThat(clients.get(outsider).listTables().tableNames()).contains("WithoutPreferred");
    }

    static List<String> scanAll(DynamoDbClient c, boolean consistent, Integer segment, int limit) {
        List<String> ids = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            var page = c.scan(r -> {
                r.tableName("Spread").consistentRead(consistent).limit(limit).exclusiveStartKey(from).projectionExpression("id");
                if (segment != null) r.segment(segment).totalSegments(3);
            });
            page.items().forEach(i -> ids.add(i.get("id").n()));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return ids;
    }

    @Test
    void writesAndReadsThroughAnyNodeSurviveANodeStopping() throws Exception {
        startCluster(3, 3);
        createAndDeleteTheSameTableThroughEveryNodeAtOnce();

        clients.get(0).createTable(r -> r.tableName("Replicated").billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.N).build()));
        Awaitility.await("table ACTIVE").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                clients.get(1).describeTable(r -> r.tableName("Replicated")).table().tableStatus() == TableStatus.ACTIVE);

        List<Map<String, AttributeValue>> written = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            Map<String, AttributeValue> item = Map.of("pk", AttributeValue.fromS("p" + (i % 6)),
                    "sk", AttributeValue.fromN(Integer.toString(i)), "v", AttributeValue.fromS("value-" + i));
            clients.get(i % 3).putItem(r -> r.tableName("Replicated").item(item));
            written.add(item);
        }
        for (Map<String, AttributeValue> item : written) {
            Map<String, AttributeValue> key = Map.of("pk", item.get("pk"), "sk", item.get("sk"));
            for (DynamoDbClient c : clients) {
                assertThat(c.getItem(r -> r.tableName("Replicated").key(key).consistentRead(true)).item()).isEqualTo(item);
            }
        }
        // Read-your-writes across nodes: each write is read back at once, strongly, through another
        // node, so most reads are forwarded to the partition's leader.
        for (int i = 0; i < 300; i++) {
            Map<String, AttributeValue> item = Map.of("pk", AttributeValue.fromS("ryw" + i),
                    "sk", AttributeValue.fromN("0"), "v", AttributeValue.fromS("value-" + i));
            clients.get(i % 3).putItem(r -> r.tableName("Replicated").item(item));
            Map<String, AttributeValue> key = Map.of("pk", item.get("pk"), "sk", item.get("sk"));
            assertThat(clients.get((i + 1) % 3).getItem(r -> r.tableName("Replicated").key(key).consistentRead(true)).item())
                    .as("write %d read back through another node", i).isEqualTo(item);
        }
        Awaitility.await("eventually consistent reads on every node").atMost(Duration.ofSeconds(10)).until(() ->
                clients.stream().allMatch(c -> c.query(r -> r.tableName("Replicated").keyConditionExpression("pk = :p")
                        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("p1")))).count() == 10));
        assertThat(clients.get(2).query(r -> r.tableName("Replicated").keyConditionExpression("pk = :p").consistentRead(true)
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("p2")))).count()).isEqualTo(10);

        // The catalog is a replica group of its own, on the three nodes (three zones), as every node agrees.
        for (DynalogNode n : nodes) assertThat(n.catalogReplicas()).containsExactlyInAnyOrder(1, 2, 3);
        Awaitility.await("a catalog leader").atMost(Duration.ofSeconds(10)).until(() -> nodes.stream().anyMatch(DynalogNode::leadsCatalog));
        int victim = 0;
        while (!nodes.get(victim).leadsCatalog()) victim++;
        List<DynamoDbClient> survivors = new ArrayList<>(clients);
        survivors.remove(victim);

        // The catalog's leader stops: the catalog and the table's partitions it led elect new leaders
        // among the other two nodes; nothing acknowledged is lost.
        clients.get(victim).close();
        nodes.get(victim).close();
        nodes.set(victim, null);
        for (int i = 60; i < 90; i++) {
            Map<String, AttributeValue> item = Map.of("pk", AttributeValue.fromS("p" + (i % 6)),
                    "sk", AttributeValue.fromN(Integer.toString(i)), "v", AttributeValue.fromS("value-" + i));
            survivors.get(i % 2).putItem(r -> r.tableName("Replicated").item(item));
            written.add(item);
        }
        for (Map<String, AttributeValue> item : written) {
            Map<String, AttributeValue> key = Map.of("pk", item.get("pk"), "sk", item.get("sk"));
            assertThat(survivors.get(1).getItem(r -> r.tableName("Replicated").key(key).consistentRead(true)).item()).isEqualTo(item);
        }

        // The catalog keeps changing through its new leader, and the change reaches both survivors.
        survivors.get(0).createTable(r -> r.tableName("AfterFailover").billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build()));
        Awaitility.await("new table ACTIVE").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                survivors.stream().allMatch(c -> c.describeTable(r -> r.tableName("AfterFailover")).table().tableStatus() == TableStatus.ACTIVE));
        survivors.get(1).putItem(r -> r.tableName("AfterFailover").item(Map.of("id", AttributeValue.fromS("x"))));
        assertThat(survivors.get(0).getItem(r -> r.tableName("AfterFailover").key(Map.of("id", AttributeValue.fromS("x")))
                .consistentRead(true)).item()).containsEntry("id", AttributeValue.fromS("x"));
        survivors.get(1).deleteTable(r -> r.tableName("AfterFailover"));
        assertThat(survivors.get(1).listTables().tableNames()).containsExactly("Replicated");
        Awaitility.await("the delete reaches the other survivor").atMost(Duration.ofSeconds(10)).until(() ->
                survivors.get(0).listTables().tableNames().equals(List.of("Replicated")));
    }
}
