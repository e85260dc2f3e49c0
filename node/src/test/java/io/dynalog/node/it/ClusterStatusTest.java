package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.node.DynalogCli;
import io.dynalog.node.status.ClusterStatus;
import io.dynalog.node.status.StatusEndpoints;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Issue 15, item 6: any node of a three-node cluster serves the cluster's status as JSON, and
 * {@code dynalog cluster status} prints it: every node with its zone and load, every replica
 * group (the catalog's and each table partition's) with its voters, configuration version, leader
 * and lag; a stopped node is shown unreachable.
 */
class ClusterStatusTest {
    final TestCluster cluster = new TestCluster();

    @AfterEach
    void stop() {
        cluster.close();
    }

    static ClusterStatus fetch(int apiPort) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + apiPort + StatusEndpoints.CLUSTER_PATH)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        return StatusEndpoints.fromJson(response.body(), ClusterStatus.class);
    }

    @Test
    void anyNodeServesTheClusterStatusAndTheCommandPrintsIt() throws Exception {
        cluster.start("st", 3, 2);
        cluster.clients.get(0).createTable(r -> r.tableName("Watched").billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build()));
        Awaitility.await("table ACTIVE").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                cluster.clients.get(1).describeTable(r -> r.tableName("Watched")).table().tableStatus() == TableStatus.ACTIVE);
        int secondPort = cluster.nodes.get(1).apiPort();

        ClusterStatus[] seen = new ClusterStatus[1];
        Awaitility.await("every group led").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            seen[0] = fetch(secondPort);
            return seen[0].groups().stream().allMatch(g -> g.leader() > 0);
        });
        ClusterStatus status = seen[0];
        assertThat(status.nodes()).extracting(ClusterStatus.Node::nodeId, ClusterStatus.Node::zone, ClusterStatus.Node::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "az1", "up"), org.assertj.core.groups.Tuple.tuple(2, "az2", "up"),
                        org.assertj.core.groups.Tuple.tuple(3, "az3", "up"));
        assertThat(status.groups()).extracting(ClusterStatus.Group::table, ClusterStatus.Group::partition)
                .contains(org.assertj.core.groups.Tuple.tuple("(catalog)", 0), org.assertj.core.groups.Tuple.tuple("Watched", 0),
                        org.assertj.core.groups.Tuple.tuple("Watched", 1));
        for (ClusterStatus.Group g : status.groups()) {
            assertThat(g.voters()).as("%s/%d", g.table(), g.partition()).containsExactly(1, 2, 3);
            assertThat(g.configurationVersion()).isZero();
            assertThat(g.members()).extracting(ClusterStatus.GroupMember::nodeId).containsExactly(1, 2, 3);
        }
        assertThat(status.nodes().stream().mapToInt(ClusterStatus.Node::leaders).sum()).isEqualTo(status.groups().size());
        assertThat(status.nodes()).allSatisfy(n -> assertThat(n.replicas()).isEqualTo(status.groups().size()));

        StringWriter out = new StringWriter();
        CommandLine command = new CommandLine(new DynalogCli());
        command.setOut(new PrintWriter(out));
        assertThat(command.execute("cluster", "status", "--endpoint", "http://127.0.0.1:" + cluster.nodes.get(2).apiPort()))
                .isZero();
        assertThat(out.toString()).contains("NODE", "az3", "Watched", "(catalog)", "1,2,3", "MOVES: none in progress");

        cluster.stop(2);
        ClusterStatus after = fetch(cluster.nodes.get(0).apiPort());
        assertThat(after.nodes()).extracting(ClusterStatus.Node::state).containsExactly("up", "up", "unreachable");
        assertThat(after.groups()).allSatisfy(g -> assertThat(g.members()).extracting(ClusterStatus.GroupMember::nodeId)
                .containsExactly(1, 2));
        assertThat(List.of(after.groups().size())).containsExactly(status.groups().size());
    }
}
