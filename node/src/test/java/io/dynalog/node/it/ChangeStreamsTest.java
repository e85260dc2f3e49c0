package io.dynalog.node.it;

import static io.dynalog.node.it.Values.n;
import static io.dynalog.node.it.Values.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Change streams through the AWS SDK: StreamSpecification on CreateTable and UpdateTable,
 * DescribeTable's LatestStreamArn and LatestStreamLabel, and the DynamoDB Streams API read with
 * the SDK's DynamoDbStreamsClient against the same port.
 */
class ChangeStreamsTest {
    static TestNode node;
    static DynamoDbStreamsClient streams;

    @BeforeAll
    static void start() {
        node = TestNode.start(2);
        streams = DynamoDbStreamsClient.builder().endpointOverride(URI.create("http://localhost:" + node.port()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("dynalog", "secret"))).build();
    }

    @AfterAll
    static void stop() {
        streams.close();
        node.close();
    }

    static void createStreamedTable(String name, StreamViewType viewType) {
        node.client.createTable(r -> r.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(SecondaryIndexesTest.key("pk", KeyType.HASH))
                .attributeDefinitions(SecondaryIndexesTest.def("pk", ScalarAttributeType.S))
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(viewType)));
        node.awaitActive(name);
    }

    /** Every record of the stream, shard by shard, from TRIM_HORIZON, waiting until {@code expected} have come. */
    static List<Record> readAll(String streamArn, int expected) {
        List<Record> all = new ArrayList<>();
        try {
            awaitRecords(streamArn, expected, all);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.println("the stream had " + all.size() + " of " + expected + " records after 30 s:");
            all.forEach(r -> System.out.println("  " + r));
            printKafkaState();
            throw e;
        }
        return all;
    }

    /**
     * For a failure that came once in CI (1 run of 4) and never since: the offsets of the WAL and
     * change topics, read committed and not (an open transaction holds the first back), and what
     * the stream threads are doing.
     */
    static void printKafkaState() {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", io.dynalog.node.kafka.SharedTestKafka.bootstrapServers()))) {
            List<org.apache.kafka.common.TopicPartition> partitions = new ArrayList<>();
            for (var d : admin.describeTopics(admin.listTopics().names().get().stream()
                    .filter(t -> t.contains(".wal.") || t.contains(".changes.")).toList()).allTopicNames().get().values()) {
                d.partitions().forEach(p -> partitions.add(new org.apache.kafka.common.TopicPartition(d.name(), p.partition())));
            }
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
            partitions.forEach(tp -> latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
            var uncommitted = admin.listOffsets(latest, new org.apache.kafka.clients.admin.ListOffsetsOptions(
                    org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED)).all().get();
            var committed = admin.listOffsets(latest, new org.apache.kafka.clients.admin.ListOffsetsOptions(
                    org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().get();
            for (var tp : partitions) {
                System.out.printf("  %s: end %d, last stable %d%n", tp, uncommitted.get(tp).offset(), committed.get(tp).offset());
            }
        } catch (Exception e) {
            System.out.println("  cannot read the topics' offsets: " + e);
        }
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (!t.getName().contains("StreamThread") && !t.getName().contains("GlobalStreamThread")) return;
            System.out.println("  thread " + t.getName() + " " + t.getState());
            for (int i = 0; i < Math.min(8, stack.length); i++) System.out.println("      at " + stack[i]);
        });
    }

    private static void awaitRecords(String streamArn, int expected, List<Record> all) {
        Awaitility.await("the stream's records").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            all.clear();
            DescribeStreamResponse d = streams.describeStream(r -> r.streamArn(streamArn));
            for (var shard : d.streamDescription().shards()) {
                String it = streams.getShardIterator(r -> r.streamArn(streamArn).shardId(shard.shardId())
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
                while (it != null) {
                    String current = it;
                    var page = streams.getRecords(r -> r.shardIterator(current));
                    all.addAll(page.records());
                    if (page.records().isEmpty()) break;
                    it = page.nextShardIterator();
                }
            }
            return all.size() >= expected;
        });
    }

    @Test
    void aStreamCarriesEveryChangeInOrderWithTheImagesItsViewTypeAsksFor() {
        createStreamedTable("Orders", StreamViewType.NEW_AND_OLD_IMAGES);
        TableDescription table = node.client.describeTable(r -> r.tableName("Orders")).table();
        assertThat(table.streamSpecification().streamEnabled()).isTrue();
        assertThat(table.streamSpecification().streamViewType()).isEqualTo(StreamViewType.NEW_AND_OLD_IMAGES);
        String arn = table.latestStreamArn();
        assertThat(arn).isEqualTo(table.tableArn() + "/stream/" + table.latestStreamLabel());

        node.client.putItem(r -> r.tableName("Orders").item(Map.of("pk", s("a"), "v", n("1"))));
        node.client.putItem(r -> r.tableName("Orders").item(Map.of("pk", s("a"), "v", n("1")))); // no change: no record
        node.client.updateItem(r -> r.tableName("Orders").key(Map.of("pk", s("a"))).updateExpression("SET v = :v")
                .expressionAttributeValues(Map.of(":v", n("2"))));
        node.client.putItem(r -> r.tableName("Orders").item(Map.of("pk", s("b"), "v", n("9"))));
        node.client.deleteItem(r -> r.tableName("Orders").key(Map.of("pk", s("a"))));

        List<Record> records = readAll(arn, 4);
        assertThat(records).hasSize(4);
        List<Record> ofA = records.stream().filter(r -> r.dynamodb().keys().equals(Map.of("pk", s("a")))).toList();
        assertThat(ofA).extracting(Record::eventName).containsExactly(OperationType.INSERT, OperationType.MODIFY, OperationType.REMOVE);
        assertThat(ofA.get(0).dynamodb().newImage()).isEqualTo(Map.of("pk", s("a"), "v", n("1")));
        assertThat(ofA.get(0).dynamodb().hasOldImage()).isFalse();
        assertThat(ofA.get(1).dynamodb().oldImage()).isEqualTo(Map.of("pk", s("a"), "v", n("1")));
        assertThat(ofA.get(1).dynamodb().newImage()).isEqualTo(Map.of("pk", s("a"), "v", n("2")));
        assertThat(ofA.get(2).dynamodb().oldImage()).isEqualTo(Map.of("pk", s("a"), "v", n("2")));
        assertThat(ofA.get(2).dynamodb().hasNewImage()).isFalse();
        assertThat(ofA).extracting(r -> r.dynamodb().sequenceNumber()).isSorted();
        assertThat(records).allSatisfy(r -> {
            assertThat(r.eventSource()).isEqualTo("aws:dynamodb");
            assertThat(r.dynamodb().streamViewType()).isEqualTo(StreamViewType.NEW_AND_OLD_IMAGES);
            assertThat(r.dynamodb().sizeBytes()).isPositive();
        });

        // AT and AFTER a sequence number, and LATEST, in the shard of "a".
        String shard = shardOf(arn, ofA.get(1));
        String seq = ofA.get(1).dynamodb().sequenceNumber();
        assertThat(firstRecord(arn, shard, ShardIteratorType.AT_SEQUENCE_NUMBER, seq).dynamodb().sequenceNumber()).isEqualTo(seq);
        assertThat(firstRecord(arn, shard, ShardIteratorType.AFTER_SEQUENCE_NUMBER, seq).eventName()).isEqualTo(OperationType.REMOVE);
        String latest = streams.getShardIterator(r -> r.streamArn(arn).shardId(shard).shardIteratorType(ShardIteratorType.LATEST)).shardIterator();
        assertThat(streams.getRecords(r -> r.shardIterator(latest)).records()).isEmpty();
    }

    /** The shard (of the stream's shards) whose records include this one. */
    static String shardOf(String arn, Record record) {
        for (var shard : streams.describeStream(r -> r.streamArn(arn)).streamDescription().shards()) {
            Record found = firstRecord(arn, shard.shardId(), ShardIteratorType.AT_SEQUENCE_NUMBER, record.dynamodb().sequenceNumber());
            if (found != null && found.eventID().equals(record.eventID())) return shard.shardId();
        }
        throw new AssertionError("no shard holds " + record);
    }

    static Record firstRecord(String arn, String shard, ShardIteratorType type, String sequenceNumber) {
        String it = streams.getShardIterator(r -> r.streamArn(arn).shardId(shard).shardIteratorType(type).sequenceNumber(sequenceNumber))
                .shardIterator();
        List<Record> records = streams.getRecords(r -> r.shardIterator(it)).records();
        return records.isEmpty() ? null : records.get(0);
    }

    @Test
    void updateTableDisablesAStreamAndEnablesANewOneWithDynamoDbsRules() {
        createStreamedTable("Events", StreamViewType.KEYS_ONLY);
        String first = node.client.describeTable(r -> r.tableName("Events")).table().latestStreamArn();
        node.client.putItem(r -> r.tableName("Events").item(Map.of("pk", s("k"), "secret", s("x"))));
        Record keysOnly = readAll(first, 1).get(0);
        assertThat(keysOnly.dynamodb().keys()).isEqualTo(Map.of("pk", s("k")));
        assertThat(keysOnly.dynamodb().hasNewImage()).isFalse();

        assertThatThrownBy(() -> node.client.updateTable(r -> r.tableName("Events")
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE))))
                .isInstanceOf(DynamoDbException.class).hasMessageContaining("Table already has an enabled stream");
        node.client.updateTable(r -> r.tableName("Events").streamSpecification(s -> s.streamEnabled(false)));
        TableDescription disabled = node.client.describeTable(r -> r.tableName("Events")).table();
        assertThat(disabled.streamSpecification()).isNull();
        assertThat(disabled.latestStreamArn()).isEqualTo(first);
        assertThat(streams.describeStream(r -> r.streamArn(first)).streamDescription().streamStatus()).isEqualTo(StreamStatus.DISABLED);
        assertThatThrownBy(() -> node.client.updateTable(r -> r.tableName("Events").streamSpecification(s -> s.streamEnabled(false))))
                .isInstanceOf(DynamoDbException.class).hasMessageContaining("Table has no stream to disable");
        assertThatThrownBy(() -> node.client.updateTable(r -> r.tableName("Events").streamSpecification(s -> s.streamEnabled(true))))
                .isInstanceOf(DynamoDbException.class).hasMessageContaining("Stream ViewType must not be null or empty when enabling streams");

        node.client.updateTable(r -> r.tableName("Events").streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
        String second = node.client.describeTable(r -> r.tableName("Events")).table().latestStreamArn();
        assertThat(second).isNotEqualTo(first);
        node.client.putItem(r -> r.tableName("Events").item(Map.of("pk", s("k"), "secret", s("y"))));
        Record newImage = readAll(second, 1).get(0);
        assertThat(newImage.eventName()).isEqualTo(OperationType.MODIFY);
        assertThat(newImage.dynamodb().newImage()).isEqualTo(Map.of("pk", s("k"), "secret", s("y")));
        assertThat(streams.listStreams(r -> r.tableName("Events")).streams()).extracting(st -> st.streamArn()).containsExactly(second);
    }

    @Test
    void invalidRequestsGetDynamoDbErrors() {
        assertThatThrownBy(() -> node.client.createTable(r -> r.tableName("Bad").billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(SecondaryIndexesTest.key("pk", KeyType.HASH)).attributeDefinitions(SecondaryIndexesTest.def("pk", ScalarAttributeType.S))
                .streamSpecification(s -> s.streamEnabled(false).streamViewType(StreamViewType.NEW_IMAGE))))
                .isInstanceOf(DynamoDbException.class).hasMessageContaining("Stream StreamEnabled was false but a StreamViewType was present");
        assertThatThrownBy(() -> streams.describeStream(r -> r.streamArn(
                "arn:aws:dynamodb:local:000000000000:table/Nope/stream/2026-01-01T00:00:00.000")))
                .isInstanceOf(software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException.class);
        assertThatThrownBy(() -> streams.getRecords(r -> r.shardIterator("not-an-iterator")))
                .isInstanceOf(DynamoDbException.class).hasMessageContaining("Invalid ShardIterator");
    }
}
