package io.dynalog.api.ops;

import io.dynalog.topology.time.Time;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.json.AttributeValues;
import io.dynalog.api.json.Params;
import io.dynalog.api.json.ValidationErrors;
import io.dynalog.replica.CatalogReplica;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStream;
import io.dynalog.topology.wal.ChangeRecord;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The DynamoDB Streams API (ListStreams, DescribeStream, GetShardIterator, GetRecords) over the
 * change streams' topics, on the same port as the DynamoDB API.
 *
 * <p>A stream is named by its ARN (the table's, then its label); its shards are the partitions of
 * its topic, one per table partition, named {@code shardId-<creation ms>-<partition, 8 hex digits>}.
 * A shard iterator is an opaque text holding the table, the stream incarnation, the partition and
 * the offset to read next. Reads go through {@link ChangeLog} on a worker pool: Kafka calls block.
 */
final class StreamOps {
    /** The X-Amz-Target prefix of DynamoDB Streams operations. */
    static final String TARGET_PREFIX = "DynamoDBStreams_20120810.";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String ITERATOR_VERSION = "1";
    private static final int MAX_RECORDS_PER_CALL = 1000;
    /** Records read per step while looking for a sequence number. */
    private static final int SEEK_BATCH_RECORDS = 500;
    /** How long after a stream is disabled its shards may still receive changes chosen before. */
    static final long SHARD_CLOSE_AFTER_DISABLE_MS = 60_000;

    private final CatalogReplica catalog;
    private final ChangeLog changes;
    private final String region;
    private final Executor reads;

    private final Time time;

    StreamOps(CatalogReplica catalog, ChangeLog changes, String region, Executor reads, Time time) {
        this.time = time;
        this.catalog = catalog;
        this.changes = changes;
        this.region = region;
        this.reads = reads;
    }

    CompletableFuture<ObjectNode> listStreams(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        String tableName = Params.optionalTableName(request, "TableName", errors);
        Integer limit = Params.optionalInteger(request, "Limit", 1, 100, errors);
        String start = Params.optionalString(request, "ExclusiveStartStreamArn", errors);
        errors.throwIfAny();
        ObjectNode response = JSON.objectNode();
        ArrayNode list = response.putArray("Streams");
        int max = limit == null ? 100 : limit;
        String last = null;
        boolean started = start == null;
        for (TableDescriptor t : catalog.tables()) {
            if (t.stream() == null || (tableName != null && !tableName.equals(t.name()))) continue;
            String arn = TableDescriptions.streamArn(region, t.name(), t.stream());
            if (!started) {
                started = arn.equals(start);
                continue;
            }
            if (list.size() == max) {
                response.put("LastEvaluatedStreamArn", last);
                break;
            }
            list.addObject().put("StreamArn", arn).put("TableName", t.name()).put("StreamLabel", t.stream().label());
            last = arn;
        }
        return CompletableFuture.completedFuture(response);
    }

    CompletableFuture<ObjectNode> describeStream(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        String arn = Params.requiredString(request, "StreamArn", errors);
        Integer limit = Params.optionalInteger(request, "Limit", 1, 100, errors);
        String startShard = Params.optionalString(request, "ExclusiveStartShardId", errors);
        errors.throwIfAny();
        TableDescriptor table = tableOfStream(arn);
        TableStream stream = table.stream();
        ObjectNode response = JSON.objectNode();
        ObjectNode d = response.putObject("StreamDescription");
        d.put("StreamArn", arn);
        d.put("StreamLabel", stream.label());
        d.put("StreamStatus", stream.enabled() ? "ENABLED" : "DISABLED");
        d.put("StreamViewType", stream.viewType().name());
        d.put("CreationRequestDateTime", BigDecimal.valueOf(stream.createdAtMs(), 3));
        d.put("TableName", table.name());
        TableDescriptions.putKeySchema(d, table.keySchema());
        ArrayNode shards = d.putArray("Shards");
        int first = startShard == null ? 0 : partitionOf(table, startShard) + 1;
        int last = Math.min(table.partitionCount(), first + (limit == null ? 100 : limit));
        for (int p = first; p < last; p++) {
            ObjectNode shard = shards.addObject();
            shard.put("ShardId", shardId(stream, p));
            shard.putObject("SequenceNumberRange").put("StartingSequenceNumber", ChangeRecord.sequenceNumber(stream.createdAtMs(), 0));
        }
        if (last < table.partitionCount()) d.put("LastEvaluatedShardId", shardId(stream, last - 1));
        return CompletableFuture.completedFuture(response);
    }

    CompletableFuture<ObjectNode> getShardIterator(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        String arn = Params.requiredString(request, "StreamArn", errors);
        String shardId = Params.requiredString(request, "ShardId", errors);
        IteratorType type = Params.requiredEnum(request, "ShardIteratorType", IteratorType.class, errors);
        String sequenceNumber = Params.optionalString(request, "SequenceNumber", errors);
        errors.throwIfAny();
        TableDescriptor table = tableOfStream(arn);
        TableStream stream = table.stream();
        int partition = partitionOf(table, shardId);
        boolean bySequence = type == IteratorType.AT_SEQUENCE_NUMBER || type == IteratorType.AFTER_SEQUENCE_NUMBER;
        if (bySequence && (sequenceNumber == null || !sequenceNumber.matches("[0-9]{1,40}"))) {
            throw ApiException.validation("Invalid SequenceNumber for ShardIteratorType " + type + ": " + sequenceNumber);
        }
        if (!bySequence && sequenceNumber != null) {
            throw ApiException.validation("Invalid Request: Sequence number must be null for iterator type " + type);
        }
        return CompletableFuture.supplyAsync(() -> {
            long offset = switch (type) {
                case TRIM_HORIZON -> changes.offsets(stream.topic(), partition).firstOffset();
                case LATEST -> changes.offsets(stream.topic(), partition).endOffset();
                case AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER ->
                        offsetOf(stream, partition, sequenceNumber, type == IteratorType.AFTER_SEQUENCE_NUMBER);
            };
            ObjectNode response = JSON.objectNode();
            response.put("ShardIterator", iterator(table, partition, offset));
            return response;
        }, reads);
    }

    CompletableFuture<ObjectNode> getRecords(ObjectNode request) {
        ValidationErrors errors = new ValidationErrors();
        String text = Params.requiredString(request, "ShardIterator", errors);
        Integer limit = Params.optionalInteger(request, "Limit", 1, MAX_RECORDS_PER_CALL, errors);
        errors.throwIfAny();
        Position at = position(text);
        TableDescriptor table = catalog.table(at.tableName());
        if (table == null || table.stream() == null || table.stream().streamId() != at.streamId()) {
            throw ApiException.resourceNotFound("Requested resource not found: Stream not found");
        }
        if (at.partition() < 0 || at.partition() >= table.partitionCount() || at.offset() < 0) {
            throw ApiException.validation("Invalid ShardIterator: no such position in the stream");
        }
        TableStream stream = table.stream();
        int max = limit == null ? MAX_RECORDS_PER_CALL : limit;
        return CompletableFuture.supplyAsync(() -> {
            ChangeLog.Range range = changes.offsets(stream.topic(), at.partition());
            if (at.offset() < range.firstOffset()) throw trimmed();
            ChangeLog.Batch batch;
            try {
                batch = changes.read(stream.topic(), at.partition(), at.offset(), max);
            } catch (ChangeLog.Trimmed e) {
                throw trimmed();
            }
            ObjectNode response = JSON.objectNode();
            ArrayNode records = response.putArray("Records");
            for (ChangeLog.Entry e : batch.entries()) records.add(record(e.change()));
            // A disabled stream's shards close once read to the end, after the derivations have had
            // time to pass the moment it was disabled (changes chosen before it may still come).
            boolean closed = !stream.enabled() && batch.entries().isEmpty() && batch.nextOffset() >= range.endOffset()
                    && time.wallClockMs() - stream.disabledAtMs() > SHARD_CLOSE_AFTER_DISABLE_MS;
            if (!closed) response.put("NextShardIterator", iterator(table, at.partition(), batch.nextOffset()));
            return response;
        }, reads);
    }

    private ObjectNode record(ChangeRecord c) {
        ObjectNode r = JSON.objectNode();
        String identity = c.streamId() + "/" + c.partition() + "/" + c.slot();
        r.put("eventID", UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)).toString());
        r.put("eventName", c.eventName().name());
        r.put("eventVersion", "1.1");
        r.put("eventSource", "aws:dynamodb");
        r.put("awsRegion", region);
        ObjectNode d = r.putObject("dynamodb");
        // DynamoDB gives the time rounded down to the second.
        d.put("ApproximateCreationDateTime", BigDecimal.valueOf(c.approximateCreationTimeMs() / 1000));
        d.set("Keys", AttributeValues.itemNode(c.keys()));
        if (c.newImage() != null) d.set("NewImage", AttributeValues.itemNode(c.newImage()));
        if (c.oldImage() != null) d.set("OldImage", AttributeValues.itemNode(c.oldImage()));
        d.put("SequenceNumber", c.sequenceNumber());
        d.put("SizeBytes", c.sizeBytes());
        d.put("StreamViewType", c.viewType().name());
        return r;
    }

    /** The offset of the first record at (or after) a sequence number, through the time index and then record by record. */
    private long offsetOf(TableStream stream, int partition, String sequenceNumber, boolean after) {
        BigInteger wanted = new BigInteger(sequenceNumber);
        long ms = wanted.divide(BigInteger.valueOf(ChangeRecord.SEQUENCES_PER_MS)).min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
        ChangeLog.Range range = changes.offsets(stream.topic(), partition);
        long offset = Math.max(range.firstOffset(), changes.offsetAtOrAfter(stream.topic(), partition, ms));
        boolean first = offset == range.firstOffset();
        try {
            while (offset < range.endOffset()) {
                ChangeLog.Batch batch = changes.read(stream.topic(), partition, offset, SEEK_BATCH_RECORDS);
                if (batch.entries().isEmpty()) break;
                for (ChangeLog.Entry e : batch.entries()) {
                    int order = new BigInteger(e.change().sequenceNumber()).compareTo(wanted);
                    // Records before the oldest one held were trimmed: the one asked for may have been among them.
                    if (first && range.firstOffset() > 0 && order > 0) throw trimmed();
                    first = false;
                    if (order > 0 || (order == 0 && !after)) return e.offset();
                }
                offset = batch.nextOffset();
            }
        } catch (ChangeLog.Trimmed e) {
            throw trimmed();
        }
        return range.endOffset();
    }

    private TableDescriptor tableOfStream(String arn) {
        String marker = "/stream/";
        int at = arn.lastIndexOf(marker);
        String tablePrefix = "arn:aws:dynamodb:" + region + ":000000000000:table/";
        if (at < 0 || !arn.startsWith(tablePrefix)) {
            throw ApiException.validation("Invalid StreamArn: " + arn);
        }
        String tableName = arn.substring(tablePrefix.length(), at);
        String label = arn.substring(at + marker.length());
        TableDescriptor table = catalog.table(tableName);
        if (table == null || table.stream() == null || !table.stream().label().equals(label)) {
            throw ApiException.resourceNotFound("Requested resource not found: Stream: " + arn + " not found");
        }
        return table;
    }

    private static ApiException trimmed() {
        return ApiException.trimmedDataAccess("The operation attempted to read past the oldest stream record in a shard");
    }

    static String shardId(TableStream stream, int partition) {
        return String.format("shardId-%020d-%08x", stream.createdAtMs(), partition);
    }

    /** The partition a shard id of the table's stream names. */
    private static int partitionOf(TableDescriptor table, String shardId) {
        String prefix = String.format("shardId-%020d-", table.stream().createdAtMs());
        if (shardId.startsWith(prefix) && shardId.length() == prefix.length() + 8) {
            try {
                long partition = Long.parseLong(shardId.substring(prefix.length()), 16);
                if (partition >= 0 && partition < table.partitionCount()) return (int) partition;
            } catch (NumberFormatException e) {
                // not a shard of this stream
            }
        }
        throw ApiException.resourceNotFound("Requested resource not found: Shard does not exist");
    }

    private record Position(String tableName, long streamId, int partition, long offset) {}

    private static String iterator(TableDescriptor table, int partition, long offset) {
        String text = String.join("|", ITERATOR_VERSION, Long.toHexString(table.stream().streamId()), Integer.toString(partition),
                Long.toString(offset), table.name());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Position position(String iterator) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(iterator), StandardCharsets.UTF_8).split("\\|", 5);
            if (parts.length != 5 || !parts[0].equals(ITERATOR_VERSION)) throw new IllegalArgumentException("unknown iterator version");
            return new Position(parts[4], Long.parseUnsignedLong(parts[1], 16), Integer.parseInt(parts[2]), Long.parseLong(parts[3]));
        } catch (IllegalArgumentException e) {
            throw ApiException.validation("Invalid ShardIterator: " + e.getMessage());
        }
    }

    /** DynamoDB Streams' ShardIteratorType, in the order its messages list it. */
    private enum IteratorType { TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER }
}
