package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.node.status.ClusterStatus;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Issue 15, item 4: the nodes topic no longer places new tables on dead nodes. Nodes announce
 * themselves every few seconds; one stopped is not heard from, and once it has been silent past the
 * limit a new table's partitions go to the two nodes that are up (and the table becomes ACTIVE).
 */
class PlacementOnLiveNodesTest {
    final TestCluster cluster = new TestCluster();

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aSilentNodeGetsNoReplicasOfANewTable() throws Exception {
        cluster.start("pl", 3, 3);
        cluster.stop(2);
        Awaitility.await("node 3 silent past the limit").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.nodes.get(0).liveMembers().size() == 2 && cluster.nodes.get(1).liveMembers().size() == 2);
        cluster.clients.get(0).createTable(r -> r.tableName("AfterTheLoss").billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build()));
        Awaitility.await("table ACTIVE").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                cluster.clients.get(1).describeTable(r -> r.tableName("AfterTheLoss")).table().tableStatus() == TableStatus.ACTIVE);
        ClusterStatus status = ClusterStatusTest.fetch(cluster.nodes.get(0).apiPort());
        assertThat(status.groups()).filteredOn(g -> g.table().equals("AfterTheLoss")).hasSize(3)
                .allSatisfy(g -> assertThat(g.voters()).containsExactly(1, 2));
        assertThat(status.nodes()).extracting(ClusterStatus.Node::state).containsExactly("up", "up", "unreachable");
    }
}
