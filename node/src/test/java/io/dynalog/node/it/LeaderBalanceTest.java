package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.node.status.ClusterStatus;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Issue 15, item 5: leaders move to their preferred members when those are healthy. Three nodes,
 * a table of six partitions: each node ends up leading two of them; a node stopped and started
 * again gets its two back (once it has answered for 30 s), while writes go on with none failing
 * (hand-overs lose no write and refuse none beyond an internal retry).
 */
class LeaderBalanceTest {
    final TestCluster cluster = new TestCluster();

    @AfterEach
    void stop() {
        cluster.close();
    }

    /** Leaders of the table's partitions by node id, as node {@code via} reports the cluster. */
    Map<Integer, Long> leadersOfTable(int via) throws Exception {
        ClusterStatus status = ClusterStatusTest.fetch(cluster.nodes.get(via).apiPort());
        Map<Integer, Long> byNode = new java.util.TreeMap<>();
        for (ClusterStatus.Group g : status.groups()) {
            if (g.table().equals("Balanced") && g.leader() > 0) byNode.merge(g.leader(), 1L, Long::sum);
        }
        return byNode;
    }

    void awaitTwoEach(int via) {
        // A member gets leaderships only after answering for 30 s without a gap (ControlRounds).
        Awaitility.await("two leaders per node").atMost(Duration.ofSeconds(75)).pollInterval(Duration.ofMillis(250))
                .until(() -> leadersOfTable(via).equals(Map.of(1, 2L, 2, 2L, 3, 2L)));
    }

    @Test
    void leadersSpreadEvenlyAndARestartedNodeGetsItsShareBack() throws Exception {
        cluster.start("lb", 3, 6);
        DynamoDbClient client = cluster.clients.get(0);
        cluster.createTable("Balanced", 0);
        awaitTwoEach(0);

        cluster.stop(2);
        Awaitility.await("every partition led by 1 or 2").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> leadersOfTable(0).values().stream().mapToLong(Long::longValue).sum() == 6);

        // Writes go on through the restart and the hand-overs that follow it; none may fail.
        cluster.restart(2);
        BackgroundWriter writer = BackgroundWriter.start(client, "Balanced");
        try (writer) {
            awaitTwoEach(1);
        }
        assertThat(writer.failures).isEmpty();
        assertThat(writer.acknowledged).hasSizeGreaterThan(10);
        assertThat(writer.missing(client, "Balanced")).isEmpty();
    }
}
