package io.dynalog.node;

import io.dynalog.api.DynamoApi;
import io.dynalog.control.ReplicaRepair;
import io.dynalog.control.Rereplication;
import io.dynalog.api.ops.Operations;
import io.dynalog.api.route.Cluster;
import io.dynalog.api.route.Forwarder;
import io.dynalog.api.http.DynamoHttpServer;
import io.dynalog.ingest.CatalogPlacement;
import io.dynalog.ingest.CatalogWriter;
import io.dynalog.ingest.HeldBytesBudget;
import io.dynalog.ingest.IngestService;
import io.dynalog.ingest.KafkaWalAppender;
import io.dynalog.ingest.WalTopics;
import io.dynalog.ingest.acceptor.RocksAcceptorStores;
import io.dynalog.ingest.paxos.PaxosConfig;
import io.dynalog.ingest.peer.TcpPeerTransport;
import io.dynalog.ingest.replication.ReplicationRuntime;
import io.dynalog.node.status.NodeAdminEndpoints;
import io.dynalog.node.status.StatusEndpoints;
import io.dynalog.topology.time.Time;
import io.dynalog.replica.CatalogReplica;
import io.dynalog.replica.CompactedTopicView;
import io.dynalog.topology.wire.NodeRecordCodec;
import io.dynalog.replica.ReplicaProcessor;
import io.dynalog.replica.ReplicaStore;
import io.dynalog.topology.catalog.CatalogTable;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.wire.TableRecordCodec;
import io.dynalog.topology.placement.NodeInfo;
import io.dynalog.topology.wal.Configuration;
import io.dynalog.topology.wal.WalRecords;
import io.vertx.core.Vertx;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Dynalog process: wires the modules together and owns their life cycle.
 *
 * <p>Start order follows the data flow backwards, so nothing is called before what it calls
 * exists: the replica store and processor, the catalog replica, the write path, the API's
 * operations and the table lifecycle, and last the HTTP server. Close runs the reverse order, each step once.
 */
public final class DynalogNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DynalogNode.class);
    /**
     * Replica-group timing: a leader silent for 500-1000 ms is replaced; its lease (400 ms) ends
     * before that; heartbeats every 50 ms keep it; clocks may drift 0.1 % over a lease.
     */
    static final PaxosConfig PAXOS = new PaxosConfig(500, 50, 400, 1_000, 256);
    static final long REPLICATION_TICK_MS = 10;
    /**
     * How late a deposed leader's WAL append may land after its lease ended: it issues appends
     * only while it holds its lease (send() never blocks), and each lands or fails within the
     * producer's delivery timeout; a second of margin.
     */
    static final long STALE_APPEND_WINDOW_MS = PAXOS.leaseDurationMs() + KafkaClients.WAL_DELIVERY_TIMEOUT_MS + 1_000;

    /**
     * Fail-stop: a node whose acceptor store cannot make votes durable, or whose replica groups
     * keep failing, says why and stops at once (a halt: shutdown hooks could wait on what failed).
     */
    static final io.dynalog.ingest.FatalErrors FAIL_STOP = (why, cause) -> {
        log.error("STOPPING THIS NODE: {}", why, cause);
        System.err.println("dynalog: stopping this node: " + why + (cause == null ? "" : " (" + cause + ")"));
        System.err.flush();
        Runtime.getRuntime().halt(70);
    };

    /**
     * A node announces itself again this often; the times of the nodes topic's records tell who is
     * alive (by the announcing node's clock: the limit below allows for skew).
     */
    static final long ANNOUNCE_INTERVAL_MS = 2_000;
    /** A node not heard from for this long gets no new replicas: it is down or cut off (issue 15, item 4). */
    static final long NODE_SILENCE_LIMIT_MS = 5 * ANNOUNCE_INTERVAL_MS;
    /**
     * How long a new replica's acceptor may take to hold every chosen slot (the Paxos tail, not the
     * table: that is rebuilt from the WAL in the background) before another node is tried.
     */
    static final long LEARNER_PATIENCE_MS = 60_000;
    /** How many voters a replica group is kept at. */
    static final int REPLICATION_FACTOR = 3;
    /** How long another node has to answer when this one gathers the cluster's status. */
    static final long STATUS_TIMEOUT_MS = 2_000;
    /** How long a starting node waits for its tables' leaders before it serves the API. */
    private static final long TABLES_SERVED_TIMEOUT_MS = 30_000;
    /** How long the catalog waits for the nodes a cluster starts with before it is placed over fewer. */
    static final long EXPECTED_NODES_WAIT_MS = 60_000;
    /** Threads that read Query and Scan pages out of RocksDB once their read barrier is passed. */
    private static final int PAGE_READ_THREADS = 4;
    /** Workers of the DynamoDB Streams API's reads, which block on Kafka (apart from the page reads). */
    private static final int STREAM_READ_THREADS = 2;

    private final NodeConfig config;
    private final Deque<AutoCloseable> closeOrder = new ArrayDeque<>();
    private DynamoHttpServer server;
    private CompactedTopicView<NodeInfo> membership;
    private CatalogPlacement catalogPlacement;
    private LegacyCatalog legacyCatalog;
    private KafkaProducer<byte[], byte[]> producer;
    private CatalogReplica catalog;
    private DynamoApi api;
    private IngestService ingest;
    private int apiPort;
    /** This node's record in the nodes topic; null until the node serves. */
    private volatile NodeAnnouncer announcer;

    private DynalogNode(NodeConfig config) {
        this.config = config;
    }

    /** Starts a node and returns once it serves the API. */
    public static DynalogNode start(NodeConfig config) {
        DynalogNode node = new DynalogNode(config);
        try {
            node.startAll();
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /**
     * True when this node takes part in the replica group of partition {@code partition} of the
     * table: false when the table is unknown or not placed here, or when this node refuses the
     * group because it lost the votes it cast there (a replaced acceptor store).
     */
    public boolean inGroupOf(String tableName, int partition) {
        TableDescriptor table = catalog == null ? null : catalog.table(tableName);
        return table != null && ingest.inGroup(table.tableId(), partition);
    }

    private void startAll() {
        long startedNs = System.nanoTime();
        String catalogTopic = WalRecords.catalogTopic(config.topicPrefix());
        String placementTopic = WalRecords.catalogPlacementTopic(config.topicPrefix());

        Admin admin = own(KafkaClients.admin(config));
        WalTopics topics = new WalTopics(admin, config.topicReplicationFactor(), config.pointInTimeWindowMs());
        String nodeToken = nodeToken(admin, config.topicPrefix());
        topics.ensureWalTopic(catalogTopic, 1);
        topics.ensureMetaTopic(placementTopic);

        ReplicaStore store = own(ReplicaStore.open(config.dataDir().resolve("replica")));
        ReplicaProcessor replica = own(new ReplicaProcessor(store,
                KafkaClients.assignedConsumer(config, "replica"), "replica-" + config.nodeId(),
                WalTopics.TOMBSTONE_RETENTION_MS, config.pointInTimeWindowMs(), System::currentTimeMillis));
        CatalogReplica catalogReplica = own(new CatalogReplica(
                KafkaClients.assignedConsumer(config, "catalog"), catalogTopic));
        CompactedTopicView<TableDescriptor> catalogProposals = own(new CompactedTopicView<>(
                KafkaClients.assignedConsumer(config, "catalog-placement"), placementTopic, TableRecordCodec::decode,
                "catalog-placement"));

        KafkaWalAppender appender = own(new KafkaWalAppender(KafkaClients.producer(config)));
        KafkaProducer<byte[], byte[]> producer = KafkaClients.metaProducer(config);
        closeOrder.push(producer::close);
        ExecutorService ingestExecutor = ownExecutor(Executors.newFixedThreadPool(2, named("ingest")));
        Vertx vertx = Vertx.vertx();
        closeOrder.push(() -> vertx.close().await());
        RocksAcceptorStores acceptors = own(RocksAcceptorStores.open(config.dataDir().resolve("acceptors"), FAIL_STOP));
        // Before this node takes part in any replica group: is its acceptor store the one that voted?
        io.dynalog.ingest.AmnesiaGuard amnesiaGuard = StoreIdentities.check(config, topics, acceptors, producer);
        TcpPeerTransport transport = own(TcpPeerTransport.start(vertx, config.nodeId(), config.host(), config.peerPort(), Time.SYSTEM).join());
        String nodesTopic = WalRecords.nodesTopic(config.topicPrefix());
        topics.ensureMetaTopic(nodesTopic);
        membership = own(new CompactedTopicView<>(
                KafkaClients.assignedConsumer(config, "nodes"), nodesTopic, NodeRecordCodec::decode, "membership"));
        membership.addListener((previous, current) -> {
            if (current != null) transport.addPeer(current.nodeId(), current.peerHost(), current.peerPort());
        });
        membership.start().join();
        ReplicationRuntime runtime = own(new ReplicationRuntime(config.nodeId(), transport, acceptors, PAXOS,
                REPLICATION_TICK_MS, Time.SYSTEM, new java.security.SecureRandom(), FAIL_STOP).start());
        ingest = own(new IngestService(config.nodeId(),
                new LocalReplicaAdapter(store, replica, config.idempotencyWindowMs(), System::currentTimeMillis),
                appender, ingestExecutor, runtime, Time.SYSTEM, STALE_APPEND_WINDOW_MS, config.itemCollectionLimitBytes(), amnesiaGuard,
                HeldBytesBudget.ofHeap(Runtime.getRuntime().maxMemory())));
        replica.addListener(ingest::onApplied);

        catalogPlacement = new CatalogPlacement(producer, placementTopic, catalogTopic, config.nodeId(),
                this::liveMembers, System::currentTimeMillis, config.expectedNodes(), EXPECTED_NODES_WAIT_MS);
        // How the API routes requests to other nodes, and how the operator's actions reach this node's record.
        NodeAdminEndpoints.Node cluster = new NodeAdminEndpoints.Node() {
            @Override
            public int selfId() {
                return config.nodeId();
            }

            @Override
            public NodeInfo node(int nodeId) {
                return membership.get(Integer.toString(nodeId));
            }

            @Override
            public boolean replicaReady(long keySpaceId, int partition) {
                return replica.caughtUpOnce(new ReplicaStore.PartitionRef(keySpaceId, partition));
            }

            @Override
            public long silentForMs(int nodeId) {
                return DynalogNode.this.silentForMs(nodeId);
            }

            @Override
            public CompletableFuture<Void> drainSelf(boolean draining) {
                return startedAnnouncer().drain(draining);
            }

            @Override
            public CompletableFuture<Void> forget(int nodeId) {
                return startedAnnouncer().forget(nodeId);
            }
        };
        DynamoApi api = new DynamoApi(new DynamoApi.Settings(config.topicPrefix(), config.defaultPartitions(), config.region()),
                catalogReplica, new CatalogWriter(ingest, catalogPlacement), ingest, store, this::liveMembers, cluster, own(new Forwarder(vertx, Duration.ofMillis(Operations.FORWARD_TIMEOUT_MS), nodeToken)),
                ownExecutor(Executors.newFixedThreadPool(PAGE_READ_THREADS, named("page-reads"))),
                own(new KafkaChangeLog(KafkaClients.changeLogConsumer(config))),
                ownExecutor(Executors.newFixedThreadPool(STREAM_READ_THREADS, named("stream-reads"))), Time.SYSTEM);

        TableLifecycle lifecycle = own(new TableLifecycle(config.nodeId(), topics, replica, ingest, api.catalogChanges()::markActive,
                name -> CatalogTable.NAME.equals(name) ? catalogPlacement.known() : catalogReplica.table(name)));
        lifecycle.useGlobalIndexes(own(new GlobalIndexes(config.nodeId(), KafkaClients.streams(config), config.topicPrefix(),
                config.dataDir().resolve("streams"), admin, api.catalogChanges()::markIndexActive)));
        lifecycle.useChangeStreams(own(new ChangeStreams(KafkaClients.streams(config), config.topicPrefix(),
                config.dataDir().resolve("change-streams"), admin, topics, config.pointInTimeWindowMs(), catalogReplica::table)));
        catalogReplica.addListener(lifecycle::onChange);
        // The first proposal is the catalog's placement: its members join its group like a table's.
        // Later, each newer configuration of its group: its members join or leave like a table partition's.
        catalogPlacement.onChanges(lifecycle::onChange);
        catalogProposals.addListener((previous, proposal) -> {
            if (proposal != null) catalogPlacement.onProposal(proposal);
        });

        replica.start();
        awaitLoaded(catalogProposals.start(), placementTopic);
        catalogPlacement.loaded();
        awaitLoaded(catalogReplica.start(), catalogTopic);
        legacyCatalog = new LegacyCatalog(admin, config.topicPrefix(), () -> KafkaClients.assignedConsumer(config, "legacy-catalog"));
        List<TableDescriptor> earlierTables = legacyCatalog.tables(); // their rows are kept until they are brought in
        this.producer = producer;
        lifecycle.dropLeftovers(store, () -> {
            Set<Long> live = new HashSet<>();
            for (TableDescriptor t : catalogReplica.tables()) {
                live.add(t.tableId());
                t.indexes().forEach(i -> live.add(i.indexId()));
            }
            live.add(CatalogTable.TABLE_ID);
            earlierTables.forEach(t -> live.add(t.tableId()));
            return live;
        });
        this.catalog = catalogReplica;
        this.api = api;
        if (!lifecycle.awaitServed(TABLES_SERVED_TIMEOUT_MS)) {
            log.warn("not every table is served after {} ms; serving the API anyway (those tables answer with retryable errors)",
                    TABLES_SERVED_TIMEOUT_MS);
        }

        HttpClient statusHttp = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(STATUS_TIMEOUT_MS)).build();
        StatusEndpoints status = new StatusEndpoints(config.nodeId(), config.zone(), runtime::statuses,
                tableId -> tableName(catalogReplica, tableId),
                (tableId, partition) -> replica.appliedSlot(new ReplicaStore.PartitionRef(tableId, partition)),
                () -> indexReplicasHere(catalogReplica), membership::values, statusHttp, STATUS_TIMEOUT_MS);
        NodeAdminEndpoints nodeAdmin = new NodeAdminEndpoints(cluster, statusHttp, STATUS_TIMEOUT_MS, NODE_SILENCE_LIMIT_MS);
        server = new DynamoHttpServer(vertx, DynamoHttpServer.Settings.defaults(config.apiPort()).withNodeToken(nodeToken),
                api.operations(), status.routes(), nodeAdmin.actions());
        apiPort = server.start().join();
        closeOrder.push(server::close);
        ScheduledExecutorService upkeep = (ScheduledExecutorService) ownExecutor(
                Executors.newSingleThreadScheduledExecutor(named("cluster-upkeep")));
        ControlRounds.start(upkeep, runtime, new Rereplication.Catalog() {
            /** The groups the control plane looks after: every table's partitions, and the catalog's. */
            @Override
            public java.util.Collection<TableDescriptor> tables() {
                List<TableDescriptor> tables = new java.util.ArrayList<>(catalogReplica.tables());
                TableDescriptor catalog = catalogPlacement.known();
                if (catalog != null) tables.add(catalog);
                return tables;
            }

            @Override
            public CompletableFuture<Void> recordConfiguration(TableDescriptor table, int partition, Configuration configuration) {
                return CatalogTable.isCatalog(table) ? catalogPlacement.recordConfiguration(configuration)
                        : api.catalogChanges().recordConfiguration(table, partition, configuration);
            }

            @Override
            public CompletableFuture<Void> moveIndexReplicas(TableDescriptor table, io.dynalog.topology.model.IndexDescriptor index,
                                                             int partition, List<Integer> expected, List<Integer> next) {
                return api.catalogChanges().moveIndexReplicas(table, index, partition, expected, next);
            }
        }, this::nodeSilences, this::drainingNodes, new ReplicaRepair.Settings(REPLICATION_FACTOR, config.replaceAfterMs(),
                Math.min(NODE_SILENCE_LIMIT_MS, config.replaceAfterMs()), LEARNER_PATIENCE_MS));
        // Last started, first closed: the intake stops taking requests before anything it uses.
        own(KafkaWritePath.start(config, topics, api.kafkaCommands(), store, System::currentTimeMillis));
        NodeAnnouncer self = new NodeAnnouncer(producer, nodesTopic, membership,
                new NodeInfo(config.nodeId(), config.zone(), config.host(), apiPort, config.host(), transport.port()));
        self.announceAndWait();
        announcer = self;
        upkeep.scheduleWithFixedDelay(self::announceAgain, ANNOUNCE_INTERVAL_MS, ANNOUNCE_INTERVAL_MS, TimeUnit.MILLISECONDS);
        log.info("node {} in zone {} serves the DynamoDB API on port {} (Kafka {}, data {}) after {} ms",
                config.nodeId(), config.zone(), apiPort, config.kafkaBootstrapServers(), config.dataDir(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNs));
    }

    /** How many global index partitions the catalog places on this node. */
    private int indexReplicasHere(CatalogReplica catalog) {
        int held = 0;
        for (TableDescriptor t : catalog.tables()) {
            for (io.dynalog.topology.model.IndexDescriptor index : t.globalIndexes()) {
                for (int p = 0; p < index.partitionCount(); p++) {
                    if (index.replicasOf(p).contains(config.nodeId())) held++;
                }
            }
        }
        return held;
    }

    /** The name of a table by id for the status endpoints, or null when the catalog does not know it. */
    private static String tableName(CatalogReplica catalog, long tableId) {
        if (tableId == CatalogTable.TABLE_ID) return "(catalog)";
        for (TableDescriptor t : catalog.tables()) {
            if (t.tableId() == tableId) return t.name();
        }
        return null;
    }

    /** Waits for a view to read its topic to the end; a topic it cannot read fails the start, loudly. */
    private static void awaitLoaded(CompletableFuture<Void> loaded, String topic) {
        try {
            loaded.get(VIEW_LOAD_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not read " + topic + " in " + VIEW_LOAD_TIMEOUT_MS
                    + " ms (the errors logged above say why); the node does not start without it", e);
        }
    }

    private static final long VIEW_LOAD_TIMEOUT_MS = 60_000;

    /**
     * The token nodes present to set node-only request members: derived from the Kafka cluster's
     * id and the topic prefix, which every node of the cluster can learn from Kafka and a client of
     * the DynamoDB API cannot.
     */
    private static String nodeToken(Admin admin, String topicPrefix) {
        try {
            String clusterId = admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((clusterId + "/" + topicPrefix).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (Exception e) {
            throw new IllegalStateException("cannot learn the Kafka cluster's id", e);
        }
    }

    /**
     * Brings the tables of an earlier version's catalog (if this cluster's Kafka has one) into the
     * catalog. To be called once the cluster's nodes have started: the first catalog change
     * places the catalog over the nodes known then.
     */
    public CompletableFuture<Void> bringInEarlierCatalog() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                legacyCatalog.bringInto(catalog::table, api.catalogChanges()::importTable, producer);
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "earlier-catalog");
        t.setDaemon(true);
        t.start();
        return done;
    }

    /** The nodes holding the catalog's replicas, preferred leader first; empty until the catalog is placed. */
    public java.util.List<Integer> catalogReplicas() {
        TableDescriptor catalog = catalogPlacement == null ? null : catalogPlacement.known();
        return catalog == null ? java.util.List.of() : catalog.replicasOf(CatalogTable.PARTITION);
    }

    /** True while this node leads the catalog's replica group. */
    public boolean leadsCatalog() {
        return ingest != null && ingest.serves(CatalogTable.TABLE_ID, CatalogTable.PARTITION);
    }

    /**
     * The nodes new replicas may go to: those heard from within {@link #NODE_SILENCE_LIMIT_MS}
     * (this node always) and not draining.
     */
    public List<NodeInfo> liveMembers() {
        List<NodeInfo> live = new java.util.ArrayList<>();
        for (NodeInfo n : membership.values()) {
            if (silentForMs(n.nodeId()) <= NODE_SILENCE_LIMIT_MS && !isDraining(n)) live.add(n);
        }
        return live;
    }

    /** Every node this node knows of, with how long since it was last heard from and whether it is draining. */
    private List<ReplicaRepair.Node> nodeSilences() {
        List<ReplicaRepair.Node> nodes = new java.util.ArrayList<>();
        for (NodeInfo n : membership.values()) {
            nodes.add(new ReplicaRepair.Node(n.nodeId(), n.zone(), silentForMs(n.nodeId()), isDraining(n)));
        }
        return nodes;
    }

    /** How long since node {@code nodeId} was last heard from (by its announcements' times); this node: never silent. */
    private long silentForMs(int nodeId) {
        if (nodeId == config.nodeId()) return 0;
        long heardAtMs = membership.timestampMs(Integer.toString(nodeId));
        return heardAtMs == Long.MIN_VALUE ? Long.MAX_VALUE : Math.max(0, System.currentTimeMillis() - heardAtMs);
    }

    /** A node is draining as its record says; this node as it knows itself (its record may lag). */
    private boolean isDraining(NodeInfo n) {
        NodeAnnouncer self = announcer;
        return n.nodeId() == config.nodeId() && self != null ? self.draining() : n.draining();
    }

    private java.util.Set<Integer> drainingNodes() {
        java.util.Set<Integer> draining = new java.util.HashSet<>();
        for (NodeInfo n : membership.values()) {
            if (isDraining(n)) draining.add(n.nodeId());
        }
        return draining;
    }

    private NodeAnnouncer startedAnnouncer() {
        NodeAnnouncer self = announcer;
        if (self == null) throw new io.dynalog.api.http.AdminException(503, "node " + config.nodeId() + " is still starting");
        return self;
    }

    /** The nodes this node knows of (itself included), as they announced themselves. */
    public java.util.List<NodeInfo> members() {
        return membership == null ? java.util.List.of() : membership.values();
    }

    /** How many nodes this node knows of (itself included). */
    public int knownNodes() {
        return membership == null ? 0 : membership.values().size();
    }

    public int apiPort() {
        return apiPort;
    }

    public NodeConfig config() {
        return config;
    }

    private <T extends AutoCloseable> T own(T resource) {
        closeOrder.push(resource);
        return resource;
    }

    private ExecutorService ownExecutor(ExecutorService executor) {
        closeOrder.push(() -> {
            executor.shutdown();
            executor.awaitTermination(5, TimeUnit.SECONDS);
        });
        return executor;
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public synchronized void close() {
        while (!closeOrder.isEmpty()) {
            AutoCloseable c = closeOrder.pop();
            try {
                c.close();
            } catch (Exception e) {
                log.warn("error while closing {}", c, e);
            }
        }
    }
}
