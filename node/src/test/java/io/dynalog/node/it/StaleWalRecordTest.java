package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.node.fault.WalAudit;
import io.dynalog.node.kafka.SharedTestKafka;
import io.dynalog.topology.wal.WalRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * A deposed leader's append that a Kafka broker takes late (paused with the request in its
 * socket, past every client-side timeout) lands after the item's newer records, and is what
 * compaction would keep. Here such an append is made for real: the item's first record, produced
 * again into its WAL partition of the real broker. The node's replica finds the item, its leader
 * writes it again, and the WAL's last record of the item is its newest again; a replica rebuilt
 * from the WAL holds the newest image.
 */
class StaleWalRecordTest {
    static final String TABLE = "StaleTailRepair";
    TestNode node;

    @BeforeEach
    void start() {
        node = TestNode.start(1);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void aStaleRecordThatLandsLastIsCoveredByARewriteOfItsItem() throws Exception {
        node.createTable(TABLE, "pk", ScalarAttributeType.S, null, null);
        put("a", "1");
        put("a", "2");
        put("b", "1");
        node.client.deleteItem(r -> r.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("b"))));
        String bootstrap = SharedTestKafka.bootstrapServers();
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> WalAudit.audit(bootstrap, TABLE).records() >= 4);
        assertThat(WalAudit.audit(bootstrap, TABLE).staleLast()).isEmpty();

        // The first record of each item lands again, last: as from a broker that resumed.
        List<ConsumerRecord<byte[], byte[]>> first = firstRecordOfEachItem(bootstrap);
        assertThat(first).hasSize(2);
        Properties config = new Properties();
        config.put("bootstrap.servers", bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ConsumerRecord<byte[], byte[]> r : first) {
                producer.send(new ProducerRecord<>(r.topic(), r.partition(), r.key(), r.value(), r.headers())).get(10, TimeUnit.SECONDS);
            }
        }

        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            WalAudit.Report wal = WalAudit.audit(bootstrap, TABLE);
            assertThat(wal.laterOlder()).as("the two stale records landed").isGreaterThanOrEqualTo(2);
            assertThat(wal.staleLast()).as("items whose last record is not their newest").isEmpty();
        });
        assertThat(get("a", true)).containsEntry("v", AttributeValue.fromS("2"));
        assertThat(get("b", true)).isEmpty();
        // A replica rebuilt from the WAL (which compaction may have reduced to each item's last record) agrees.
        node.restartWithoutStore();
        assertThat(get("a", false)).containsEntry("v", AttributeValue.fromS("2"));
        assertThat(get("b", false)).isEmpty();
    }

    private void put(String pk, String v) {
        node.client.putItem(r -> r.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(pk), "v", AttributeValue.fromS(v))));
    }

    private Map<String, AttributeValue> get(String pk, boolean consistent) {
        return node.client.getItem(r -> r.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(pk))).consistentRead(consistent)).item();
    }

    /** The first record of every item in the table's WAL topic. */
    private static List<ConsumerRecord<byte[], byte[]>> firstRecordOfEachItem(String bootstrap) throws Exception {
        String topic;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            topic = admin.listTopics().names().get().stream().filter(t -> t.contains(".wal." + TABLE + ".")).findFirst().orElseThrow();
        }
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> first = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (Arrays.equals(r.key(), WalRecords.NOOP_KEY)) continue;
                    if (first.stream().noneMatch(f -> Arrays.equals(f.key(), r.key()))) first.add(r);
                }
            }
        }
        return first;
    }
}
