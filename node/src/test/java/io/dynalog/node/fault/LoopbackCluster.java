package io.dynalog.node.fault;

import static io.dynalog.node.fault.Processes.awaitLine;
import static io.dynalog.node.fault.Processes.deleteRecursively;
import static io.dynalog.node.fault.Processes.freePort;
import static io.dynalog.node.fault.Processes.kill;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A Kafka broker and {@code n} Dynalog nodes, each its own OS process on loopback, started through
 * {@code DynalogCli} from a private copy of the test class path, with their logs in a temporary
 * directory; and clients for them. {@link #close} kills every process and deletes the directory.
 */
final class LoopbackCluster implements AutoCloseable {
    final Path tmp;
    final String prefix;
    final int partitions;
    private final String classPath;
    private final int kafkaPort;
    private Process kafka;
    private final Map<Integer, Process> nodes = new ConcurrentHashMap<>();
    private final Map<Integer, int[]> ports = new HashMap<>(); // id -> {api, peer}
    private final List<DynamoDbClient> clients = new CopyOnWriteArrayList<>();
    /** Arguments every node is started with besides its own (e.g. {@code --replace-after 10s}). */
    private final List<String> nodeArgs;
    /** Keeps the logs even when the test passes ({@code -Ddynalog.fault.keepLogs=true}). */
    private volatile boolean keepLogs = Boolean.getBoolean("dynalog.fault.keepLogs");

    /** Starts the broker (not the nodes: see {@link #startNode} and {@link #launchNode}). */
    LoopbackCluster(int nodeCount, int partitions) throws Exception {
        this(nodeCount, partitions, List.of());
    }

    /** As {@link #LoopbackCluster(int, int)}, every node started with {@code nodeArgs} too. */
    LoopbackCluster(int nodeCount, int partitions, List<String> nodeArgs) throws Exception {
        this.nodeArgs = List.copyOf(nodeArgs);
        this.tmp = Files.createTempDirectory("dynalog-fault-");
        this.prefix = "pf" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        this.partitions = partitions;
        this.classPath = Processes.snapshotClassPath(tmp.resolve("classpath"));
        this.kafkaPort = freePort();
        for (int id = 1; id <= nodeCount; id++) ports.put(id, new int[] {freePort(), freePort()});
        Path kafkaLog = tmp.resolve("kafka.log");
        kafka = Processes.launch(List.of(), classPath, kafkaLog, "kafka", "--port", Integer.toString(kafkaPort),
                "--data-dir", tmp.resolve("kafka").toString());
        awaitLine(kafka, kafkaLog, 0, "Kafka is ready", 60);
    }

    String kafkaAddress() {
        return "127.0.0.1:" + kafkaPort;
    }

    long kafkaPid() {
        return kafka.pid();
    }

    /** Launches node {@code id} on its data directory without waiting for it. */
    Process launchNode(int id) throws IOException {
        Files.createDirectories(tmp.resolve("node-" + id));
        int[] p = ports.get(id);
        List<String> args = new ArrayList<>(List.of("start", "--node-id", Integer.toString(id),
                "--zone", "az" + id, "--host", "127.0.0.1", "--port", Integer.toString(p[0]), "--peer-port", Integer.toString(p[1]),
                "--kafka", kafkaAddress(), "--data-dir", tmp.resolve("node-" + id).toString(),
                "--partitions", Integer.toString(partitions), "--topic-prefix", prefix));
        args.addAll(nodeArgs);
        Process process = Processes.launch(List.of(), classPath, nodeLog(id), args.toArray(String[]::new));
        nodes.put(id, process);
        return process;
    }

    /** Launches node {@code id} and waits until it logs that it is ready. */
    void startNode(int id, int timeoutS) throws Exception {
        long offset = Files.exists(nodeLog(id)) ? Files.size(nodeLog(id)) : 0;
        awaitLine(launchNode(id), nodeLog(id), offset, "is ready", timeoutS);
    }

    /** Launches every node, then waits for each. */
    void startNodes(int timeoutS) throws Exception {
        for (int id : ports.keySet()) launchNode(id);
        for (int id : ports.keySet()) awaitLine(nodes.get(id), nodeLog(id), 0, "is ready", timeoutS);
    }

    Process node(int id) {
        return nodes.get(id);
    }

    Path nodeLog(int id) {
        return tmp.resolve("node-" + id + ".log");
    }

    int apiPort(int id) {
        return ports.get(id)[0];
    }

    /** A client of node {@code id}: SDK retries as the standard mode does, or none; a call timeout. */
    DynamoDbClient client(int id, boolean retries, Duration callTimeout) {
        DynamoDbClient c = DynamoDbClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + apiPort(id)))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("dynalog", "secret")))
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(8).connectionTimeout(Duration.ofSeconds(1)))
                .overrideConfiguration(o -> {
                    o.apiCallTimeout(callTimeout);
                    if (retries) o.retryStrategy(RetryMode.STANDARD);
                    else o.retryStrategy(b -> b.maxAttempts(1));
                })
                .build();
        clients.add(c);
        return c;
    }

    /**
     * Keeps the processes' logs (and data) when closing, for a failed run to be looked at, with a
     * thread dump of every live node ({@code node-N.threads}) taken now.
     */
    void keepLogs() {
        keepLogs = true;
        nodes.forEach((id, p) -> {
            if (!p.isAlive()) return;
            try {
                Process jstack = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(),
                        Long.toString(p.pid())).redirectErrorStream(true).redirectOutput(tmp.resolve("node-" + id + ".threads").toFile()).start();
                jstack.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                System.out.println("no thread dump of node " + id + ": " + e);
            }
        });
    }

    @Override
    public void close() {
        clients.forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // closing a client whose connections are gone
            }
        });
        for (Process p : nodes.values()) kill(p);
        if (kafka != null) kill(kafka);
        if (keepLogs) {
            deleteRecursively(tmp.resolve("classpath"));
            System.out.println("the processes' logs and data are kept in " + tmp);
        } else {
            deleteRecursively(tmp);
        }
    }
}
