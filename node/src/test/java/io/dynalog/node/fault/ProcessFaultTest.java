package io.dynalog.node.fault;

import static io.dynalog.node.fault.Processes.awaitLine;
import static io.dynalog.node.fault.Processes.msSince;
import static io.dynalog.node.fault.Processes.read;
import static io.dynalog.node.fault.Processes.sleep;
import static io.dynalog.node.fault.Processes.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.keys.KeyCodec;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Process-level crash faults: a Kafka broker and three Dynalog nodes, each its own OS process on
 * loopback, started through {@code DynalogCli}. While three writers (one per node) write unique
 * items and two "hot key" threads put and strongly read three registers, the leader of partition 0
 * (found from the {@code partition T/0 serves at ballot R.N} log lines, highest ballot wins) is
 * SIGKILLed three times, one at a time; the time from the kill until a write to partition 0
 * succeeds through a survivor is measured, then the node is restarted on its data directory.
 *
 * <p>Checks: (1) every acknowledged write (PutItem returned) is read back, value included, with
 * ConsistentRead=true through every node; (2) the hot-key history passes a register
 * linearizability check. Each hot key is a register whose written values are unique; a put that
 * failed may or may not have taken effect, so it is kept with completion time +infinity; failed
 * reads are dropped. The hot-key clients have SDK retries off: a retried put could re-apply its
 * value after a concurrent put, which is a client-made anomaly, not the database's. For every read
 * r that returned the value of write w (absent item = the initial value, written at -infinity):
 * <ol>
 *   <li>w exists and w.invoke &lt; r.complete (no value from the future, no invented value);</li>
 *   <li>no write w' with w.complete &lt; w'.invoke and w'.complete &lt; r.invoke: w' is forced
 *       between w and r in every linearization, so v would be stale;</li>
 *   <li>for reads r1, r2 with r1.complete &lt; r2.invoke (any clients), returning the values of
 *       w1 != w2: not w2.complete &lt; w1.invoke (r2 would go back in time past r1's value).</li>
 * </ol>
 * Each condition is necessary for linearizability, so a violation is a real anomaly (no false
 * alarms); together they are not a complete decision procedure (that is NP-complete in general),
 * but they catch stale reads and new-old inversions, which is what a failover gets wrong.
 */
class ProcessFaultTest {
    static final String TABLE = "Faults";
    static final int PARTITIONS = 3;
    static final Pattern SERVES = Pattern.compile("partition (\\d+)/0 serves at ballot (\\d+)\\.(\\d+) from slot (\\d+)");

    LoopbackCluster cluster;
    final List<Thread> threads = new ArrayList<>();
    final AtomicBoolean stop = new AtomicBoolean();

    @AfterEach
    void cleanup() throws Exception {
        stop.set(true);
        for (Thread t : threads) t.join(5000);
        if (cluster != null) cluster.close();
    }

    @Test
    @Timeout(180)
    void leaderCrashesLoseNoAcknowledgedWriteAndStrongReadsStayLinearizable() throws Exception {
        long testStart = System.nanoTime();

        // 1. Kafka, then three nodes.
        cluster = new LoopbackCluster(3, PARTITIONS);
        cluster.startNode(1, 60);
        for (int id = 2; id <= 3; id++) cluster.launchNode(id);
        for (int id = 2; id <= 3; id++) awaitLine(cluster.node(id), cluster.nodeLog(id), 0, "is ready", 60);
        System.out.printf("cluster up after %d ms%n", msSince(testStart));

        DynamoDbClient[] byNode = new DynamoDbClient[4];
        for (int id = 1; id <= 3; id++) byNode[id] = cluster.client(id, true, Duration.ofSeconds(5));

        // 2. The table, created through node 1 once it has had time to see its peers. The first
        // CreateTable of a cold cluster also places and elects the catalog, with four JVMs starting
        // on two cores: it gets a longer call timeout than the reads and writes measured below.
        Thread.sleep(1000);
        try (DynamoDbClient patient = cluster.client(1, true, Duration.ofSeconds(30))) {
            patient.createTable(r -> r.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.N).build()));
        }
        awaitTrue("table ACTIVE", 30, () -> byNode[1].describeTable(r -> r.tableName(TABLE)).table().tableStatus() == TableStatus.ACTIVE);
        awaitTrue("a leader of partition 0 logged", 30, () -> currentLeader() != null);

        List<String> hotKeys = keysInPartition0("hot-", 3);
        List<String> probeKeys = keysInPartition0("probe-", 1);

        // 3. Writers: one per node, SDK retries on; only acknowledged writes are recorded.
        AtomicLong seq = new AtomicLong();
        ConcurrentLinkedQueue<long[]> acked = new ConcurrentLinkedQueue<>(); // {n}; value derivable from n
        AtomicLong writeFailures = new AtomicLong();
        // Failures of writes sent to a node that was up: what a client of a live node sees.
        Map<String, AtomicLong> liveNodeFailures = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicInteger down = new java.util.concurrent.atomic.AtomicInteger();
        long hardStop = testStart + TimeUnit.SECONDS.toNanos(150);
        for (int id = 1; id <= 3; id++) {
            DynamoDbClient c = byNode[id];
            int nodeId = id;
            threads.add(start("writer-" + id, () -> {
                while (!stop.get() && System.nanoTime() < hardStop) {
                    long n = seq.getAndIncrement();
                    boolean nodeWasDown = down.get() == nodeId;
                    try {
                        c.putItem(r -> r.tableName(TABLE).item(item("k" + (n % 30), n, value(n))));
                        acked.add(new long[] {n});
                    } catch (RuntimeException e) {
                        writeFailures.incrementAndGet();
                        if (!nodeWasDown && down.get() != nodeId) {
                            String kind = e instanceof software.amazon.awssdk.services.dynamodb.model.DynamoDbException d
                                    ? d.awsErrorDetails().errorCode() : e.getClass().getSimpleName();
                            liveNodeFailures.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
                        }
                        sleep(50);
                    }
                }
            }));
        }

        // 6. Hot-key register threads: no SDK retries, a random node per operation.
        DynamoDbClient[] hotClients = new DynamoDbClient[4];
        for (int id = 1; id <= 3; id++) hotClients[id] = cluster.client(id, false, Duration.ofSeconds(3));
        ConcurrentLinkedQueue<Op> history = new ConcurrentLinkedQueue<>();
        for (int t = 0; t < 2; t++) {
            int tid = t;
            threads.add(start("hot-" + t, () -> {
                long counter = 0;
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (!stop.get() && System.nanoTime() < hardStop) {
                    String key = hotKeys.get(rnd.nextInt(hotKeys.size()));
                    DynamoDbClient c = hotClients[1 + rnd.nextInt(3)];
                    if (rnd.nextBoolean()) {
                        String v = "t" + tid + "-" + (counter++);
                        long inv = System.nanoTime();
                        try {
                            c.putItem(r -> r.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(key),
                                    "sk", AttributeValue.fromN("0"), "v", AttributeValue.fromS(v))));
                            history.add(new Op(key, true, v, inv, System.nanoTime()));
                        } catch (RuntimeException e) {
                            history.add(new Op(key, true, v, inv, Long.MAX_VALUE));
                            sleep(20);
                        }
                    } else {
                        long inv = System.nanoTime();
                        try {
                            Map<String, AttributeValue> got = c.getItem(r -> r.tableName(TABLE).consistentRead(true)
                                    .key(Map.of("pk", AttributeValue.fromS(key), "sk", AttributeValue.fromN("0")))).item();
                            long resp = System.nanoTime();
                            String v = got == null || got.isEmpty() ? null : got.get("v").s();
                            history.add(new Op(key, false, v, inv, resp));
                        } catch (RuntimeException e) {
                            sleep(20);
                        }
                    }
                }
            }));
        }

        // 4. Three leader kills, ~2 s apart.
        Thread.sleep(2000);
        List<Long> recoveryMs = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            int[] leader = currentLeader();
            assertThat(leader).as("leader of partition 0 from the logs").isNotNull();
            int victim = leader[1];
            System.out.printf("fault %d: partition 0 leader is node %d (ballot %d.%d); SIGKILL%n", round + 1, victim, leader[0], leader[1]);
            Process p = cluster.node(victim);
            long killedAt = System.nanoTime();
            down.set(victim);
            p.destroyForcibly();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();

            List<DynamoDbClient> survivors = new ArrayList<>();
            for (int id = 1; id <= 3; id++) if (id != victim) survivors.add(cluster.client(id, false, Duration.ofSeconds(1)));
            long recovered = -1;
            long probeDeadline = killedAt + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; System.nanoTime() < probeDeadline; i++) {
                DynamoDbClient c = survivors.get(i % survivors.size());
                int attempt = i;
                try {
                    c.putItem(r -> r.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(probeKeys.get(0)),
                            "sk", AttributeValue.fromN(Long.toString(attempt)), "v", AttributeValue.fromS("probe"))));
                    recovered = msSince(killedAt);
                    break;
                } catch (RuntimeException e) {
                    sleep(10);
                }
            }
            assertThat(recovered).as("a write to partition 0 succeeds within 30 s of killing its leader").isGreaterThanOrEqualTo(0);
            recoveryMs.add(recovered);
            int[] next = currentLeader();
            System.out.printf("fault %d: first write to partition 0 after %d ms; new leader %s%n", round + 1, recovered,
                    next == null ? "?" : next[0] + "." + next[1]);

            long offset = Files.size(cluster.nodeLog(victim));
            cluster.startNode(victim, 60);
            down.set(0);
            System.out.printf("fault %d: node %d restarted %d ms after the kill%n", round + 1, victim, msSince(killedAt));
            read(cluster.nodeLog(victim)).substring((int) offset).lines()
                    .filter(l -> l.contains("WARN") || l.contains("ERROR") || l.contains(" after "))
                    .limit(10).forEach(l -> System.out.println("  node " + victim + ": " + l));
            Thread.sleep(2000);
        }

        // 5. Stop the load; read back every acknowledged write through every node.
        stop.set(true);
        for (Thread t : threads) t.join(30_000);
        for (Thread t : threads) assertThat(t.isAlive()).as(t.getName() + " stopped").isFalse();
        Map<Long, Boolean> ackedSet = new HashMap<>();
        for (long[] a : acked) ackedSet.put(a[0], true);
        System.out.printf("writes: %d acknowledged, %d failed (through nodes that were up: %s); hot-key ops: %d%n",
                ackedSet.size(), writeFailures.get(), liveNodeFailures, history.size());
        assertThat(liveNodeFailures).as("a client of a node that stayed up sees no error while leaders change").isEmpty();
        assertThat(ackedSet.size()).as("acknowledged writes").isGreaterThan(100);
        for (int id = 1; id <= 3; id++) {
            DynamoDbClient c = byNode[id];
            Map<Long, String> seen = new HashMap<>();
            for (int k = 0; k < 30; k++) {
                String pk = "k" + k;
                c.queryPaginator(QueryRequest.builder().tableName(TABLE).consistentRead(true)
                                .keyConditionExpression("pk = :p").expressionAttributeValues(Map.of(":p", AttributeValue.fromS(pk))).build())
                        .items().forEach(it -> seen.put(Long.parseLong(it.get("sk").n()), it.get("v").s()));
            }
            List<String> missing = new ArrayList<>();
            for (Long n : ackedSet.keySet()) {
                String v = seen.get(n);
                if (!value(n).equals(v)) missing.add("k" + (n % 30) + "/" + n + " -> " + v);
            }
            assertThat(missing).as("acknowledged writes missing or wrong through node " + id).isEmpty();
        }

        List<String> violations = checkLinearizable(new ArrayList<>(history));
        assertThat(history.stream().filter(o -> !o.write).count()).as("hot-key reads").isGreaterThan(10);
        assertThat(violations).as("linearizability violations on hot keys").isEmpty();

        System.out.printf("kill-to-first-write ms: %s; total %d ms%n", recoveryMs, msSince(testStart));
    }

    // ---- linearizability checker -----------------------------------------------------------

    @Test
    void checkerAcceptsLinearizableAndFlagsStaleHistories() {
        Op w1 = new Op("h", true, "a", 0, 10);
        Op w2 = new Op("h", true, "b", 20, 30);
        Op lost = new Op("h", true, "c", 35, Long.MAX_VALUE); // failed put: unknown outcome
        assertThat(checkLinearizable(List.of(w1, w2, lost, new Op("h", false, "b", 25, 40),
                new Op("h", false, "c", 50, 60), new Op("h", false, null, -5, 5)))).isEmpty();
        assertThat(checkLinearizable(List.of(w1, w2, new Op("h", false, "a", 40, 50)))).hasSize(1); // stale
        assertThat(checkLinearizable(List.of(w1, new Op("h", false, null, 20, 25)))).hasSize(1); // lost write
        assertThat(checkLinearizable(List.of(w1, new Op("h", false, "z", 20, 25)))).hasSize(1); // invented
        assertThat(checkLinearizable(List.of(w1, new Op("h", true, "b", 12, 40),
                new Op("h", false, "b", 14, 16), new Op("h", false, "a", 18, 20)))).hasSize(1); // new-old inversion
    }

    record Op(String key, boolean write, String value, long invoke, long complete) {}

    static List<String> checkLinearizable(List<Op> ops) {
        List<String> violations = new ArrayList<>();
        Map<String, List<Op>> byKey = new HashMap<>();
        for (Op o : ops) byKey.computeIfAbsent(o.key, k -> new ArrayList<>()).add(o);
        Op initial = new Op(null, true, null, Long.MIN_VALUE, Long.MIN_VALUE);
        for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
            Map<String, Op> writes = new HashMap<>();
            List<Op> reads = new ArrayList<>();
            for (Op o : e.getValue()) {
                if (o.write) writes.put(o.value, o);
                else reads.add(o);
            }
            List<Op> writeList = new ArrayList<>(writes.values());
            Map<Op, Op> source = new java.util.IdentityHashMap<>();
            for (Op r : reads) {
                Op w = r.value == null ? initial : writes.get(r.value);
                if (w == null) {
                    violations.add(e.getKey() + ": read " + r + " returned a value never written");
                    continue;
                }
                source.put(r, w);
                if (!(w.invoke < r.complete)) violations.add(e.getKey() + ": read " + r + " returned a write invoked after it: " + w);
                for (Op w2 : writeList) {
                    if (w2 != w && w.complete < w2.invoke && w2.complete < r.invoke) {
                        violations.add(e.getKey() + ": stale read " + r + " of " + w + " although " + w2 + " came between");
                        break;
                    }
                }
            }
            reads.sort(Comparator.comparingLong(Op::complete));
            List<Op> byInvoke = new ArrayList<>(reads);
            byInvoke.sort(Comparator.comparingLong(Op::invoke));
            for (Op r1 : reads) {
                Op w1 = source.get(r1);
                if (w1 == null) continue;
                for (int i = byInvoke.size() - 1; i >= 0 && byInvoke.get(i).invoke > r1.complete; i--) {
                    Op r2 = byInvoke.get(i);
                    Op w2 = source.get(r2);
                    if (w2 != null && w2 != w1 && w2.complete < w1.invoke) {
                        violations.add(e.getKey() + ": read " + r2 + " went back to " + w2 + " after read " + r1 + " saw " + w1);
                        if (violations.size() > 20) return violations;
                    }
                }
            }
        }
        return violations;
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** {round, nodeId} of the highest ballot any node logged for serving partition 0, or null. */
    int[] currentLeader() {
        int[] best = null;
        for (int id = 1; id <= 3; id++) {
            Matcher m = SERVES.matcher(read(cluster.nodeLog(id)));
            while (m.find()) {
                int[] b = {Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
                if (best == null || b[0] > best[0] || (b[0] == best[0] && b[1] > best[1])) best = b;
            }
        }
        return best;
    }

    static List<String> keysInPartition0(String base, int count) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < count; i++) {
            String k = base + i;
            if (KeyCodec.partitionOf(KeyCodec.hash32(new io.dynalog.topology.model.AttributeValue.S(k)), PARTITIONS) == 0) keys.add(k);
        }
        return keys;
    }

    static Map<String, AttributeValue> item(String pk, long sk, String v) {
        return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromN(Long.toString(sk)), "v", AttributeValue.fromS(v));
    }

    static String value(long n) {
        return "v-" + n + "-" + Long.toHexString(n * 0x9E3779B97F4A7C15L);
    }

    static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

}
