package io.dynalog.node.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker (the Maven Central artifacts of Kafka 4.4.0) running inside this JVM
 * as a single KRaft node in combined mode: one process that is both broker and the only
 * controller of its metadata quorum.
 *
 * <p>Responsibilities:
 * <ul>
 *   <li>formats the log directory, once: a directory that already holds {@code meta.properties} is
 *       started as it is, so its topics, records and cluster id survive a restart;</li>
 *   <li>configures the node for one laptop: replication factor 1 everywhere (internal topics too),
 *       few threads, a small log-cleaner buffer (Dynalog's WAL and catalog topics are compacted),
 *       no automatic topic creation, no initial rebalance delay;</li>
 *   <li>binds the client listener on 127.0.0.1 (or the host the {@link Builder} names) and the
 *       controller listener on 127.0.0.1, picking free ports when asked for port 0;</li>
 *   <li>stops the node cleanly, once, and waits until it has shut down.</li>
 * </ul>
 * Creating topics is the caller's business (through an {@code Admin} client on
 * {@link #bootstrapServers()}).
 *
 * <p>Two instances in one JVM must use different log directories; sharing a node id between them
 * works but makes their JMX metrics collide (each logs a warning), so the {@link Builder} lets a
 * caller choose one.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private static final String LOOPBACK_HOST = "127.0.0.1";
    private static final String META_PROPERTIES_FILE = "meta.properties";
    /** How often we retry with fresh ports when a port picked as free was taken before Kafka bound it. */
    private static final int MAX_START_ATTEMPTS_WITH_PICKED_PORTS = 3;

    private final KafkaRaftServer server;
    private final String host;
    private final Path logDir;
    private final int nodeId;
    private final int port;
    private final int controllerPort;
    private final String clusterId;
    private final long startDurationMs;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, String host, Path logDir, int nodeId, int port, int controllerPort,
                          String clusterId, long startDurationMs) {
        this.server = server;
        this.host = host;
        this.logDir = logDir;
        this.nodeId = nodeId;
        this.port = port;
        this.controllerPort = controllerPort;
        this.clusterId = clusterId;
        this.startDurationMs = startDurationMs;
    }

    /**
     * Starts a broker on {@code logDir} (created and formatted if needed) with its client listener
     * on {@code port}, or on a free port if {@code port} is 0. Returns once the broker is unfenced
     * and accepts requests.
     */
    public static EmbeddedKafka start(Path logDir, int port) {
        return builder(logDir).port(port).start();
    }

    /** A builder for the less common settings: node id, a fixed controller port, broker properties. */
    public static Builder builder(Path logDir) {
        return new Builder(logDir);
    }

    /** The {@code bootstrap.servers} value for clients of this broker, e.g. {@code 127.0.0.1:9092}. */
    public String bootstrapServers() {
        return host + ":" + port;
    }

    /** The port of the client (PLAINTEXT) listener. */
    public int port() {
        return port;
    }

    /** The port of the controller (KRaft quorum) listener; clients never use it. */
    public int controllerPort() {
        return controllerPort;
    }

    public int nodeId() {
        return nodeId;
    }

    /** The cluster id, kept in the log directory's {@code meta.properties} from the first start on. */
    public String clusterId() {
        return clusterId;
    }

    public Path logDir() {
        return logDir;
    }

    /** How long {@link #start} took, formatting included. */
    public long startDurationMs() {
        return startDurationMs;
    }

    /** Stops the broker cleanly and waits for it to finish; further calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long startNanos = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Kafka broker {} on {} stopped in {} ms", nodeId, bootstrapServers(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    @Override
    public String toString() {
        return "EmbeddedKafka{" + bootstrapServers() + ", node " + nodeId + ", cluster " + clusterId
            + ", logDir " + logDir + (closed.get() ? ", closed" : "") + "}";
    }

    /** Settings of an {@link EmbeddedKafka}; {@link #start()} starts it. */
    public static final class Builder {
        private final Path logDir;
        private String host = LOOPBACK_HOST;
        private int port;
        private int controllerPort;
        private int nodeId = 1;
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder(Path logDir) {
            this.logDir = Objects.requireNonNull(logDir, "logDir").toAbsolutePath();
        }

        /** The client listener's port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = requirePort(port, "port");
            return this;
        }

        /**
         * The address the client listener binds and advertises (default 127.0.0.1), e.g. a bridge
         * address that clients in other network namespaces reach. The controller listener stays
         * on 127.0.0.1: only this process uses it.
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The controller listener's port; 0 (the default) picks a free one at every start. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = requirePort(controllerPort, "controllerPort");
            return this;
        }

        /**
         * The node id (default 1). A formatted log directory remembers it: later starts on the same
         * directory must use the same id.
         */
        public Builder nodeId(int nodeId) {
            if (nodeId < 0) {
                throw new IllegalArgumentException("nodeId must be >= 0, was " + nodeId);
            }
            this.nodeId = nodeId;
            return this;
        }

        /** Sets or overrides one broker property (applied after the defaults of this class). */
        public Builder property(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Formats the log directory if it is not formatted yet, starts the broker and waits until it serves. */
        public EmbeddedKafka start() {
            boolean portsPicked = port == 0 || controllerPort == 0;
            int attempts = portsPicked ? MAX_START_ATTEMPTS_WITH_PICKED_PORTS : 1;
            for (int attempt = 1; ; attempt++) {
                try {
                    return startOnce();
                } catch (RuntimeException e) {
                    // Fresh ports help only if the port that clashed was one we picked, not one the
                    // caller asked for.
                    if (attempt >= attempts || !causedByBindFailure(e) || !requestedPortsFree()) {
                        throw e;
                    }
                    LOG.warn("A port picked as free was taken before the Kafka broker bound it; retrying with new ports ({})",
                        e.toString());
                }
            }
        }

        private boolean requestedPortsFree() {
            return (port == 0 || isFree(port)) && (controllerPort == 0 || isFree(controllerPort));
        }

        private EmbeddedKafka startOnce() {
            long startNanos = System.nanoTime();
            int clientPort = port != 0 ? port : freePort();
            int quorumPort = controllerPort != 0 ? controllerPort : freePort(clientPort);
            createDirectories(logDir);
            Properties props = brokerProperties(clientPort, quorumPort);

            String clusterId = readClusterId(logDir);
            if (clusterId == null) {
                clusterId = Uuid.randomUuid().toString();
                format(props, clusterId);
            }

            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            try {
                server.startup();
            } catch (RuntimeException e) {
                // startup() has already shut down what it started; wait for it so the log directory
                // lock is released before anyone retries.
                server.shutdown();
                server.awaitShutdown();
                throw e;
            }
            long startDurationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            LOG.info("Kafka broker {} started on {}:{} (controller port {}, cluster {}, log dir {}) in {} ms",
                nodeId, host, clientPort, quorumPort, clusterId, logDir, startDurationMs);
            return new EmbeddedKafka(server, host, logDir, nodeId, clientPort, quorumPort, clusterId, startDurationMs);
        }

        private Properties brokerProperties(int clientPort, int quorumPort) {
            Properties props = new Properties();
            // One combined node: broker and the only voter of the metadata quorum.
            props.setProperty("process.roles", "broker,controller");
            props.setProperty("node.id", Integer.toString(nodeId));
            props.setProperty("controller.quorum.voters", nodeId + "@" + LOOPBACK_HOST + ":" + quorumPort);
            props.setProperty("listeners",
                "PLAINTEXT://" + host + ":" + clientPort + ",CONTROLLER://" + LOOPBACK_HOST + ":" + quorumPort);
            props.setProperty("advertised.listeners", "PLAINTEXT://" + host + ":" + clientPort);
            props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.setProperty("controller.listener.names", "CONTROLLER");
            props.setProperty("inter.broker.listener.name", "PLAINTEXT");
            props.setProperty("log.dirs", logDir.toString());

            // One replica of everything, internal topics included.
            props.setProperty("default.replication.factor", "1");
            props.setProperty("min.insync.replicas", "1");
            props.setProperty("offsets.topic.replication.factor", "1");
            props.setProperty("transaction.state.log.replication.factor", "1");
            props.setProperty("transaction.state.log.min.isr", "1");
            props.setProperty("share.coordinator.state.topic.replication.factor", "1");
            props.setProperty("share.coordinator.state.topic.min.isr", "1");

            // Small for a laptop: few partitions and threads, a small cleaner buffer.
            props.setProperty("num.partitions", "1");
            props.setProperty("offsets.topic.num.partitions", "5");
            props.setProperty("transaction.state.log.num.partitions", "5");
            props.setProperty("share.coordinator.state.topic.num.partitions", "5");
            props.setProperty("num.network.threads", "2");
            props.setProperty("num.io.threads", "4");
            props.setProperty("background.threads", "4");
            props.setProperty("num.recovery.threads.per.data.dir", "1");
            props.setProperty("log.cleaner.enable", "true");
            props.setProperty("log.cleaner.threads", "1");
            props.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));

            // Topics are created on purpose, with their cleanup policy; tests delete them.
            props.setProperty("auto.create.topics.enable", "false");
            props.setProperty("delete.topic.enable", "true");
            // A consumer group's first member should not wait for company that is not coming.
            props.setProperty("group.initial.rebalance.delay.ms", "0");

            overrides.forEach(props::setProperty);
            return props;
        }

        private void format(Properties props, String clusterId) {
            Path configFile = null;
            try {
                // The storage tool reads the node's configuration from a file only.
                configFile = Files.createTempFile("dynalog-kafka-format-", ".properties");
                try (OutputStream out = Files.newOutputStream(configFile)) {
                    props.store(out, "Dynalog embedded Kafka: configuration used to format " + logDir);
                }
                ByteArrayOutputStream output = new ByteArrayOutputStream();
                int exitCode;
                try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                    exitCode = StorageTool.execute(
                        new String[] {"format", "--cluster-id", clusterId, "--config", configFile.toString()},
                        printStream);
                }
                String toolOutput = output.toString(StandardCharsets.UTF_8).trim();
                if (exitCode != 0) {
                    throw new IllegalStateException("Formatting Kafka log directory " + logDir + " failed with exit code "
                        + exitCode + ": " + toolOutput);
                }
                LOG.debug("Formatted Kafka log directory {} for cluster {}: {}", logDir, clusterId, toolOutput);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write the configuration to format " + logDir, e);
            } finally {
                deleteQuietly(configFile);
            }
        }

        private static String readClusterId(Path logDir) {
            Path metaProperties = logDir.resolve(META_PROPERTIES_FILE);
            if (!Files.isRegularFile(metaProperties)) {
                return null;
            }
            Properties meta = new Properties();
            try (InputStream in = Files.newInputStream(metaProperties)) {
                meta.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + metaProperties, e);
            }
            String clusterId = meta.getProperty("cluster.id");
            if (clusterId == null || clusterId.isBlank()) {
                throw new IllegalStateException(metaProperties + " has no cluster.id: the directory is not a KRaft log directory");
            }
            return clusterId;
        }

        private static void createDirectories(Path dir) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create Kafka log directory " + dir, e);
            }
        }

        private static void deleteQuietly(Path file) {
            if (file == null) {
                return;
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.debug("Cannot delete {}", file, e);
            }
        }

        private static int requirePort(int port, String name) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + " must be in 0..65535, was " + port);
            }
            return port;
        }

        /** A port that is free now on the loopback address, other than {@code taken}. */
        private static int freePort(int... taken) {
            for (int attempt = 0; attempt < 10; attempt++) {
                int candidate;
                try (ServerSocket socket = new ServerSocket()) {
                    socket.setReuseAddress(true);
                    socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK_HOST), 0));
                    candidate = socket.getLocalPort();
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot find a free port on " + LOOPBACK_HOST, e);
                }
                boolean clash = false;
                for (int t : taken) {
                    clash |= t == candidate;
                }
                if (!clash) {
                    return candidate;
                }
            }
            throw new IllegalStateException("Cannot find a free port on " + LOOPBACK_HOST + " other than the ones taken");
        }

        private static boolean isFree(int port) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK_HOST), port));
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        private static boolean causedByBindFailure(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    return true;
                }
                if (t.getCause() == t) {
                    break;
                }
            }
            return false;
        }
    }
}
