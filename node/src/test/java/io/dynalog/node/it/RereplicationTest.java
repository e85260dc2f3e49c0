package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.node.status.ClusterStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Issue 15, item 2: a node not heard from for {@code --replace-after} is replaced in every group
 * it was in. Three nodes in zones az1-az3 hold a table of four partitions; a fourth node joins in
 * az3. Node 3 is stopped for good under write load: every partition's group, and the catalog's,
 * goes back to three voters in three zones (1, 2 and 4), writes go on with none failing, and a
 * second original node can then be stopped with every partition still serving and every
 * acknowledged write there. Node 3 then comes back and takes node 2's place.
 */
class RereplicationTest {
    static final String TABLE = "Healing";
    final TestCluster cluster = new TestCluster();

    @AfterEach
    void stop() {
        cluster.close();
    }

    /** The groups of the table's partitions and the catalog's, as node {@code via} reports the cluster. */
    List<ClusterStatus.Group> groups(int via) throws Exception {
        return ClusterStatusTest.fetch(cluster.nodes.get(via).apiPort()).groups().stream()
                .filter(g -> g.table().equals(TABLE) || g.table().equals("(catalog)")).toList();
    }

    /** True when the table's four groups and the catalog's have exactly {@code voters}, no learner, and a leader. */
    boolean allAt(int via, List<Integer> voters) throws Exception {
        List<ClusterStatus.Group> groups = groups(via);
        return groups.size() == 5 && groups.stream().allMatch(g -> g.voters().equals(voters) && g.learners().isEmpty() && g.leader() > 0);
    }

    @Test
    void aNodeGoneForGoodIsReplacedInEveryGroupAndASecondLossIsSurvived() throws Exception {
        cluster.start("rr", 3, 4, c -> c.withReplaceAfterMs(10_000));
        DynamoDbClient client = cluster.clients.get(0);
        cluster.createTable(TABLE, 0);
        cluster.add("az3");

        BackgroundWriter writer = BackgroundWriter.start(client, TABLE);
        try (writer) {
            Awaitility.await("writes under way").atMost(Duration.ofSeconds(10)).until(() -> writer.acknowledged.size() > 50);
            cluster.stop(2);
            long stoppedAtNs = System.nanoTime();
            Awaitility.await("every group back at voters 1, 2, 4").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> allAt(0, List.of(1, 2, 4)));
            long restoredMs = (System.nanoTime() - stoppedAtNs) / 1_000_000;
            System.out.println("every group back at three voters " + restoredMs + " ms after node 3 stopped");
            Awaitility.await("the catalog names the new members").atMost(Duration.ofSeconds(10)).until(() ->
                    cluster.nodes.get(3).inGroupOf(TABLE, 0) && cluster.nodes.get(3).inGroupOf(TABLE, 3));
        }
        assertThat(writer.failures).as("writes through node 1 while node 3 was replaced").isEmpty();
        List<String> written = new ArrayList<>(writer.acknowledged);

        // A second original node goes: the groups are 1 and 4 of {1, 2, 4}, a majority.
        cluster.stop(1);
        for (int i = 0; i < 20; i++) {
            String id = "after-" + i;
            client.putItem(r -> r.tableName(TABLE).item(Map.of("id", AttributeValue.fromS(id))));
            written.add(id);
        }
        assertThat(BackgroundWriter.missing(client, TABLE, written)).as("every acknowledged write, with two of the three original nodes gone").isEmpty();
        DynamoDbClient fourth = cluster.clients.get(3);
        assertThat(fourth.scanPaginator(r -> r.tableName(TABLE).consistentRead(true)).items().stream().count()).as("a scan through the new member")
                .isEqualTo((long) written.size());

        // Node 3 comes back: it was replaced, so it drops what it held, and rejoins as a new member
        // where one is needed: in node 2's place, in every group. The catalog works again, through
        // the catalog group's new members, so a table can be created.
        cluster.restart(2);
        assertThat(cluster.nodes.get(2).inGroupOf(TABLE, 0)).as("a replaced member does not come back by itself").isFalse();
        Awaitility.await("every group at voters 1, 3, 4").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> allAt(0, List.of(1, 3, 4)));
        DynamoDbClient third = cluster.clients.get(2);
        Awaitility.await("node 3's replicas rebuilt from the WAL").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> third.scanPaginator(r -> r.tableName(TABLE)).items().stream().count() == written.size());
        cluster.createTable("AfterHealing", 2);
    }
}
