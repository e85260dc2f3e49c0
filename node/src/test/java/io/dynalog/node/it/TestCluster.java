package io.dynalog.node.it;

import io.dynalog.node.DynalogNode;
import io.dynalog.node.NodeConfig;
import io.dynalog.node.kafka.SharedTestKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Several nodes in zones az1.. in this JVM, on the shared broker under a topic prefix of their own,
 * with one client each. A test may stop a node early: closing it and setting its slot to null.
 */
final class TestCluster implements AutoCloseable {
    final List<DynalogNode> nodes = new ArrayList<>();
    final List<DynamoDbClient> clients = new ArrayList<>();
    final List<Path> dirs = new ArrayList<>();
    final List<String> zones = new ArrayList<>();
    /** The cluster's topic prefix (set by {@link #start}). */
    String prefix;
    private NodeConfig base;

    /** Starts {@code count} nodes (topic prefix {@code tag} and a random part) and waits until all know each other. */
    void start(String tag, int count, int partitions) throws Exception {
        start(tag, count, partitions, UnaryOperator.identity());
    }

    /** As {@link #start(String, int, int)}, every node's configuration changed by {@code tweak}. */
    void start(String tag, int count, int partitions, UnaryOperator<NodeConfig> tweak) throws Exception {
        prefix = tag + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        base = tweak.apply(NodeConfig.singleNode(0, SharedTestKafka.bootstrapServers(), Path.of("unused"))
                .withTopicPrefix(prefix).withDefaultPartitions(partitions));
        for (int id = 1; id <= count; id++) {
            Path dir = Files.createTempDirectory("dynalog-cluster-" + id + "-");
            dirs.add(dir);
            zones.add("az" + id);
            nodes.add(DynalogNode.start(base.asNode(id, "az" + id, 0, 0, dir)));
        }
        for (DynalogNode n : nodes) clients.add(TestNode.client(n.apiPort()));
        awaitEveryNodeKnowsTheOthers();
    }

    /** Starts one more node (the next id) in {@code zone}, and waits until every running node knows it. */
    void add(String zone) throws Exception {
        int id = nodes.size() + 1;
        Path dir = Files.createTempDirectory("dynalog-cluster-" + id + "-");
        dirs.add(dir);
        zones.add(zone);
        DynalogNode n = DynalogNode.start(base.asNode(id, zone, 0, 0, dir));
        nodes.add(n);
        clients.add(TestNode.client(n.apiPort()));
        awaitEveryNodeKnowsTheOthers();
    }

    /** Creates a table keyed by a string {@code id} (on demand) through node {@code index}'s client, and waits until it is ACTIVE. */
    void createTable(String name, int index) {
        DynamoDbClient client = clients.get(index);
        client.createTable(r -> r.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build()));
        Awaitility.await("table " + name + " ACTIVE").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                client.describeTable(r -> r.tableName(name)).table().tableStatus() == TableStatus.ACTIVE);
    }

    private void awaitEveryNodeKnowsTheOthers() {
        int count = nodes.size();
        Awaitility.await("every node knows the others").atMost(Duration.ofSeconds(10))
                .until(() -> nodes.stream().allMatch(n -> n == null || n.knownNodes() == count));
    }

    /** Stops node {@code index} (0-based): its slot and its client's become null. */
    void stop(int index) {
        clients.get(index).close();
        clients.set(index, null);
        nodes.get(index).close();
        nodes.set(index, null);
    }

    /** Starts a stopped node again, on its data directory, with a new client. */
    void restart(int index) {
        DynalogNode n = DynalogNode.start(base.asNode(index + 1, zones.get(index), 0, 0, dirs.get(index)));
        nodes.set(index, n);
        clients.set(index, TestNode.client(n.apiPort()));
    }

    @Override
    public void close() {
        clients.forEach(c -> {
            if (c != null) c.close();
        });
        nodes.forEach(n -> {
            if (n != null) n.close();
        });
        dirs.forEach(TestNode::deleteRecursively);
    }
}
