package io.dynalog.node.it;

import static io.dynalog.node.it.Values.n;
import static io.dynalog.node.it.Values.s;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.node.kafka.SharedTestKafka;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Issue 6's test of the change stream's guarantee: a plain Kafka consumer, decoding with Avro
 * alone (the schema files the project ships), sees every change of every item exactly once and in
 * the item's order, while items are updated through random nodes of a 3-node cluster and one node
 * is stopped (its partitions fail over, its derivation tasks move) and started again.
 *
 * <p>Each write adds 1 to its item's counter, so an item's changes must carry the counter values
 * 1, 2, ... up to its final value, each once, in that order. A write whose outcome is unknown
 * (during the failover) is fine: the final value says whether it took effect.
 */
class ChangeStreamExactlyOnceTest {
    static final String TABLE = "Counters";
    static final int ITEMS = 12;
    static final int OPERATIONS = Integer.getInteger("dynalog.streams.operations", 300);
    static final long SEED = Long.getLong("dynalog.streams.seed", 3L);

    final TestCluster cluster = new TestCluster();

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void everyChangeOnceInItemOrderAcrossAFailoverAndARestart() throws Exception {
        cluster.start("cs", 3, 3);
        cluster.clients.get(0).createTable(r -> r.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(SecondaryIndexesTest.key("pk", KeyType.HASH))
                .attributeDefinitions(SecondaryIndexesTest.def("pk", ScalarAttributeType.S))
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> cluster.clients.stream()
                .allMatch(c -> c.describeTable(r -> r.tableName(TABLE)).table().tableStatus() == TableStatus.ACTIVE));

        Random random = new Random(SEED);
        for (int i = 0; i < OPERATIONS; i++) {
            if (i == OPERATIONS / 3) cluster.stop(2);
            if (i == 2 * OPERATIONS / 3) cluster.restart(2);
            List<DynamoDbClient> live = cluster.clients.stream().filter(c -> c != null).toList();
            DynamoDbClient client = live.get(random.nextInt(live.size()));
            String pk = "item" + random.nextInt(ITEMS);
            try {
                client.updateItem(r -> r.tableName(TABLE).key(Map.of("pk", s(pk))).updateExpression("ADD v :one")
                        .expressionAttributeValues(Map.of(":one", n("1"))));
            } catch (DynamoDbException e) {
                if (e.statusCode() < 500) throw e;
            }
        }
        DynamoDbClient reader = cluster.clients.get(0);
        Map<String, Integer> finalValues = new HashMap<>();
        for (int k = 0; k < ITEMS; k++) {
            String pk = "item" + k;
            var item = reader.getItem(r -> r.tableName(TABLE).consistentRead(true).key(Map.of("pk", s(pk)))).item();
            finalValues.put(pk, item.isEmpty() ? 0 : Integer.parseInt(item.get("v").n()));
        }
        int total = finalValues.values().stream().mapToInt(Integer::intValue).sum();

        Map<String, List<Integer>> seen = readChanges(total);
        for (int k = 0; k < ITEMS; k++) {
            String pk = "item" + k;
            List<Integer> expected = IntStream.rangeClosed(1, finalValues.get(pk)).boxed().toList();
            assertThat(seen.getOrDefault(pk, List.of())).as("the changes of %s, in order", pk).isEqualTo(expected);
        }
    }

    /**
     * Reads the stream's topic from the start with a plain read_committed consumer until
     * {@code expected} changes have come (and a little longer, to see any repeat), decoding each
     * with Avro alone; returns each item's new counter values in the order they came, after
     * checking each record's event and old image.
     */
    Map<String, List<Integer>> readChanges(int expected) throws Exception {
        Schema.Parser parser = new Schema.Parser();
        parser.parse(resource("/avro/AttributeValue.avsc"));
        Schema changeSchema = parser.parse(resource("/avro/ChangeRecord.avsc"));
        BinaryMessageDecoder<GenericRecord> decoder = new BinaryMessageDecoder<>(GenericData.get(), changeSchema);

        String topic;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedTestKafka.bootstrapServers()))) {
            topic = admin.listTopics().names().get().stream()
                    .filter(t -> t.startsWith(cluster.prefix + ".changes." + TABLE + ".")).findFirst().orElseThrow();
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedTestKafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, List<Integer>> seen = new HashMap<>();
        Map<Integer, String> lastSequenceByPartition = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            int[] count = {0};
            long quietUntil = Long.MAX_VALUE;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && System.nanoTime() < quietUntil) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    GenericRecord change = decoder.decode(record.value());
                    String pk = ((GenericRecord) ((Map<?, ?>) change.get("keys")).get(new org.apache.avro.util.Utf8("pk"))).get("value").toString();
                    int value = counter(change.get("newImage"));
                    String event = change.get("eventName").toString();
                    assertThat(event).isEqualTo(value == 1 ? "INSERT" : "MODIFY");
                    if (value > 1) assertThat(counter(change.get("oldImage"))).isEqualTo(value - 1);
                    String sequence = change.get("sequenceNumber").toString();
                    String previous = lastSequenceByPartition.put(record.partition(), sequence);
                    if (previous != null) assertThat(sequence).as("sequence numbers increase along a partition").isGreaterThan(previous);
                    seen.computeIfAbsent(pk, k -> new ArrayList<>()).add(value);
                    count[0]++;
                }
                if (count[0] >= expected && quietUntil == Long.MAX_VALUE) quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            }
            assertThat(count[0]).as("changes read").isEqualTo(expected);
        }
        return seen;
    }

    /** The counter {@code v} of an image (a map of AttributeValue records; N is a NumberValue), as Avro alone decodes it. */
    static int counter(Object image) {
        GenericRecord v = (GenericRecord) ((Map<?, ?>) image).get(new org.apache.avro.util.Utf8("v"));
        return Integer.parseInt(((GenericRecord) v.get("value")).get("text").toString());
    }

    static String resource(String path) {
        try (InputStream in = ChangeStreamExactlyOnceTest.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
