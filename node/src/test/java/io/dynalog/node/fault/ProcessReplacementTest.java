package io.dynalog.node.fault;

import static io.dynalog.node.fault.Processes.msSince;
import static io.dynalog.node.fault.Processes.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.node.status.ClusterStatus;
import io.dynalog.node.status.StatusEndpoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Issue 15, item 7, with real processes: a Kafka broker and four Dynalog nodes (zones az1-az4,
 * {@code --replace-after 10s}), each its own OS process. Under write load, node 3 is SIGKILLed and
 * never comes back: every replica group (the table's and the catalog's) returns to three voters in
 * three zones, none of them node 3. Then node 2, one of the original nodes, is SIGKILLed too: every
 * partition still serves through node 1, and every acknowledged write reads back, strongly, through
 * node 1 and node 4.
 */
class ProcessReplacementTest {
    static final String TABLE = "Replaced";
    static final int PARTITIONS = 3;

    LoopbackCluster cluster;
    final List<Thread> threads = new ArrayList<>();
    final AtomicBoolean stop = new AtomicBoolean();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void cleanup() throws Exception {
        stop.set(true);
        for (Thread t : threads) t.join(5000);
        if (cluster != null) cluster.close();
    }

    ClusterStatus status(int via) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.apiPort(via)
                + StatusEndpoints.CLUSTER_PATH)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return StatusEndpoints.fromJson(response.body(), ClusterStatus.class);
    }

    /**
     * Every group has three voters, none of them {@code gone}, no learner, and a leader. (Each node
     * has a zone of its own here, so three voters are in three zones; RereplicationTest checks the
     * choice of zone.)
     */
    boolean healedWithout(int gone) throws Exception {
        ClusterStatus s = status(1);
        return s.groups().size() == PARTITIONS + 1 && s.groups().stream().allMatch(g -> g.voters().size() == 3
                && !g.voters().contains(gone) && g.learners().isEmpty() && g.leader() > 0);
    }

    @Test
    @Timeout(240)
    void aNodeKilledForGoodIsReplacedAndASecondKillIsSurvived() throws Exception {
        long testStart = System.nanoTime();
        cluster = new LoopbackCluster(4, PARTITIONS, List.of("--replace-after", "10s"));
        for (int id = 1; id <= 3; id++) cluster.launchNode(id);
        for (int id = 1; id <= 3; id++) Processes.awaitLine(cluster.node(id), cluster.nodeLog(id), 0, "is ready", 60);
        Thread.sleep(1000);
        try (DynamoDbClient patient = cluster.client(1, true, Duration.ofSeconds(30))) {
            patient.createTable(r -> r.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build()));
        }
        DynamoDbClient viaNode1 = cluster.client(1, true, Duration.ofSeconds(5));
        awaitTrue("table ACTIVE", 30, () -> viaNode1.describeTable(r -> r.tableName(TABLE)).table().tableStatus() == TableStatus.ACTIVE);
        cluster.startNode(4, 60);
        System.out.printf("four nodes up after %d ms%n", msSince(testStart));

        // Writers through nodes 1 and 4, which stay; only acknowledged writes are recorded.
        ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
        AtomicLong failures = new AtomicLong();
        AtomicLong seq = new AtomicLong();
        for (int id : new int[] {1, 4}) {
            DynamoDbClient c = cluster.client(id, true, Duration.ofSeconds(5));
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    String key = "item-" + seq.getAndIncrement();
                    try {
                        c.putItem(r -> r.tableName(TABLE).item(Map.of("id", AttributeValue.fromS(key))));
                        acked.add(key);
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                }
            }, "writer-" + id);
            t.start();
            threads.add(t);
        }
        awaitTrue("writes under way", 30, () -> acked.size() > 100);

        long killedAt = System.nanoTime();
        Process third = cluster.node(3);
        third.destroyForcibly();
        assertThat(third.waitFor(10, TimeUnit.SECONDS)).isTrue();
        try {
            awaitTrue("every group at three voters without node 3", 120, () -> healedWithout(3));
        } catch (AssertionError e) {
            System.out.println("the cluster as node 1 sees it: " + StatusEndpoints.toJson(status(1)));
            cluster.keepLogs();
            throw e;
        }
        System.out.printf("every group back at three voters in three zones %d ms after node 3's SIGKILL (--replace-after 10s)%n",
                msSince(killedAt));

        Process second = cluster.node(2);
        second.destroyForcibly();
        assertThat(second.waitFor(10, TimeUnit.SECONDS)).isTrue();
        int before = acked.size();
        awaitTrue("writes go on with node 2 gone too", 30, () -> acked.size() > before + 50);
        stop.set(true);
        for (Thread t : threads) t.join(10_000);
        System.out.printf("%d writes acknowledged, %d failed (retried by the SDK first)%n", acked.size(), failures.get());

        DynamoDbClient viaNode4 = cluster.client(4, true, Duration.ofSeconds(5));
        List<String> missing = new ArrayList<>();
        for (String key : acked) {
            for (DynamoDbClient c : List.of(viaNode1, viaNode4)) {
                if (!c.getItem(r -> r.tableName(TABLE).consistentRead(true).key(Map.of("id", AttributeValue.fromS(key)))).hasItem()) {
                    missing.add(key);
                }
            }
        }
        assertThat(missing).as("acknowledged writes not read back").isEmpty();
    }
}
