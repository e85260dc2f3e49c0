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
import org.awaitility.Awaitility;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Several nodes in zones az1.. in this JVM, on the shared broker under a topic prefix of their own,
 * with one client each. A test may stop a node early: closing it and setting its slot to null.
 */
final class TestCluster implements AutoCloseable {
    final List<DynalogNode> nodes = new ArrayList<>();
    final List<DynamoDbClient> clients = new ArrayList<>();
    final List<Path> dirs = new ArrayList<>();
    /** The cluster's topic prefix, once started. */
    String topicPrefix;

    /** Starts {@code count} nodes (topic prefix {@code tag} and a random part) and waits until all know each other. */
    void start(String tag, int count, int partitions) throws Exception {
        String prefix = tag + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        topicPrefix = prefix;
        NodeConfig base = NodeConfig.singleNode(0, SharedTestKafka.bootstrapServers(), Path.of("unused"))
                .withTopicPrefix(prefix).withDefaultPartitions(partitions);
        for (int id = 1; id <= count; id++) {
            Path dir = Files.createTempDirectory("dynalog-cluster-" + id + "-");
            dirs.add(dir);
            nodes.add(DynalogNode.start(base.asNode(id, "az" + id, 0, 0, dir)));
        }
        for (DynalogNode n : nodes) clients.add(TestNode.client(n.apiPort()));
        Awaitility.await("every node knows the others").atMost(Duration.ofSeconds(10))
                .until(() -> nodes.stream().allMatch(n -> n.knownNodes() == count));
    }

    @Override
    public void close() {
        clients.forEach(DynamoDbClient::close);
        nodes.forEach(n -> {
            if (n != null) n.close();
        });
        dirs.forEach(TestNode::deleteRecursively);
    }
}
