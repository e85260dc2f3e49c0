package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.node.status.ClusterStatus;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Issue 15, item 3: nodes added to a running cluster receive replicas and leaderships until load
 * is even. Three nodes hold a table of six partitions and the catalog (21 replicas, 7 each); two
 * nodes join in zones of their own. Under write load, replicas move until every node holds within
 * one of the mean (4.2: so 4 or 5), every group keeps its voters in distinct zones, every node
 * leads a group, and no write fails or is lost.
 */
class ScaleOutTest {
    static final String TABLE = "Growing";
    final TestCluster cluster = new TestCluster();

    @AfterEach
    void stop() {
        cluster.close();
    }

    static boolean even(ClusterStatus status) {
        if (status.nodes().size() != 5 || !status.moves().isEmpty()) return false;
        int total = status.nodes().stream().mapToInt(ClusterStatus.Node::replicas).sum();
        double mean = total / 5.0;
        return total == 21 && status.nodes().stream().allMatch(n -> Math.abs(n.replicas() - mean) <= 1)
                && status.groups().stream().allMatch(g -> g.voters().size() == 3 && g.learners().isEmpty() && g.leader() > 0)
                && status.nodes().stream().allMatch(n -> n.leaders() >= 1);
    }

    @Test
    void twoNewNodesFillUpUntilEveryNodeHoldsWithinOneOfTheMean() throws Exception {
        cluster.start("so", 3, 6);
        DynamoDbClient client = cluster.clients.get(0);
        cluster.createTable(TABLE, 0);

        BackgroundWriter writer = BackgroundWriter.start(client, TABLE);
        ClusterStatus[] last = new ClusterStatus[1];
        try (writer) {
            cluster.add("az4");
            cluster.add("az5");
            // New members get leaderships once they have answered for 30 s (ControlRounds).
            Awaitility.await("replicas and leaders even").atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> even(last[0] = ClusterStatusTest.fetch(cluster.nodes.get(0).apiPort())));
        }
        System.out.println("after scale-out: " + last[0].nodes());
        for (ClusterStatus.Group g : last[0].groups()) {
            Set<String> zones = new HashSet<>();
            for (int v : g.voters()) zones.add(cluster.zones.get(v - 1));
            assertThat(zones).as("the zones of %s", g).hasSize(3);
        }
        assertThat(writer.failures).isEmpty();
        assertThat(writer.acknowledged).hasSizeGreaterThan(50);
        assertThat(writer.missing(client, TABLE)).isEmpty();
        assertThat(List.of(4, 5)).allSatisfy(id -> assertThat(cluster.nodes.get(id - 1).inGroupOf(TABLE, 0)
                || cluster.nodes.get(id - 1).inGroupOf(TABLE, 1) || cluster.nodes.get(id - 1).inGroupOf(TABLE, 2)
                || cluster.nodes.get(id - 1).inGroupOf(TABLE, 3) || cluster.nodes.get(id - 1).inGroupOf(TABLE, 4)
                || cluster.nodes.get(id - 1).inGroupOf(TABLE, 5)).isTrue());
    }
}
