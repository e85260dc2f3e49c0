package io.dynalog.api;

import io.dynalog.api.http.Operation;
import io.dynalog.api.ops.BatchOps;
import io.dynalog.api.ops.Failures;
import io.dynalog.api.ops.ItemOps;
import io.dynalog.api.ops.ReadOps;
import io.dynalog.api.ops.TableOps;
import io.dynalog.ingest.CatalogLeader;
import io.dynalog.ingest.WritePath;
import io.dynalog.replica.CatalogReplica;
import io.dynalog.replica.ReplicaStore;
import io.dynalog.topology.placement.NodeInfo;
import java.util.Collection;
import java.util.Map;
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

    /** @param members the cluster's nodes, for placing new tables' partitions */
    public DynamoApi(Settings settings, CatalogReplica catalog, CatalogLeader catalogLeader,
                     WritePath writePath, ReplicaStore store, Supplier<Collection<NodeInfo>> members) {
        TableOps tables = new TableOps(catalog, catalogLeader, store, settings.topicPrefix(),
                settings.defaultPartitions(), settings.region(), members);
        ItemOps items = new ItemOps(tables, writePath, store);
        BatchOps batches = new BatchOps(tables, items);
        ReadOps reads = new ReadOps(tables, writePath, store);
        operations.put("CreateTable", tables::createTable);
        operations.put("DescribeTable", tables::describeTable);
        operations.put("ListTables", tables::listTables);
        operations.put("DeleteTable", tables::deleteTable);
        operations.put("PutItem", items::putItem);
        operations.put("GetItem", items::getItem);
        operations.put("DeleteItem", items::deleteItem);
        operations.put("BatchWriteItem", batches::batchWriteItem);
        operations.put("BatchGetItem", batches::batchGetItem);
        operations.put("Query", reads::query);
        operations.put("Scan", reads::scan);
    }

    /** Every operation, its failures mapped to DynamoDB errors. */
    public Map<String, Operation> operations() {
        Map<String, Operation> guarded = new TreeMap<>();
        operations.forEach((name, op) -> guarded.put(name, Failures.guarded(op)));
        return guarded;
    }
}
