package io.dynalog.node.bench;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.ChangeRecord;
import io.dynalog.topology.wire.ChangeRecordCodec;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Measures change stream lag against a running node: PutItem at a fixed rate into a table with a
 * NEW_AND_OLD_IMAGES stream, while a plain Kafka consumer (read_committed) reads the stream's
 * topic; a change's lag is the time from its write's acknowledgement to the poll that returned
 * it (HdrHistogram).
 */
@Command(name = "bench-streams", mixinStandardHelpOptions = true,
        description = "Measures the lag from a write's acknowledgement to its change reaching a Kafka consumer of the table's stream.")
public final class StreamBenchCommand implements Callable<Integer> {
    @CommandLine.Mixin
    FixedRateOptions run = new FixedRateOptions();

    @CommandLine.Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--item-bytes", defaultValue = "200", description = "Payload bytes per item (default: ${DEFAULT-VALUE}).")
    int itemBytes;

    @Override
    public Integer call() throws Exception {
        try (SdkHttpClient http = Apache5HttpClient.builder().maxConnections(32).build();
             DynamoDbClient client = BenchCommand.dynamoDbClient(run.endpoint, "us-east-1", http, AwsRetryStrategy.defaultRetryStrategy())) {
            BenchTables tables = new BenchTables(client, new PrintWriter(System.err, true));
            String table = "stream-lag-" + Long.toString(System.currentTimeMillis(), 36);
            client.createTable(r -> r.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(BenchTables.key("pk", KeyType.HASH)).attributeDefinitions(BenchTables.attribute("pk", ScalarAttributeType.S))
                    .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)));
            tables.awaitActive(table);
            FixedRateWrites writes = run.writes();
            Recorder recorder = new Recorder(3);
            long[] changes = {0};
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(streamTopic(table))) {
                Thread reader = new Thread(() -> {
                    while (System.nanoTime() < writes.endNs + TimeUnit.SECONDS.toNanos(5)
                            && (changes[0] < writes.written.get() || System.nanoTime() < writes.endNs)) {
                        var records = consumer.poll(Duration.ofMillis(20));
                        long seenNs = System.nanoTime();
                        for (ConsumerRecord<byte[], byte[]> record : records) {
                            ChangeRecord change = ChangeRecordCodec.decode(record.value());
                            long seq = Long.parseLong(((AttributeValue.S) change.keys().get("pk")).value().substring(1));
                            Long acked = writes.ackedAtNs.remove(seq);
                            // A change seen before its write's acknowledgement was noted is not measured.
                            if (acked != null && writes.measured(acked)) recorder.recordValue(Math.max(0, seenNs - acked));
                            changes[0]++;
                        }
                    }
                }, "stream-lag-reader");
                reader.start();
                String payload = "x".repeat(itemBytes);
                writes.run(s -> client.putItem(r -> r.tableName(table).item(Map.of(
                        "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("k" + s),
                        "payload", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(payload)))));
                reader.join();
            }
            Histogram lag = recorder.getIntervalHistogram();
            System.out.printf("change stream lag, %d writes/s asked, %.0f/s acknowledged, for %d s: %d changes, p50 %.1f ms, p99 %.1f ms, "
                            + "p99.9 %.1f ms, max %.1f ms; %d writes failed%n", run.ratePerSecond, writes.writtenMeasured.get() / (double) run.durationSeconds,
                    run.durationSeconds, lag.getTotalCount(), lag.getValueAtPercentile(50) / 1e6, lag.getValueAtPercentile(99) / 1e6,
                    lag.getValueAtPercentile(99.9) / 1e6, lag.getMaxValue() / 1e6, writes.failed.get());
            tables.deleteQuietly(table);
        }
        return 0;
    }

    private String streamTopic(String table) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers))) {
            String prefix = kafka.topicPrefix + ".changes." + table + ".";
            for (int attempt = 0; attempt < 100; attempt++) {
                for (String name : admin.listTopics().names().get()) {
                    if (name.startsWith(prefix)) return name;
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
            throw new IllegalStateException("no changes topic " + prefix + "* in " + kafka.bootstrapServers);
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }
}
