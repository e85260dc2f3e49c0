package io.dynalog.node.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * The docker-compose deployment ({@code docker-compose.yml} at the root of the tree), end to end:
 * it builds the node image, starts three Kafka brokers and three Dynalog nodes in zones az1..az3,
 * waits for the nodes' health checks, then creates a table and writes an item through node 1 and
 * reads it back with ConsistentRead through nodes 2 and 3.
 *
 * <p>It needs a Docker engine and the Compose v2 plugin ({@code docker compose}); where either
 * is missing it is skipped, saying which ({@link DockerComposeAvailable}). The first image build
 * takes minutes (the Maven build runs inside it); the nodes then have {@link #STARTUP_TIMEOUT} to
 * become healthy.
 */
@ExtendWith(DockerComposeAvailable.class)
class ComposeSmokeTest {
    private static final Logger log = LoggerFactory.getLogger(ComposeSmokeTest.class);

    static final List<String> NODES = List.of("dynalog1", "dynalog2", "dynalog3");
    static final int API_PORT = 8000;
    static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);

    static ComposeContainer compose;

    @BeforeAll
    static void startDeployment() {
        ComposeContainer c = new ComposeContainer(composeFile())
                .withBuild(true) // the image of the tree under test, not a stale one
                .withStartupTimeout(STARTUP_TIMEOUT);
        for (String node : NODES) {
            // The image's HEALTHCHECK (GET / answers 200) through an ambassador port, so the test
            // does not depend on the host ports the compose file publishes.
            c = c.withExposedService(node, API_PORT, Wait.forHealthcheck().withStartupTimeout(STARTUP_TIMEOUT))
                    .withLogConsumer(node, frame -> log.info("[{}] {}", node, frame.getUtf8StringWithoutLineEnding()));
        }
        compose = c;
        compose.start();
    }

    @AfterAll
    static void stopDeployment() {
        if (compose != null) compose.stop(); // `down -v`: the volumes go too
    }

    @Test
    void writeThroughNodeOneIsReadConsistentlyThroughNodesTwoAndThree() {
        try (DynamoDbClient node1 = client("dynalog1");
                DynamoDbClient node2 = client("dynalog2");
                DynamoDbClient node3 = client("dynalog3")) {
            node1.createTable(r -> r.tableName("Smoke")
                    .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                            .attributeType(ScalarAttributeType.S).build())
                    .billingMode(BillingMode.PAY_PER_REQUEST));
            for (DynamoDbClient node : List.of(node1, node2, node3)) {
                Awaitility.await("table Smoke ACTIVE").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .ignoreExceptions()
                        .until(() -> node.describeTable(r -> r.tableName("Smoke")).table().tableStatus() == TableStatus.ACTIVE);
            }

            Map<String, AttributeValue> item = Map.of(
                    "id", AttributeValue.fromS("smoke-1"),
                    "zone", AttributeValue.fromS("az1"),
                    "n", AttributeValue.fromN("42"));
            node1.putItem(r -> r.tableName("Smoke").item(item));

            Map<String, AttributeValue> key = Map.of("id", AttributeValue.fromS("smoke-1"));
            for (DynamoDbClient reader : List.of(node2, node3)) {
                // No retry: a consistent read sees every acknowledged write, whichever node serves it.
                assertThat(reader.getItem(r -> r.tableName("Smoke").key(key).consistentRead(true)).item())
                        .isEqualTo(item);
            }
        }
    }

    private static DynamoDbClient client(String node) {
        URI endpoint = URI.create("http://" + compose.getServiceHost(node, API_PORT) + ":" + compose.getServicePort(node, API_PORT));
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("dynalog", "secret")))
                .httpClientBuilder(Apache5HttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).apiCallTimeout(Duration.ofSeconds(20)))
                .build();
    }

    /** docker-compose.yml at the root of the tree; the tests run in the module directory. */
    private static File composeFile() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path file = dir.resolve("docker-compose.yml");
            if (Files.isRegularFile(file) && Files.isRegularFile(dir.resolve("Dockerfile"))) return file.toFile();
        }
        throw new IllegalStateException("no docker-compose.yml next to a Dockerfile above " + Path.of("").toAbsolutePath());
    }
}
