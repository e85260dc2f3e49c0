package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.ingest.AmnesiaGuard;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * A node whose acceptor store is gone (a replaced disk) never votes with amnesia: on three nodes,
 * one is stopped, its acceptor store deleted, and started again. It refuses the replica groups it
 * was in (the catalog's and the table's), which go on with the other two; requests through it
 * are still served (by the groups' leaders elsewhere); and it takes part in the groups of a table
 * created after its new store.
 */
class DiskReplacementTest {
    final TestCluster cluster = new TestCluster();

    @AfterEach
    void stop() {
        cluster.close();
    }

    static void createTable(DynamoDbClient client, String name) {
        client.createTable(r -> r.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build()));
        Awaitility.await(name + " ACTIVE").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                client.describeTable(r -> r.tableName(name)).table().tableStatus() == TableStatus.ACTIVE);
    }

    static Map<String, AttributeValue> item(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk), "v", AttributeValue.fromS("value of " + pk));
    }

    @Test
    void aNodeWhoseAcceptorStoreWasReplacedRefusesTheGroupsItVotedInAndJoinsNewOnes() throws Exception {
        cluster.start("disk", 3, 2);
        createTable(cluster.clients.get(0), "Before");
        for (int i = 0; i < 20; i++) cluster.clients.get(i % 3).putItem(r -> r.tableName("Before").item(item("k")));
        for (int p = 0; p < 2; p++) assertThat(cluster.nodes.get(2).inGroupOf("Before", p)).isTrue();

        cluster.stop(2);
        TestNode.deleteRecursively(cluster.dirs.get(2).resolve("acceptors"));
        cluster.restart(2);

        for (int p = 0; p < 2; p++) {
            assertThat(cluster.nodes.get(2).inGroupOf("Before", p)).as("votes in partition %d with amnesia", p).isFalse();
            assertThat(cluster.nodes.get(0).inGroupOf("Before", p)).isTrue();
        }
        // Served through it, by the leaders of the two members that remember.
        for (int i = 0; i < 20; i++) {
            String pk = "after-" + i;
            cluster.clients.get(2).putItem(r -> r.tableName("Before").item(item(pk)));
            assertThat(cluster.clients.get(2).getItem(r -> r.tableName("Before").key(Map.of("pk", AttributeValue.fromS(pk)))
                    .consistentRead(true)).item()).isEqualTo(item(pk));
        }

        // A table created after its new store (clocks may differ by up to the margin): it votes there.
        Thread.sleep(AmnesiaGuard.CLOCK_MARGIN_MS + 500);
        createTable(cluster.clients.get(2), "After");
        for (int p = 0; p < 2; p++) assertThat(cluster.nodes.get(2).inGroupOf("After", p)).isTrue();
        cluster.clients.get(0).putItem(r -> r.tableName("After").item(item("a")));
        assertThat(cluster.clients.get(2).getItem(r -> r.tableName("After").key(Map.of("pk", AttributeValue.fromS("a")))
                .consistentRead(true)).item()).isEqualTo(item("a"));

        // Started again, it keeps refusing the old groups (the decision is kept with its new store).
        cluster.stop(2);
        cluster.restart(2);
        assertThat(cluster.nodes.get(2).inGroupOf("Before", 0)).isFalse();
        assertThat(cluster.nodes.get(2).inGroupOf("After", 0)).isTrue();
    }
}
