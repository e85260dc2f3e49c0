package io.dynalog.api.ops;

import io.dynalog.api.DynamoApi;
import io.dynalog.api.http.Operation;
import io.dynalog.api.route.Cluster;
import io.dynalog.api.route.Forwarder;
import io.dynalog.ingest.CatalogWriter;
import io.dynalog.ingest.WritePath;
import io.dynalog.replica.CatalogReplica;
import io.dynalog.replica.ReplicaStore;
import io.dynalog.topology.placement.NodeInfo;
import io.dynalog.topology.time.Time;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/** Builds the operation handlers and registers them by their X-Amz-Target name. */
public final class Operations {
    /** How long a forwarded request may take: the longest a write waits inside, and some. */
    public static final long FORWARD_TIMEOUT_MS = Futures.WRITE_WAIT_MS + 2_000;

    private final TableOps tables;
    private final ItemOps items;
    private final BatchOps batches;
    private final ReadOps reads;
    private final StreamOps streams;

    public Operations(DynamoApi.Settings settings, CatalogReplica catalog, CatalogWriter catalogWriter,
                      WritePath writePath, ReplicaStore store, Supplier<Collection<NodeInfo>> members, Cluster cluster,
                      Forwarder forwarder, Executor pageReads, ChangeLog changeLog, Executor streamReads, Time time) {
        Futures futures = new Futures(time);
        Router router = new Router(cluster, forwarder, time);
        tables = new TableOps(catalog, catalogWriter, router, store, settings.topicPrefix(), settings.defaultPartitions(),
                settings.region(), members, futures, time);
        items = new ItemOps(tables, writePath, store, router, futures);
        batches = new BatchOps(tables, items);
        reads = new ReadOps(tables, writePath, store, router, pageReads, futures);
        streams = new StreamOps(catalog, changeLog, settings.region(), streamReads, time);
    }

    /** The catalog changes this node makes on its own behalf, at the catalog's leader. */
    public CatalogChanges catalogChanges() {
        return tables;
    }

    /** The Kafka write path's commands, run as this node's HTTP API runs the same requests. */
    public io.dynalog.ingest.intake.CommandExecutor kafkaCommands() {
        return new KafkaCommands(items::putItem, items::updateItem, items::deleteItem, batches::batchWriteItem);
    }

    public void register(Map<String, Operation> operations) {
        operations.put("CreateTable", tables::createTable);
        operations.put("DescribeTable", tables::describeTable);
        operations.put("ListTables", Operation.nonBlocking(tables::listTables));
        operations.put("DeleteTable", tables::deleteTable);
        operations.put("UpdateTable", tables::updateTable);
        operations.put(TableOps.INDEX_SERVED_OPERATION, tables::indexServedOperation);
        operations.put(TableOps.TABLE_SERVED_OPERATION, tables::tableServed);
        operations.put(TableOps.IMPORT_TABLE_OPERATION, tables::importedTable);
        operations.put(TableOps.GROUP_CONFIGURATION_OPERATION, tables::configurationChosenOperation);
        operations.put(TableOps.INDEX_REPLICAS_OPERATION, tables::indexReplicasOperation);
        operations.put("PutItem", Operation.nonBlocking(items::putItem));
        operations.put("GetItem", Operation.nonBlocking(items::getItem));
        operations.put("DeleteItem", Operation.nonBlocking(items::deleteItem));
        operations.put("UpdateItem", Operation.nonBlocking(items::updateItem));
        operations.put("BatchWriteItem", batches::batchWriteItem);
        operations.put("BatchGetItem", batches::batchGetItem);
        operations.put("Query", reads::query);
        operations.put("Scan", reads::scan);
        operations.put(StreamOps.TARGET_PREFIX + "ListStreams", streams::listStreams);
        operations.put(StreamOps.TARGET_PREFIX + "DescribeStream", streams::describeStream);
        operations.put(StreamOps.TARGET_PREFIX + "GetShardIterator", streams::getShardIterator);
        operations.put(StreamOps.TARGET_PREFIX + "GetRecords", streams::getRecords);
    }
}
