package io.dynalog.api;

import io.dynalog.api.http.Operation;
import io.dynalog.api.ops.ChangeLog;
import io.dynalog.api.ops.Failures;
import io.dynalog.api.ops.Operations;
import io.dynalog.api.route.Cluster;
import io.dynalog.api.route.Forwarder;
import io.dynalog.ingest.CatalogWriter;
import io.dynalog.ingest.WritePath;
import io.dynalog.replica.CatalogReplica;
import io.dynalog.replica.ReplicaStore;
import io.dynalog.topology.time.Time;
import io.dynalog.topology.placement.NodeInfo;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.TreeMap;

/** The DynamoDB operations this node serves, by the name in {@code X-Amz-Target}. */
public final class DynamoApi {

    /**
     * @param topicPrefix the prefix of the cluster's Kafka topics
     * @param defaultPartitions partitions of a new table
     * @param region the region reported in ARNs
     */
    public record Settings(String topicPrefix, int defaultPartitions, String region) {}

    private final Map<String, Operation> operations = new TreeMap<>();

    /**
     * @param members the cluster's nodes, for placing new tables' partitions
     * @param cluster the nodes requests may be forwarded to
     * @param forwarder sends requests on to other nodes
     * @param pageReads runs the reads of Query and Scan pages (RocksDB iteration, off the event loop)
     */
    public DynamoApi(Settings settings, CatalogReplica catalog, CatalogWriter catalogWriter,
                     WritePath writePath, ReplicaStore store, Supplier<Collection<NodeInfo>> members, Cluster cluster,
                     Forwarder forwarder, Executor pageReads, ChangeLog changeLog, Executor streamReads, Time time) {
        Operations ops = new Operations(settings, catalog, catalogWriter, writePath, store, members, cluster,
                forwarder, pageReads, changeLog, streamReads, time);
        ops.register(operations);
        this.ops = ops;
    }

    private final Operations ops;

    /** The catalog changes this node makes on its own behalf, at the catalog's leader. */
    public io.dynalog.api.ops.CatalogChanges catalogChanges() {
        return ops.catalogChanges();
    }

    /** Runs the Kafka write path's commands as this API runs the same requests. */
    public io.dynalog.ingest.intake.CommandExecutor kafkaCommands() {
        return ops.kafkaCommands();
    }

    /** Every operation, its failures mapped to DynamoDB errors. */
    public Map<String, Operation> operations() {
        Map<String, Operation> guarded = new TreeMap<>();
        operations.forEach((name, op) -> guarded.put(name, Failures.guarded(op)));
        return guarded;
    }
}
