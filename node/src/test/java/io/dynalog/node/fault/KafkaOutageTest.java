package io.dynalog.node.fault;

import static io.dynalog.node.fault.Processes.awaitTrue;
import static io.dynalog.node.fault.Processes.msSince;
import static io.dynalog.node.fault.Processes.read;
import static io.dynalog.node.fault.Processes.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Kafka down while clients write items of the largest size DynamoDB allows (400 KB), with real
 * processes: a broker and three nodes on loopback ({@link LoopbackCluster}). The broker is
 * SIGSTOPped for {@code dynalog.outage.seconds} (default 20; minutes in the long run) while one
 * writer per node puts 400 KB items with unique keys and a reader reads acknowledged ones back with
 * ConsistentRead through random nodes; then it is resumed.
 *
 * <p>What must hold (issue 13, items 2 and 3):
 * <ul>
 *   <li>writes are acknowledged while Kafka is down (Paxos, not Kafka, makes them durable), until
 *       the leaders' bounds on what the WAL may not hold; then they are refused with
 *       ThrottlingException, a retryable error, and with nothing else;</li>
 *   <li>every node stays alive (512 MB heaps: the bounds hold memory), and no peer frame is
 *       over the limit or garbled (Promises, Accept batches and catch-up are paged);</li>
 *   <li>consistent reads of acknowledged items keep answering, with the right value;</li>
 *   <li>after Kafka is back, writes succeed again, every acknowledged item reads back through every
 *       node, consistent and eventually consistent (the WAL got everything, and the replicas
 *       applied it), and the WAL holds every item's newest entry last ({@link WalAudit}).</li>
 * </ul>
 */
class KafkaOutageTest {
    static final String TABLE = "Outage";
    static final int NODES = 3;
    /** The item: its key, its number, and a 400,000-character string (DynamoDB's limit is 409,600 bytes in all). */
    static final int BLOB_CHARS = 400_000;

    final int outageSeconds = Integer.getInteger("dynalog.outage.seconds", 20);
    LoopbackCluster cluster;
    /** The clients' threads, and their stop signal. */
    final List<Thread> clients = new ArrayList<>();
    final AtomicBoolean stop = new AtomicBoolean();

    @Test
    @Timeout(900)
    void writesOfLargeItemsWhileKafkaIsDownAreBoundedAndNoneIsLost() throws Exception {
        cluster = new LoopbackCluster(NODES, 2);
        try {
            run();
        } catch (Throwable failed) {
            cluster.keepLogs();
            throw failed;
        } finally {
            stop.set(true);
            for (Thread t : clients) t.join(10_000);
            Nemesis.signal("CONT", cluster.kafkaPid());
            cluster.close();
        }
    }

    private void run() throws Exception {
        long testStart = System.nanoTime();
        cluster.startNodes(90);
        DynamoDbClient[] patient = new DynamoDbClient[NODES + 1];
        DynamoDbClient[] impatient = new DynamoDbClient[NODES + 1];
        for (int id = 1; id <= NODES; id++) {
            patient[id] = cluster.client(id, true, Duration.ofSeconds(30));
            impatient[id] = cluster.client(id, false, Duration.ofSeconds(5));
        }
        awaitTrue("table created", 90, () -> {
            try {
                patient[1].createTable(r -> r.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                        .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                        .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build()));
                return true;
            } catch (software.amazon.awssdk.services.dynamodb.model.ResourceInUseException created) {
                return true;
            }
        });
        for (int id = 1; id <= NODES; id++) {
            DynamoDbClient c = patient[id];
            awaitTrue("table ACTIVE through node " + id, 60, () -> c.describeTable(r -> r.tableName(TABLE)).table().tableStatus() == TableStatus.ACTIVE);
        }
        AtomicLong sequence = new AtomicLong();
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        // Before the outage: the path works, and every partition has a leader.
        for (int i = 0; i < 6; i++) {
            long n = sequence.getAndIncrement();
            patient[1 + i % NODES].putItem(r -> r.tableName(TABLE).item(item(n)));
            acknowledged.add(n);
        }
        System.out.printf("cluster and table ready after %d ms%n", msSince(testStart));

        // The outage, with writers and a reader.
        Map<String, AtomicLong> writeFailures = new ConcurrentHashMap<>();
        Map<String, AtomicLong> readFailures = new ConcurrentHashMap<>();
        AtomicLong acknowledgedDuringOutage = new AtomicLong();
        AtomicLong readsRight = new AtomicLong();
        List<String> readsWrong = new java.util.concurrent.CopyOnWriteArrayList<>();
        Nemesis.signal("STOP", cluster.kafkaPid());
        long outageStart = System.nanoTime();
        System.out.printf("Kafka stopped for %d s%n", outageSeconds);
        for (int id = 1; id <= NODES; id++) {
            DynamoDbClient c = impatient[id];
            clients.add(ProcessFaultTest.start("writer-" + id, () -> {
                while (!stop.get()) {
                    long n = sequence.getAndIncrement();
                    try {
                        c.putItem(r -> r.tableName(TABLE).item(item(n)));
                        acknowledged.add(n);
                        acknowledgedDuringOutage.incrementAndGet();
                    } catch (RuntimeException e) {
                        writeFailures.computeIfAbsent(kind(e), k -> new AtomicLong()).incrementAndGet();
                        sleep(100);
                    }
                }
            }));
        }
        clients.add(ProcessFaultTest.start("reader", () -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (!stop.get()) {
                List<Long> known = new ArrayList<>(acknowledged);
                long n = known.get(random.nextInt(known.size()));
                try {
                    Map<String, AttributeValue> got = impatient[1 + random.nextInt(NODES)].getItem(r -> r.tableName(TABLE)
                            .consistentRead(true).key(Map.of("pk", AttributeValue.fromS(key(n))))).item();
                    if (item(n).equals(got)) readsRight.incrementAndGet();
                    else readsWrong.add(key(n) + " read as " + (got == null || got.isEmpty() ? "absent" : "another value"));
                } catch (RuntimeException e) {
                    readFailures.computeIfAbsent(kind(e), k -> new AtomicLong()).incrementAndGet();
                    sleep(100);
                }
            }
        }));
        long outageEnd = outageStart + TimeUnit.SECONDS.toNanos(outageSeconds);
        while (System.nanoTime() < outageEnd) {
            Thread.sleep(200);
            for (int id = 1; id <= NODES; id++) assertThat(cluster.node(id).isAlive()).as("node %d is alive during the outage", id).isTrue();
        }
        stop.set(true);
        for (Thread t : clients) t.join(30_000);
        Nemesis.signal("CONT", cluster.kafkaPid());
        long resumed = System.nanoTime();
        System.out.printf("Kafka resumed after %d ms; during the outage: %d writes acknowledged (%d MB), write failures %s; "
                        + "consistent reads right %d, wrong %d, failed %s%n", msSince(outageStart), acknowledgedDuringOutage.get(),
                acknowledgedDuringOutage.get() * BLOB_CHARS / 1_000_000, writeFailures, readsRight.get(), readsWrong.size(), readFailures);

        assertThat(acknowledgedDuringOutage.get()).as("writes acknowledged while Kafka was down").isGreaterThan(0);
        assertThat(writeFailures.keySet()).as("how writes failed while Kafka was down: refused, retryably, at the bound")
                .isSubsetOf("ThrottlingException");
        assertThat(readsWrong).as("consistent reads that answered wrong during the outage").isEmpty();
        assertThat(readsRight.get()).as("consistent reads answered during the outage").isGreaterThan(0);
        assertThat(readFailures).as("consistent reads that failed during the outage").isEmpty();

        // Kafka is back: writes succeed again, and everything acknowledged is everywhere.
        long n = sequence.getAndIncrement();
        awaitTrue("a write succeeds after Kafka is back", 60, () -> {
            patient[1].putItem(r -> r.tableName(TABLE).item(item(n)));
            return true;
        });
        acknowledged.add(n);
        System.out.printf("first write after Kafka resumed: %d ms%n", msSince(resumed));
        for (int id = 1; id <= NODES; id++) {
            DynamoDbClient c = patient[id];
            List<String> wrong = new ArrayList<>();
            for (long k : acknowledged) {
                Map<String, AttributeValue> got = c.getItem(r -> r.tableName(TABLE).consistentRead(true)
                        .key(Map.of("pk", AttributeValue.fromS(key(k))))).item();
                if (!item(k).equals(got)) wrong.add(key(k));
            }
            assertThat(wrong).as("acknowledged items missing or wrong, read consistently through node %d", id).isEmpty();
            awaitTrue("every acknowledged item applied by node " + id + "'s replica", 120, () -> {
                for (long k : acknowledged) {
                    Map<String, AttributeValue> got = c.getItem(r -> r.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(key(k))))).item();
                    if (!item(k).equals(got)) return false;
                }
                return true;
            });
        }
        System.out.printf("every acknowledged item (%d) applied everywhere %d ms after Kafka resumed%n", acknowledged.size(), msSince(resumed));
        WalAudit.Report wal = WalAudit.audit(cluster.kafkaAddress(), TABLE);
        System.out.println("the WAL: " + wal);
        assertThat(wal.staleLast()).as("items whose last WAL record is not their newest entry").isEmpty();
        assertThat(wal.items()).as("items in the WAL (a write that timed out may have taken effect too)").isGreaterThanOrEqualTo(acknowledged.size());

        for (int id = 1; id <= NODES; id++) {
            String log = read(cluster.nodeLog(id));
            assertThat(cluster.node(id).isAlive()).as("node %d is alive", id).isTrue();
            assertThat(log).as("node %d's log", id).doesNotContain("OutOfMemoryError").doesNotContain("byte limit")
                    .doesNotContain("the stream is garbled");
        }
        System.out.printf("total %d ms%n", msSince(testStart));
    }

    static String key(long n) {
        return "o-" + n;
    }

    static Map<String, AttributeValue> item(long n) {
        StringBuilder blob = new StringBuilder(BLOB_CHARS);
        String unit = Long.toString(n * 0x9E3779B97F4A7C15L, 36) + "|";
        while (blob.length() < BLOB_CHARS) blob.append(unit, 0, Math.min(unit.length(), BLOB_CHARS - blob.length()));
        return Map.of("pk", AttributeValue.fromS(key(n)), "n", AttributeValue.fromN(Long.toString(n)), "blob", AttributeValue.fromS(blob.toString()));
    }

    static String kind(RuntimeException e) {
        return e instanceof DynamoDbException d && d.awsErrorDetails() != null ? d.awsErrorDetails().errorCode() : e.getClass().getSimpleName();
    }
}
