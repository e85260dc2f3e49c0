package io.dynalog.node;

import io.dynalog.node.bench.BenchCommand;
import io.dynalog.node.kafka.EmbeddedKafka;
import io.dynalog.topology.keys.ItemCollections;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code dynalog} command: {@code dev}, {@code start}, {@code kafka}, {@code cluster} and {@code bench}. */
@Command(name = "dynalog", mixinStandardHelpOptions = true, version = "dynalog 0.1.0",
        description = "A DynamoDB-compatible database built on Apache Kafka.",
        subcommands = {DynalogCli.Dev.class, DynalogCli.Start.class, DynalogCli.Kafka.class, ClusterCommand.class, NodeCommand.class, BenchCommand.class,
                io.dynalog.node.bench.GsiBenchCommand.class, io.dynalog.node.bench.StreamBenchCommand.class,
                io.dynalog.node.bench.KafkaBenchCommand.class})
public final class DynalogCli implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new DynalogCli()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Options every node-running command shares. */
    static final class NodeOptions {
        @Option(names = "--port", defaultValue = "8000", description = "DynamoDB API port (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--data-dir", description = "Where data is kept (default: ~/.dynalog/dev for dev, required for start).")
        Path dataDir;

        @Option(names = "--partitions", defaultValue = "4", description = "Partitions of a new table (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--topic-prefix", defaultValue = "dynalog", description = "Prefix of the Kafka topics (default: ${DEFAULT-VALUE}).")
        String topicPrefix;

        @Option(names = "--node-id", defaultValue = "1", description = "This node's id (default: ${DEFAULT-VALUE}).")
        int nodeId;

        @Option(names = "--zone", defaultValue = "az1", description = "This node's zone (default: ${DEFAULT-VALUE}).")
        String zone;

        @Option(names = "--region", defaultValue = "local", description = "Region reported in ARNs (default: ${DEFAULT-VALUE}).")
        String region;

        @Option(names = "--host", defaultValue = "127.0.0.1",
                description = "The address this node listens on and other nodes and clients reach it at (default: ${DEFAULT-VALUE}).")
        String host;

        @Option(names = "--peer-port", defaultValue = "0",
                description = "The port replica groups talk on (default: any free port).")
        int peerPort;

        @Option(names = "--item-collection-limit-bytes", defaultValue = "" + ItemCollections.DEFAULT_LIMIT_BYTES,
                description = "The most the items of one partition key may hold, with their local index rows, in a table "
                        + "with local indexes (default: ${DEFAULT-VALUE}, DynamoDB's 10 GB).")
        long itemCollectionLimitBytes;

        @Option(names = "--request-partitions", defaultValue = "" + NodeConfig.DEFAULT_REQUEST_PARTITIONS,
                description = "Partitions of the Kafka write path's request topic, when this node creates it (default: ${DEFAULT-VALUE}).")
        int requestPartitions;

        @Option(names = "--idempotency-window-ms", defaultValue = "" + NodeConfig.DEFAULT_IDEMPOTENCY_WINDOW_MS,
                description = "How long a request token of the Kafka write path is remembered (default: ${DEFAULT-VALUE}).")
        long idempotencyWindowMs;

        @Option(names = "--replace-after", defaultValue = "5m", converter = DurationMs.class, paramLabel = "DURATION",
                description = "How long a node may go unheard before its replicas are replaced on other nodes, "
                        + "as 30s, 5m (default: ${DEFAULT-VALUE}; at least 10s).")
        long replaceAfterMs;

        NodeConfig config(String kafka, Path dir, short replicationFactor) {
            return new NodeConfig(nodeId, zone, host, port, peerPort, kafka, dir, topicPrefix, partitions, replicationFactor,
                    24L * 3600 * 1000, region, 1, itemCollectionLimitBytes, requestPartitions, idempotencyWindowMs, replaceAfterMs);
        }
    }

    /**
     * Once the cluster's nodes have started: an earlier version's tables join the catalog, in the
     * background, tried again every 10 s until they have.
     */
    static void bringInEarlierCatalog(DynalogNode node) {
        node.bringInEarlierCatalog().whenComplete((v, e) -> {
            if (e == null) return;
            System.err.println("Tables of an earlier version's catalog are not all brought in yet (" + e + "); trying again in 10 s");
            CompletableFuture.delayedExecutor(10, TimeUnit.SECONDS).execute(() -> bringInEarlierCatalog(node));
        });
    }

    @Command(name = "dev", mixinStandardHelpOptions = true,
            description = "Starts an embedded Kafka broker and one node on this machine.")
    static final class Dev implements Callable<Integer> {
        @CommandLine.Mixin
        NodeOptions node = new NodeOptions();

        @Option(names = "--kafka-port", defaultValue = "9092", description = "Port of the embedded Kafka broker (default: ${DEFAULT-VALUE}; 0 picks a free one).")
        int kafkaPort;

        @Option(names = "--kafka-config", paramLabel = "KEY=VALUE",
                description = "A property of the embedded broker, over Dynalog's own settings (repeatable), e.g. num.io.threads=2.")
        Map<String, String> kafkaConfig = new LinkedHashMap<>();

        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
                description = "Run the nodes against this Kafka cluster (e.g. one `dynalog kafka` started) instead of an embedded broker.")
        String bootstrapServers;

        @Option(names = "--nodes", defaultValue = "1",
                description = "Nodes to run, in zones az1, az2, ... with API ports --port, --port+1, ... (default: ${DEFAULT-VALUE}).")
        int nodes;

        @Override
        public Integer call() throws Exception {
            if (nodes < 1 || nodes > 9) throw new CommandLine.ParameterException(new CommandLine(this), "--nodes must be 1..9");
            Path dir = node.dataDir != null ? node.dataDir : Path.of(System.getProperty("user.home"), ".dynalog", "dev");
            if (node.dataDir == null) System.out.println("Data directory: " + dir + " (choose another with --data-dir)");
            if (bootstrapServers != null && !kafkaConfig.isEmpty()) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--kafka-config sets the embedded broker; with --bootstrap-servers there is none");
            }
            EmbeddedKafka kafka = bootstrapServers != null ? null
                    : startBroker(EmbeddedKafka.builder(dir.resolve("kafka")).port(kafkaPort), kafkaConfig);
            String bootstrap = kafka != null ? kafka.bootstrapServers() : bootstrapServers;
            List<DynalogNode> started = new ArrayList<>();
            try {
                NodeConfig first = node.config(bootstrap, dir.resolve("node-" + node.nodeId), (short) 1)
                        .withExpectedNodes(nodes);
                for (int i = 0; i < nodes; i++) {
                    int id = node.nodeId + i;
                    NodeConfig config = nodes == 1 ? first
                            : first.asNode(id, "az" + (i + 1), node.port == 0 ? 0 : node.port + i,
                                    node.peerPort == 0 ? 0 : node.peerPort + i, dir.resolve("node-" + id));
                    started.add(DynalogNode.start(config));
                }
            } catch (RuntimeException e) {
                started.forEach(DynalogNode::close);
                if (kafka != null) kafka.close();
                throw e;
            }
            StringBuilder endpoints = new StringBuilder();
            for (DynalogNode n : started) {
                if (endpoints.length() > 0) endpoints.append(", ");
                endpoints.append("http://localhost:").append(n.apiPort());
                if (nodes > 1) endpoints.append(" (node ").append(n.config().nodeId()).append(", ").append(n.config().zone()).append(')');
            }
            bringInEarlierCatalog(started.get(0));
            System.out.println("Dynalog is ready: DynamoDB API on " + endpoints + ", Kafka on " + bootstrap
                    + ". Press Ctrl-C to stop.");
            awaitShutdown(() -> {
                // Stop the nodes together: one at a time, the last ones would each wait out elections.
                started.parallelStream().forEach(DynalogNode::close);
                if (kafka != null) kafka.close();
            });
            return 0;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Starts one node against an existing Kafka cluster.")
    static final class Start implements Callable<Integer> {
        @CommandLine.Mixin
        NodeOptions node = new NodeOptions();

        @Option(names = "--kafka", required = true, description = "Kafka bootstrap servers, HOST:PORT[,HOST:PORT...].")
        String kafka;

        @Option(names = "--replication-factor", defaultValue = "1", description = "Replication factor of the topics this node creates (default: ${DEFAULT-VALUE}).")
        short replicationFactor;

        @Option(names = "--seeds", split = ",", paramLabel = "HOST:PEER_PORT",
                description = "Other nodes' peer addresses. Nodes find each other through Kafka (the topic <prefix>.nodes), "
                        + "so seeds are optional: given, the node reports ready only once it has heard from each of them "
                        + "(at most --seed-wait-s), so that tables created next are placed over the whole cluster.")
        List<String> seeds = List.of();

        @Option(names = "--seed-wait-s", defaultValue = "60", description = "How long to wait for the seeds (default: ${DEFAULT-VALUE}).")
        int seedWaitSeconds;

        @Override
        public Integer call() throws Exception {
            if (node.dataDir == null) throw new CommandLine.ParameterException(new CommandLine(this), "--data-dir is required for start");
            List<Seeds.Address> addresses = Seeds.parse(new CommandLine(this), seeds);
            DynalogNode dynalog = DynalogNode.start(node.config(kafka, node.dataDir, replicationFactor)
                    .withExpectedNodes(Seeds.clusterSize(addresses, node.host, node.peerPort)));
            List<Seeds.Address> missing = Seeds.await(addresses, dynalog::members, TimeUnit.SECONDS.toMillis(seedWaitSeconds));
            if (!missing.isEmpty()) {
                System.err.println("Not heard from seeds " + missing + " in " + seedWaitSeconds
                        + " s; serving anyway (tables created now are placed over the nodes known so far)");
            }
            bringInEarlierCatalog(dynalog);
            System.out.println("Dynalog node " + node.nodeId + " is ready: DynamoDB API on http://localhost:" + dynalog.apiPort());
            awaitShutdown(dynalog::close);
            return 0;
        }
    }

    @Command(name = "kafka", mixinStandardHelpOptions = true, description = "Runs the embedded Kafka broker alone.")
    static final class Kafka implements Callable<Integer> {
        @Option(names = "--port", defaultValue = "9092", description = "Broker port (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--data-dir", required = true, description = "Where the broker keeps its log.")
        Path dataDir;

        @Option(names = "--host", defaultValue = "127.0.0.1",
                description = "The address the broker listens on and clients reach it at (default: ${DEFAULT-VALUE}).")
        String host;

        @Option(names = "--kafka-config", paramLabel = "KEY=VALUE",
                description = "A property of the broker, over Dynalog's own settings (repeatable), e.g. num.io.threads=2.")
        Map<String, String> kafkaConfig = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            EmbeddedKafka kafka = startBroker(EmbeddedKafka.builder(dataDir).host(host).port(port), kafkaConfig);
            System.out.println("Kafka is ready on " + kafka.bootstrapServers() + ". Press Ctrl-C to stop.");
            awaitShutdown(kafka::close);
            return 0;
        }
    }

    /** Starts a broker with the properties given by {@code --kafka-config} over the builder's settings. */
    private static EmbeddedKafka startBroker(EmbeddedKafka.Builder builder, Map<String, String> properties) {
        properties.forEach(builder::property);
        return builder.start();
    }

    /** Blocks until the JVM is asked to stop (Ctrl-C, SIGTERM), then runs {@code stop} once. */
    private static void awaitShutdown(Runnable stop) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping...");
            stop.run();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }
}
