package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.node.DynalogCli;
import io.dynalog.node.status.ClusterStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Issue 15, item 4: {@code dynalog node drain} moves every replica and leadership off a node and
 * says when it may be stopped; {@code dynalog node remove} forgets it once it is gone, and refuses
 * while it is alive. Four nodes (two in az1) hold a table; node 1 is drained through node 3 under
 * write load: its replicas, and its global index partitions, go to node 4, the other node of its
 * zone, no write fails, and every one reads back.
 */
class DrainTest {
    static final String TABLE = "Drained";
    static final String INDEX = "byColor";
    final TestCluster cluster = new TestCluster();

    @AfterEach
    void stop() {
        cluster.close();
    }

    /** Runs the command line in this JVM; its exit code, with what it printed appended to {@code out}. */
    static int dynalog(StringWriter out, String... args) {
        CommandLine command = new CommandLine(new DynalogCli());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(out, true));
        return command.execute(args);
    }

    @Test
    void aDrainedNodeEndsWithNoReplicaAndNothingIsLost() throws Exception {
        cluster.start("dr", 3, 4);
        cluster.add("az1");
        DynamoDbClient client = cluster.clients.get(1);
        client.createTable(r -> r.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("color").attributeType(ScalarAttributeType.S).build())
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName(INDEX)
                        .keySchema(KeySchemaElement.builder().attributeName("color").keyType(KeyType.HASH).build())
                        .projection(Projection.builder().projectionType(ProjectionType.ALL).build()).build()));
        Awaitility.await("table ACTIVE").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                client.describeTable(r -> r.tableName(TABLE)).table().tableStatus() == TableStatus.ACTIVE);
        for (int i = 0; i < 20; i++) {
            String id = "red-" + i;
            client.putItem(r -> r.tableName(TABLE).item(Map.of("id", AttributeValue.fromS(id), "color", AttributeValue.fromS("red"))));
        }
        String viaNode3 = "http://127.0.0.1:" + cluster.nodes.get(2).apiPort();

        StringWriter out = new StringWriter();
        BackgroundWriter writer = BackgroundWriter.start(client, TABLE);
        try (writer) {
            Awaitility.await("writes under way").atMost(Duration.ofSeconds(10)).until(() -> writer.acknowledged.size() > 20);
            assertThat(dynalog(out, "node", "drain", "--node-id", "1", "--endpoint", viaNode3, "--poll", "500ms", "--wait", "3m"))
                    .as(out.toString()).isZero();
        }
        assertThat(out.toString()).contains("node 1 is draining", "node 1 holds no replica: it may be stopped");
        assertThat(writer.failures).as("writes while node 1 was drained").isEmpty();

        ClusterStatus status = ClusterStatusTest.fetch(cluster.nodes.get(1).apiPort());
        assertThat(status.nodes().get(0)).satisfies(n -> {
            assertThat(n.state()).isEqualTo("drained");
            assertThat(n.replicas()).isZero();
            assertThat(n.leaders()).isZero();
            assertThat(n.indexReplicas()).isZero();
        });
        // The index's partitions moved too, and serve from their new replicas.
        Awaitility.await("the index answers from its new replicas").atMost(Duration.ofSeconds(30)).until(() ->
                cluster.clients.get(3).query(r -> r.tableName(TABLE).indexName(INDEX).keyConditionExpression("color = :c")
                        .expressionAttributeValues(Map.of(":c", AttributeValue.fromS("red")))).count() == 20);
        assertThat(status.groups()).allSatisfy(g -> {
            assertThat(g.voters()).doesNotContain(1).hasSize(3);
            assertThat(g.learners()).isEmpty();
        });
        assertThat(status.groups().stream().filter(g -> g.voters().contains(4)).count()).as("node 4 took node 1's place")
                .isEqualTo(status.groups().stream().count());

        cluster.stop(0);
        StringWriter refused = new StringWriter();
        assertThat(dynalog(refused, "node", "remove", "--node-id", "1", "--endpoint", viaNode3)).isOne();
        assertThat(refused.toString()).contains("node 1 was heard from", "drain it");
        Awaitility.await("node 1 removed once silent").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> dynalog(new StringWriter(), "node", "remove", "--node-id", "1", "--endpoint", viaNode3) == 0);
        Awaitility.await("node 1 forgotten").atMost(Duration.ofSeconds(10)).until(() ->
                ClusterStatusTest.fetch(cluster.nodes.get(1).apiPort()).nodes().stream().noneMatch(n -> n.nodeId() == 1));
        assertThat(writer.missing(client, TABLE)).isEmpty();
    }
}
