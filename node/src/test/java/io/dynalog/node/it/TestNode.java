package io.dynalog.node.it;

import io.dynalog.node.DynalogNode;
import io.dynalog.node.NodeConfig;
import io.dynalog.node.kafka.SharedTestKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * A real node for integration tests: the shared test broker, a fresh data directory, a topic
 * prefix of its own (so test classes never see each other's tables), and an AWS SDK v2 client.
 */
final class TestNode implements AutoCloseable {
    final Path dataDir;
    final String topicPrefix;
    final int partitions;
    /** Settings the test changes from the defaults. */
    final UnaryOperator<NodeConfig> configured;
    DynalogNode node;
    DynamoDbClient client;

    private TestNode(Path dataDir, String topicPrefix, int partitions, UnaryOperator<NodeConfig> configured) {
        this.dataDir = dataDir;
        this.topicPrefix = topicPrefix;
        this.partitions = partitions;
        this.configured = configured;
    }

    static TestNode start() {
        return start(4);
    }

    static TestNode start(int partitions) {
        return start(partitions, UnaryOperator.identity());
    }

    static TestNode start(int partitions, UnaryOperator<NodeConfig> configured) {
        try {
            TestNode t = new TestNode(Files.createTempDirectory("dynalog-it-"),
                    "it" + UUID.randomUUID().toString().replace("-", "").substring(0, 10), partitions, configured);
            t.startNode();
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startNode() {
        NodeConfig config = configured.apply(NodeConfig.singleNode(0, SharedTestKafka.bootstrapServers(), dataDir)
                .withTopicPrefix(topicPrefix).withDefaultPartitions(partitions));
        node = DynalogNode.start(config);
        client = client(node.apiPort());
    }

    /** Stops the node (not the broker) and starts it again on the same data directory. */
    void restart() {
        stopNode();
        startNode();
    }

    /** Stops the node (not the broker), runs {@code whileStopped}, and starts the node again on the same data directory. */
    void restart(Runnable whileStopped) {
        stopNode();
        whileStopped.run();
        startNode();
    }

    /** Stops the node, deletes its RocksDB store, and starts it again: it must rebuild from Kafka. */
    void restartWithoutStore() {
        stopNode();
        deleteRecursively(dataDir.resolve("replica"));
        startNode();
    }

    static DynamoDbClient client(int port) {
        return DynamoDbClient.builder()
                .endpointOverride(URI.create("http://localhost:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("dynalog", "secret")))
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(32))
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).apiCallTimeout(Duration.ofSeconds(20)))
                .build();
    }

    int port() {
        return node.apiPort();
    }

    /** Creates a table (S partition key, optional sort key of the given type) and waits until it is ACTIVE. */
    void createTable(String name, String pk, ScalarAttributeType pkType, String sk, ScalarAttributeType skType) {
        var b = software.amazon.awssdk.services.dynamodb.model.CreateTableRequest.builder()
                .tableName(name).billingMode(BillingMode.PAY_PER_REQUEST);
        if (sk == null) {
            b.keySchema(KeySchemaElement.builder().attributeName(pk).keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName(pk).attributeType(pkType).build());
        } else {
            b.keySchema(KeySchemaElement.builder().attributeName(pk).keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName(sk).keyType(KeyType.RANGE).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName(pk).attributeType(pkType).build(),
                            AttributeDefinition.builder().attributeName(sk).attributeType(skType).build());
        }
        client.createTable(b.build());
        awaitActive(name);
    }

    void awaitActive(String name) {
        Awaitility.await("table " + name + " ACTIVE").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> client.describeTable(r -> r.tableName(name)).table().tableStatus() == TableStatus.ACTIVE);
    }

    private void stopNode() {
        if (client != null) client.close();
        if (node != null) node.close();
        client = null;
        node = null;
    }

    @Override
    public void close() {
        stopNode();
        deleteRecursively(dataDir);
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
