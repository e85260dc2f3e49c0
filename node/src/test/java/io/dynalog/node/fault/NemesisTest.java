package io.dynalog.node.fault;

import static io.dynalog.node.fault.Processes.awaitLine;
import static io.dynalog.node.fault.Processes.deleteRecursively;
import static io.dynalog.node.fault.Processes.kill;
import static io.dynalog.node.fault.Processes.msSince;
import static io.dynalog.node.fault.Processes.read;
import static io.dynalog.node.fault.Processes.sleep;
import static io.dynalog.node.fault.Processes.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.checker.CheckResult;
import io.dynalog.checker.ItemCollectionModel;
import io.dynalog.checker.ItemCollectionModel.Condition;
import io.dynalog.checker.ItemCollectionModel.ConditionFailed;
import io.dynalog.checker.ItemCollectionModel.ConditionalDelete;
import io.dynalog.checker.ItemCollectionModel.ConditionalPut;
import io.dynalog.checker.ItemCollectionModel.Delete;
import io.dynalog.checker.ItemCollectionModel.Get;
import io.dynalog.checker.ItemCollectionModel.Input;
import io.dynalog.checker.ItemCollectionModel.Items;
import io.dynalog.checker.ItemCollectionModel.Ok;
import io.dynalog.checker.ItemCollectionModel.Output;
import io.dynalog.checker.ItemCollectionModel.Put;
import io.dynalog.checker.ItemCollectionModel.Query;
import io.dynalog.checker.ItemCollectionModel.Value;
import io.dynalog.checker.Linearizability;
import io.dynalog.checker.Verdict;
import io.dynalog.topology.keys.KeyCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * A Jepsen-style test with real processes: a Kafka broker and three Dynalog nodes, each node in a
 * network namespace of its own ({@link NetworkNamespaces}), while client threads in this JVM run
 * strongly consistent reads and (conditional) writes on a few item collections through random
 * nodes and a {@link Nemesis} kills, pauses and partitions nodes and pauses Kafka. Every operation
 * goes into a {@link HistoryRecorder}; at the end everything is healed, every node must serve
 * again, a consistent Query of every partition key through every node is added to the history,
 * and the whole history must be linearizable (io.dynalog.checker, per partition key, over
 * {@link ItemCollectionModel}). The final reads make "nothing acknowledged was lost" part of it.
 *
 * <p>Workload: table {@code pk} S / {@code sk} S; 4 partition keys (2 in each of the table's 2
 * partitions) with sort keys s0..s2 and one attribute {@code v} holding unique values. Each client
 * picks a random node and one of: GetItem and Query (ConsistentRead), PutItem conditional on the
 * value the client last saw ({@code attribute_not_exists(sk) [OR v = :e]} or {@code v = :e}),
 * PutItem unconditional, DeleteItem (half the time conditional); writes sometimes ask for
 * ReturnValues=ALL_OLD, conditional ones always for the item on a failed condition. SDK retries
 * are off (a retried write could apply twice); a write that fails other than by its condition
 * has an unknown outcome, unless its connection could not even be opened (then it did not
 * happen and is dropped); a read that fails is dropped.
 *
 * <p>Needs root (skipped otherwise, saying why). System properties: {@code dynalog.nemesis.seconds}
 * (workload duration, default 60), {@code dynalog.nemesis.seed} (replays a run's fault choices;
 * client timing is not replayable), {@code dynalog.nemesis.faults} (comma-separated subset of
 * kill, pause, partition, one-way, pause-kafka, and pause-kafka-long, which is not in the default
 * set; {@code none} for a healthy run),
 * {@code dynalog.nemesis.clients} (default 8), {@code dynalog.nemesis.timeoutMs} (the clients'
 * API call timeout, default 2500), {@code dynalog.nemesis.checkSecondsPerKey} (the checker's time
 * limit per partition key, default 60; over it a key is "undecided", which fails the run too),
 * {@code dynalog.nemesis.keepLogs} (keep the processes' logs even when the run passes; a failing
 * run always keeps them, in java.io.tmpdir, next to the histories of the failing keys).
 */
class NemesisTest {
    static final String TABLE = "Nemesis";
    static final int NODES = 3;
    static final int PARTITIONS = 2;
    static final int API_PORT = 8000;
    static final int PEER_PORT = 7000;
    static final List<String> SORT_KEYS = List.of("s0", "s1", "s2");
    static final Pattern SERVES = Pattern.compile("partition ([0-9a-f]+)/(\\d+) serves at ballot (\\d+)\\.(\\d+)");

    final int seconds = Integer.getInteger("dynalog.nemesis.seconds", 60);
    final long seed = Long.getLong("dynalog.nemesis.seed", new Random().nextLong());
    final int clientThreads = Integer.getInteger("dynalog.nemesis.clients", 8);
    final int timeoutMs = Integer.getInteger("dynalog.nemesis.timeoutMs", 2500);
    final Set<Nemesis.Fault> faults = parseFaults(System.getProperty("dynalog.nemesis.faults", "kill,pause,partition,one-way,pause-kafka"));

    NetworkNamespaces net;
    Path tmp;
    String classPath;
    String prefix;
    String kafkaAddress;
    Process kafka;
    final Map<Integer, Process> nodes = new ConcurrentHashMap<>();
    final List<DynamoDbClient> sdkClients = new CopyOnWriteArrayList<>();
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    final AtomicBoolean stop = new AtomicBoolean();
    Nemesis nemesis;
    boolean keepLogs;

    @AfterEach
    void cleanup() throws Exception {
        stop.set(true);
        if (nemesis != null) nemesis.stop();
        for (Thread t : threads) {
            t.interrupt();
            t.join(5000);
        }
        for (DynamoDbClient c : sdkClients) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // closing anyway
            }
        }
        for (Process p : nodes.values()) kill(p);
        if (kafka != null) kill(kafka);
        if (net != null) net.close();
        if (tmp != null) {
            if (keepLogs) keepLogs();
            deleteRecursively(tmp);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES) // a backstop: the run bounds itself by the duration it is given
    void historiesUnderFaultsAreLinearizable() throws Throwable {
        try {
            net = NetworkNamespaces.create(NODES);
        } catch (NetworkNamespaces.Unavailable e) {
            Assumptions.abort("needs Linux network namespaces (root, iproute2): " + e.getMessage());
        }
        // Start-up, the workload, healing, final reads and checking each have their own bounds.
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(seconds + 900L), this::run,
                () -> "the nemesis run did not finish in " + (seconds + 900) + " s");
    }

    void run() throws Exception {
        long testStart = System.nanoTime();
        System.out.printf("nemesis seed %d (replay with -Ddynalog.nemesis.seed=%d), %d s, faults %s, %d clients, %d ms call timeout, network %s%n",
                seed, seed, seconds, faults, clientThreads, timeoutMs, net);
        tmp = Files.createTempDirectory(NetworkNamespaces.RUN_DIRECTORY_PREFIX + net.owner() + "-");
        prefix = "nm" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        classPath = Processes.snapshotClassPath(tmp.resolve("classpath"));

        // 1. Kafka on the bridge address, then the three nodes, each in its namespace.
        int kafkaPort;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(net.hostAddress()), 0));
            kafkaPort = s.getLocalPort();
        }
        kafkaAddress = net.hostAddress() + ":" + kafkaPort;
        Path kafkaLog = tmp.resolve("kafka.log");
        kafka = Processes.launch(List.of(), classPath, kafkaLog, "kafka", "--host", net.hostAddress(),
                "--port", Integer.toString(kafkaPort), "--data-dir", tmp.resolve("kafka").toString());
        awaitLine(kafka, kafkaLog, 0, "Kafka is ready", 90);
        for (int id = 1; id <= NODES; id++) nodes.put(id, launchNode(id));
        for (int id = 1; id <= NODES; id++) awaitLine(nodes.get(id), nodeLog(id), 0, "is ready", 120);
        for (int id = 1; id <= NODES; id++) javaPid(nodes.get(id));
        System.out.printf("cluster up after %d ms%n", msSince(testStart));

        // 2. The table, through node 1 (the first CreateTable of a cold cluster also places the catalog).
        try (DynamoDbClient patient = client(1, 30_000)) {
            // Asked again while the cold cluster elects its catalog's first leader (a 503 until then).
            awaitTrue("table created", 90, () -> {
                try {
                    patient.createTable(r -> r.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                            .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                                    KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build())
                            .attributeDefinitions(
                                    AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                                    AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.S).build()));
                    return true;
                } catch (software.amazon.awssdk.services.dynamodb.model.ResourceInUseException created) {
                    return true; // an earlier attempt took effect
                } catch (DynamoDbException e) {
                    if (e.statusCode() < 500) throw e;
                    return false;
                }
            });
            for (int id = 1; id <= NODES; id++) {
                DynamoDbClient c = client(id, 5_000);
                awaitTrue("table ACTIVE through node " + id, 60,
                        () -> c.describeTable(r -> r.tableName(TABLE)).table().tableStatus() == TableStatus.ACTIVE);
            }
        }
        List<String> pks = partitionKeys();
        DynamoDbClient[] byNode = new DynamoDbClient[NODES + 1];
        for (int id = 1; id <= NODES; id++) byNode[id] = client(id, timeoutMs);
        for (String pk : pks) awaitServing(byNode, pk, 60);
        System.out.printf("table ready after %d ms; partition keys %s%n", msSince(testStart), pks);

        // 3. The workload and the nemesis, for the given duration.
        long originNs = System.nanoTime();
        HistoryRecorder history = new HistoryRecorder();
        Random seeds = new Random(seed);
        for (int c = 0; c < clientThreads; c++) {
            Worker w = new Worker(c, new Random(seeds.nextLong()), byNode, pks, history);
            threads.add(start("client-" + c, w));
        }
        nemesis = new Nemesis(new ClusterAccess(), new Random(seeds.nextLong()), faults, originNs);
        Thread nemesisThread = start("nemesis", nemesis);
        threads.add(nemesisThread);
        long endNs = originNs + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < endNs) Thread.sleep(200);
        nemesis.stop();
        nemesisThread.join(180_000);
        assertThat(nemesisThread.isAlive()).as("the nemesis stopped").isFalse();
        stop.set(true);
        for (Thread t : threads) t.join(30_000);
        for (Thread t : threads) assertThat(t.isAlive()).as(t.getName() + " stopped").isFalse();

        // 4. Heal everything; every node must serve again; the final reads join the history.
        nemesis.healAll();
        nemesis.note("healed; waiting for every node to serve");
        long healedNs = System.nanoTime();
        for (String pk : pks) awaitServing(byNode, pk, 120);
        nemesis.note("every node serves, " + msSince(healedNs) + " ms after healing");
        List<String> unserved = new ArrayList<>();
        for (String pk : pks) {
            for (int id = 1; id <= NODES; id++) {
                boolean served = false;
                for (int attempt = 0; attempt < 20 && !served; attempt++) {
                    served = finalRead(byNode[id], id, pk, history);
                    if (!served) sleep(500);
                }
                if (!served) unserved.add(pk + " through node " + id);
            }
        }
        long workloadMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - originNs);

        // 4b. The WAL: every item's last record is its newest entry (what compaction keeps). A late
        // stale append may still be fixed by its successor's append after the stale-append window.
        WalAudit.Report wal = WalAudit.audit(kafkaAddress, TABLE);
        long auditDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!wal.staleLast().isEmpty() && System.nanoTime() < auditDeadline) {
            sleep(1_000);
            wal = WalAudit.audit(kafkaAddress, TABLE);
        }

        // 5. Check.
        long checkStart = System.nanoTime();
        Linearizability.Report<String, Input, Output> report = history.check(
                new Linearizability.Options(200_000_000L, Duration.ofSeconds(Long.getLong("dynalog.nemesis.checkSecondsPerKey", 60))));
        long checkMs = msSince(checkStart);
        List<CheckResult<Input, Output>> failures = report.failures();
        long violations = failures.stream().filter(r -> r.verdict() == Verdict.NOT_LINEARIZABLE).count();

        StringBuilder out = new StringBuilder();
        out.append(String.format("%n==== nemesis report: seed %d (%d clients, %d ms call timeout) ====%n", seed, clientThreads, timeoutMs));
        out.append(String.format("faults injected (%s): %s%n", faults, nemesis.injected()));
        if (nemesis.failure() != null) out.append("nemesis failed: ").append(nemesis.failure()).append('\n');
        out.append("operations by kind and outcome:\n").append(history.outcomeCounts());
        out.append("errors behind unknown outcomes and dropped reads:\n").append(history.errorCounts());
        report.byKey().forEach((pk, r) -> out.append(String.format("  %s: %s, %d operations (+%d unobservable left out), %d steps, %d ms%n",
                pk, r.verdict(), r.operations(), r.leftOut(), r.steps(), r.elapsedNs() / 1_000_000)));
        out.append(String.format("linearizability violations: %d of %d partition keys; undecided: %d%n", violations,
                report.byKey().size(), failures.size() - violations));
        for (CheckResult<Input, Output> r : failures) {
            out.append(r.relativeTo(originNs).explain(12, ItemCollectionModel.INSTANCE::describe)).append('\n');
            Path dump = Path.of(System.getProperty("java.io.tmpdir"), "dynalog-nemesis-history-" + seed + "-" + r.key() + ".txt");
            history.dump((String) r.key(), originNs, dump);
            out.append("  the history of ").append(r.key()).append(" (ms since the workload began): ").append(dump).append('\n');
        }
        out.append("the WAL: ").append(wal).append('\n');
        if (!unserved.isEmpty()) out.append("final reads that never succeeded: ").append(unserved).append('\n');
        if (!history.testBugs().isEmpty()) out.append("test bugs: ").append(history.testBugs().stream().limit(5).toList()).append('\n');
        out.append("timeline (ms since the workload began):\n");
        nemesis.timeline().forEach(l -> out.append("  ").append(l).append('\n'));
        out.append("availability (operations invoked during each fault, and in the healthy time between):\n");
        long healthyFrom = originNs;
        for (Nemesis.Window w : nemesis.windows()) {
            out.append(String.format("  healthy %8.1f s .. %8.1f s: %s%n", (healthyFrom - originNs) / 1e9, (w.startNs() - originNs) / 1e9,
                    history.availability(healthyFrom, w.startNs())));
            out.append(String.format("  %-14s %5.1f s .. %8.1f s: %s%n", w.fault().id, (w.startNs() - originNs) / 1e9,
                    (w.endNs() - originNs) / 1e9, history.availability(w.startNs(), w.endNs())));
            healthyFrom = w.endNs();
        }
        out.append(String.format("workload %d ms, check %d ms, total %d ms%n", workloadMs, checkMs, msSince(testStart)));
        System.out.println(out);

        keepLogs = !failures.isEmpty() || !unserved.isEmpty() || !wal.staleLast().isEmpty() || Boolean.getBoolean("dynalog.nemesis.keepLogs");
        assertThat(history.testBugs()).as("operations the test got wrong").isEmpty();
        assertThat(nemesis.failure()).as("the nemesis ran to the end").isNull();
        assertThat(unserved).as("partition keys a node could not serve after healing").isEmpty();
        assertThat(failures).as("partition keys whose history is not linearizable (or undecided)%s", out).isEmpty();
        assertThat(wal.staleLast()).as("items whose last WAL record is not their newest entry (compaction would keep it)%s", out).isEmpty();
    }

    // ---- the workload ------------------------------------------------------------------------

    /** One client: random operations on random keys through random nodes, each recorded. */
    final class Worker implements Runnable {
        final int id;
        final Random random;
        final DynamoDbClient[] byNode;
        final List<String> pks;
        final HistoryRecorder history;
        /** The value this client last saw or wrote per pk/sk (null: saw it absent). */
        final Map<String, String> lastSeen = new HashMap<>();
        long counter;

        Worker(int id, Random random, DynamoDbClient[] byNode, List<String> pks, HistoryRecorder history) {
            this.id = id;
            this.random = random;
            this.byNode = byNode;
            this.pks = pks;
            this.history = history;
        }

        @Override
        public void run() {
            while (!stop.get()) {
                int node = 1 + random.nextInt(NODES);
                String pk = pks.get(random.nextInt(pks.size()));
                String sk = SORT_KEYS.get(random.nextInt(SORT_KEYS.size()));
                int dice = random.nextInt(100);
                try {
                    if (dice < 25) get(byNode[node], node, pk, sk);
                    else if (dice < 40) query(byNode[node], node, pk);
                    else if (dice < 65) conditionalPut(byNode[node], node, pk, sk);
                    else if (dice < 85) put(byNode[node], node, pk, sk);
                    else delete(byNode[node], node, pk, sk);
                } catch (RuntimeException e) {
                    history.testBug("client " + id + ": " + e);
                }
                sleep(2 + random.nextInt(8));
            }
        }

        void get(DynamoDbClient c, int node, String pk, String sk) {
            long invoke = System.nanoTime();
            try {
                Map<String, AttributeValue> item = c.getItem(r -> r.tableName(TABLE).consistentRead(true).key(key(pk, sk))).item();
                long complete = System.nanoTime();
                String v = item == null || item.isEmpty() ? null : item.get("v").s();
                history.completed(pk, node, id, "get", invoke, complete, new Get(sk), new Value(v));
                lastSeen.put(pk + "/" + sk, v);
            } catch (DynamoDbException | software.amazon.awssdk.core.exception.SdkClientException e) {
                readFailed("get", invoke, e);
            }
        }

        void query(DynamoDbClient c, int node, String pk) {
            long invoke = System.nanoTime();
            try {
                QueryResponse r = queryAll(c, pk);
                long complete = System.nanoTime();
                Items items = items(r);
                history.completed(pk, node, id, "query", invoke, complete, new Query(), items);
                for (String sk : SORT_KEYS) lastSeen.put(pk + "/" + sk, items.get(sk));
            } catch (DynamoDbException | software.amazon.awssdk.core.exception.SdkClientException e) {
                readFailed("query", invoke, e);
            }
        }

        void conditionalPut(DynamoDbClient c, int node, String pk, String sk) {
            String known = lastSeen.get(pk + "/" + sk);
            Condition condition = known == null ? Condition.absent() : random.nextBoolean() ? Condition.equalTo(known) : Condition.absentOr(known);
            String value = nextValue();
            boolean returnOld = random.nextInt(4) == 0;
            PutItemRequest.Builder req = PutItemRequest.builder().tableName(TABLE).item(item(pk, sk, value))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
            condition(req::conditionExpression, req::expressionAttributeValues, condition);
            if (returnOld) req.returnValues(ReturnValue.ALL_OLD);
            write(c, node, pk, sk, "put-if", new ConditionalPut(sk, condition, value), returnOld, () -> c.putItem(req.build()).attributes(), value);
        }

        void put(DynamoDbClient c, int node, String pk, String sk) {
            String value = nextValue();
            boolean returnOld = random.nextBoolean();
            PutItemRequest.Builder req = PutItemRequest.builder().tableName(TABLE).item(item(pk, sk, value));
            if (returnOld) req.returnValues(ReturnValue.ALL_OLD);
            write(c, node, pk, sk, "put", new Put(sk, value), returnOld, () -> c.putItem(req.build()).attributes(), value);
        }

        void delete(DynamoDbClient c, int node, String pk, String sk) {
            boolean returnOld = random.nextBoolean();
            DeleteItemRequest.Builder req = DeleteItemRequest.builder().tableName(TABLE).key(key(pk, sk));
            if (returnOld) req.returnValues(ReturnValue.ALL_OLD);
            String known = lastSeen.get(pk + "/" + sk);
            if (known != null && random.nextBoolean()) {
                Condition condition = random.nextInt(3) == 0 ? Condition.absentOr(known) : Condition.equalTo(known);
                condition(req::conditionExpression, req::expressionAttributeValues, condition);
                req.returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
                write(c, node, pk, sk, "delete-if", new ConditionalDelete(sk, condition), returnOld, () -> c.deleteItem(req.build()).attributes(), null);
            } else {
                write(c, node, pk, sk, "delete", new Delete(sk), returnOld, () -> c.deleteItem(req.build()).attributes(), null);
            }
        }

        /** Runs a write and records its outcome: ok, condition failed (definite), or unknown. */
        void write(DynamoDbClient c, int node, String pk, String sk, String kind, Input in, boolean returnOld,
                   java.util.function.Supplier<Map<String, AttributeValue>> call, String written) {
            long invoke = System.nanoTime();
            try {
                Map<String, AttributeValue> old = call.get();
                long complete = System.nanoTime();
                String oldValue = old == null || old.isEmpty() ? null : old.get("v").s();
                history.completed(pk, node, id, kind, invoke, complete, in, returnOld ? Ok.okWithOld(oldValue) : Ok.ok());
                lastSeen.put(pk + "/" + sk, written);
            } catch (ConditionalCheckFailedException e) {
                long complete = System.nanoTime();
                String current = e.hasItem() && !e.item().isEmpty() ? e.item().get("v").s() : null;
                history.completed(pk, node, id, kind, invoke, complete, in, ConditionFailed.conditionFailedSeeing(current));
                lastSeen.put(pk + "/" + sk, current);
            } catch (DynamoDbException e) {
                if ("ValidationException".equals(errorCode(e))) history.testBug(kind + " " + in + ": " + e.getMessage());
                history.unknown(pk, node, id, kind, invoke, in, e);
                lastSeen.remove(pk + "/" + sk);
            } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
                if (neverSent(e)) {
                    history.notSent(kind, invoke, e);
                } else {
                    history.unknown(pk, node, id, kind, invoke, in, e);
                    lastSeen.remove(pk + "/" + sk);
                }
            } catch (RuntimeException e) {
                // A test bug (e.g. an answer it cannot parse): the write may have happened, so it
                // stays in the history with an unknown outcome, and the run fails on the bug.
                history.testBug(kind + " " + in + ": " + e);
                history.unknown(pk, node, id, kind, invoke, in, e);
                lastSeen.remove(pk + "/" + sk);
            }
        }

        void readFailed(String kind, long invoke, RuntimeException e) {
            if (e instanceof DynamoDbException d && "ValidationException".equals(errorCode(d))) history.testBug(kind + ": " + e.getMessage());
            history.readFailed(kind, invoke, e);
        }

        String nextValue() {
            return "c" + id + "-" + (counter++);
        }
    }

    /** A consistent Query of {@code pk} through node {@code id}, recorded; false if it failed. */
    boolean finalRead(DynamoDbClient c, int id, String pk, HistoryRecorder history) {
        long invoke = System.nanoTime();
        try {
            QueryResponse r = queryAll(c, pk);
            history.completed(pk, id, 1000 + id, "final-query", invoke, System.nanoTime(), new Query(), items(r));
            return true;
        } catch (DynamoDbException | software.amazon.awssdk.core.exception.SdkClientException e) {
            history.readFailed("final-query", invoke, e);
            return false;
        }
    }

    static QueryResponse queryAll(DynamoDbClient c, String pk) {
        QueryResponse r = c.query(q -> q.tableName(TABLE).consistentRead(true).keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(pk))));
        if (r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty()) {
            throw new IllegalStateException("a Query of three small items was paged: " + r.lastEvaluatedKey());
        }
        return r;
    }

    static Items items(QueryResponse r) {
        Map<String, String> m = new TreeMap<>();
        for (Map<String, AttributeValue> it : r.items()) m.put(it.get("sk").s(), it.get("v").s());
        return Items.of(m);
    }

    static void condition(java.util.function.Consumer<String> expression, java.util.function.Consumer<Map<String, AttributeValue>> values,
                          Condition condition) {
        if (condition.expected() == null) {
            expression.accept("attribute_not_exists(sk)");
            return;
        }
        expression.accept(condition.ifAbsent() ? "attribute_not_exists(sk) OR v = :e" : "v = :e");
        values.accept(Map.of(":e", AttributeValue.fromS(condition.expected())));
    }

    /**
     * True if the request cannot have reached the server: the TCP connection was refused or
     * could not be opened (a pooled connection is never the one that fails to connect). Such a
     * write definitely did not happen.
     */
    static boolean neverSent(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof org.apache.hc.client5.http.ConnectTimeoutException) return true;
        }
        return false;
    }

    static String errorCode(DynamoDbException e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk));
    }

    static Map<String, AttributeValue> item(String pk, String sk, String v) {
        return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk), "v", AttributeValue.fromS(v));
    }

    /** Two partition keys in each of the table's partitions. */
    static List<String> partitionKeys() {
        List<String> keys = new ArrayList<>();
        int[] perPartition = new int[PARTITIONS];
        for (int i = 0; keys.size() < 2 * PARTITIONS; i++) {
            String k = "pk" + i;
            int p = KeyCodec.partitionOf(KeyCodec.hash32(new io.dynalog.topology.model.AttributeValue.S(k)), PARTITIONS);
            if (perPartition[p] < 2) {
                perPartition[p]++;
                keys.add(k);
            }
        }
        return keys;
    }

    /** Waits until a consistent Query of {@code pk} succeeds through every node. */
    void awaitServing(DynamoDbClient[] byNode, String pk, int timeoutS) throws Exception {
        for (int id = 1; id <= NODES; id++) {
            DynamoDbClient c = byNode[id];
            awaitTrue("node " + id + " serving " + pk, timeoutS, () -> queryAll(c, pk) != null);
        }
    }

    // ---- the cluster ---------------------------------------------------------------------------

    Process launchNode(int id) throws IOException {
        Files.createDirectories(tmp.resolve("node-" + id));
        List<String> seeds = new ArrayList<>();
        for (int other = 1; other <= NODES; other++) if (other != id) seeds.add(net.nodeAddress(other) + ":" + PEER_PORT);
        return Processes.launch(net.exec(id), classPath, nodeLog(id), "start", "--node-id", Integer.toString(id),
                "--zone", "az" + id, "--host", net.nodeAddress(id), "--port", Integer.toString(API_PORT),
                "--peer-port", Integer.toString(PEER_PORT), "--kafka", kafkaAddress, "--seeds", String.join(",", seeds),
                "--data-dir", tmp.resolve("node-" + id).toString(), "--partitions", Integer.toString(PARTITIONS),
                "--topic-prefix", prefix);
    }

    Path nodeLog(int id) {
        return tmp.resolve("node-" + id + ".log");
    }

    /**
     * The pid of the JVM a launch started: {@code ip netns exec} execs java in its own place, so
     * it is the process's own pid once the exec has happened (checked, so that a signal never
     * goes to a wrapper that would not pass it on).
     */
    static long javaPid(Process p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String cmd = p.info().command().orElse("");
            if (cmd.endsWith("/java")) return p.pid();
            for (ProcessHandle child : p.descendants().toList()) {
                if (child.info().command().orElse("").endsWith("/java")) return child.pid();
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("process " + p.pid() + " (" + p.info().command().orElse("?") + ") is not a java process");
    }

    /** What the nemesis may do to this cluster. */
    final class ClusterAccess implements Nemesis.Cluster {
        @Override
        public int nodes() {
            return NODES;
        }

        @Override
        public void kill(int id) throws Exception {
            Process p = nodes.get(id);
            p.destroyForcibly();
            if (!p.waitFor(10, TimeUnit.SECONDS)) throw new IllegalStateException("node " + id + " survived SIGKILL");
        }

        @Override
        public void restart(int id) throws Exception {
            long offset = Files.size(nodeLog(id));
            Process p = launchNode(id);
            nodes.put(id, p);
            awaitLine(p, nodeLog(id), offset, "is ready", 120);
        }

        @Override
        public boolean isAlive(int id) {
            return nodes.get(id).isAlive();
        }

        @Override
        public long nodePid(int id) {
            try {
                return javaPid(nodes.get(id));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public long kafkaPid() {
            try {
                return javaPid(kafka);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public NetworkNamespaces network() {
            return net;
        }

        @Override
        public int someLeader(Random random) {
            // Highest ballot per partition of the table wins (table id 0, the catalog, is left
            // out); then one of those partitions' leaders at random.
            Map<String, long[]> best = new HashMap<>();
            for (int id = 1; id <= NODES; id++) {
                Matcher m = SERVES.matcher(read(nodeLog(id)));
                while (m.find()) {
                    if (m.group(1).equals("0")) continue;
                    long[] b = {Long.parseLong(m.group(3)), Long.parseLong(m.group(4))};
                    best.merge(m.group(1) + "/" + m.group(2), b, (x, y) -> y[0] > x[0] || (y[0] == x[0] && y[1] > x[1]) ? y : x);
                }
            }
            if (best.isEmpty()) return 0;
            List<long[]> leaders = new ArrayList<>(new TreeMap<>(best).values());
            return (int) leaders.get(random.nextInt(leaders.size()))[1];
        }
    }

    DynamoDbClient client(int node, int timeoutMs) {
        DynamoDbClient c = DynamoDbClient.builder()
                .endpointOverride(URI.create("http://" + net.nodeAddress(node) + ":" + API_PORT))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("dynalog", "secret")))
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(32).connectionTimeout(Duration.ofSeconds(1)))
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofMillis(timeoutMs)).retryStrategy(b -> b.maxAttempts(1)))
                .build();
        sdkClients.add(c);
        return c;
    }

    /** Copies the processes' logs next to the history dumps, for a run that found something. */
    void keepLogs() {
        try {
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "dynalog-nemesis-logs-" + seed);
            Files.createDirectories(dir);
            try (var files = Files.list(tmp)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                    Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            System.out.println("process logs kept in " + dir);
        } catch (IOException e) {
            System.out.println("could not keep the logs: " + e);
        }
    }

    static Set<Nemesis.Fault> parseFaults(String spec) {
        Set<Nemesis.Fault> set = EnumSet.noneOf(Nemesis.Fault.class);
        if (spec.isBlank() || spec.trim().equals("none")) return set;
        for (String f : spec.split(",")) set.add(Nemesis.Fault.of(f));
        return set;
    }

    static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

}
