package io.dynalog.node.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker is a real broker: topics, idempotent produce, consume, and durability across a restart. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedKafkaTest {

    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path logDir;

    @Test
    void recordsAndClusterIdSurviveARestartOnTheSameDirectory() throws Exception {
        String topic = "embedded-kafka-restart";
        String clusterId;
        long offset;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(logDir, 0)) {
            clusterId = kafka.clusterId();
            try (Admin admin = admin(kafka.bootstrapServers())) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterId);
            }
            try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers())) {
                RecordMetadata metadata = producer.send(new ProducerRecord<>(topic, "item-1", "first image"))
                    .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                offset = metadata.offset();
            }
            assertThat(readAll(kafka.bootstrapServers(), topic, 1))
                .extracting(ConsumerRecord::key, ConsumerRecord::value, ConsumerRecord::offset)
                .containsExactly(tuple("item-1", "first image", offset));
        }

        try (EmbeddedKafka restarted = EmbeddedKafka.start(logDir, 0)) {
            assertThat(restarted.clusterId()).isEqualTo(clusterId);
            assertThat(readAll(restarted.bootstrapServers(), topic, 1))
                .extracting(ConsumerRecord::key, ConsumerRecord::value, ConsumerRecord::offset)
                .containsExactly(tuple("item-1", "first image", offset));
        }
    }

    @Test
    void closeIsIdempotentAndReleasesTheDirectory() {
        EmbeddedKafka kafka = EmbeddedKafka.start(logDir, 0);
        kafka.close();
        kafka.close();
        // The directory lock is released: a new broker can take the directory over.
        try (EmbeddedKafka again = EmbeddedKafka.start(logDir, 0)) {
            assertThat(again.clusterId()).isEqualTo(kafka.clusterId());
        }
    }

    @Test
    void aTakenPortIsReportedAndLeavesTheDirectoryUsable() throws Exception {
        try (ServerSocket occupied = new ServerSocket()) {
            occupied.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            assertThatThrownBy(() -> EmbeddedKafka.start(logDir, occupied.getLocalPort()))
                .isInstanceOf(RuntimeException.class);
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(logDir, 0)) {
            assertThat(kafka.port()).isPositive();
        }
    }

    @Test
    void sharedBrokerServesEveryTestClass() throws Exception {
        String bootstrapServers = SharedTestKafka.bootstrapServers();
        assertThat(SharedTestKafka.bootstrapServers()).isEqualTo(bootstrapServers);
        String topic = "shared-broker-" + System.nanoTime();
        try (Admin admin = admin(bootstrapServers)) {
            assertThat(admin.describeCluster().nodes().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).hasSize(1);
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                .all().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        try (KafkaProducer<String, String> producer = producer(bootstrapServers)) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        assertThat(readAll(bootstrapServers, topic, 1)).extracting(ConsumerRecord::value).containsExactly("v");
    }

    private static Admin admin(String bootstrapServers) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return Admin.create(props);
    }

    private static KafkaProducer<String, String> producer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** Reads partition 0 of {@code topic} from the beginning until {@code expectedCount} records or the timeout. */
    private static List<ConsumerRecord<String, String>> readAll(String bootstrapServers, String topic, int expectedCount) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                 new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadlineNanos = System.nanoTime() + CLIENT_TIMEOUT.toNanos();
            while (records.size() < expectedCount && System.nanoTime() < deadlineNanos) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertThat(records).as("records read back from %s", topic).hasSize(expectedCount);
        return records;
    }
}
