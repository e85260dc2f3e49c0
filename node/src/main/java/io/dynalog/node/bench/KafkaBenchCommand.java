package io.dynalog.node.bench;

import io.dynalog.client.DynalogKafkaWriter;
import io.dynalog.topology.model.AttributeValue;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Measures the Kafka write path: PutItem commands produced through the client library
 * ({@link DynalogKafkaWriter}) with {@code --in-flight} requests outstanding, for a duration after
 * a warm-up; reports acknowledged writes per second and the latency from producing a request to
 * receiving its reply (HdrHistogram percentiles). The table is created through the DynamoDB API
 * at {@code --endpoint}.
 */
@Command(name = "bench-kafka", mixinStandardHelpOptions = true,
        description = "Measures writes/s and request-to-reply latency of PutItem through the Kafka write path.")
public final class KafkaBenchCommand implements Callable<Integer> {
    @Option(names = "--endpoint", defaultValue = "http://localhost:8000", description = "A node's DynamoDB endpoint, to create the table (default: ${DEFAULT-VALUE}).")
    URI endpoint;

    @CommandLine.Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--in-flight", defaultValue = "64", description = "Requests outstanding at once (default: ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(names = "--duration-s", defaultValue = "20", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--warmup-s", defaultValue = "5", description = "Unrecorded seconds first (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--item-bytes", defaultValue = "1000", description = "Payload bytes per item (default: ${DEFAULT-VALUE}).")
    int itemBytes;

    @Option(names = "--keys", defaultValue = "100000", description = "Distinct items written (default: ${DEFAULT-VALUE}).")
    int keys;

    @Override
    public Integer call() throws Exception {
        String table = "kafka-bench-" + Long.toString(System.currentTimeMillis(), 36);
        try (SdkHttpClient http = Apache5HttpClient.builder().build();
             DynamoDbClient client = BenchCommand.dynamoDbClient(endpoint, "us-east-1", http, AwsRetryStrategy.defaultRetryStrategy())) {
            new BenchTables(client, new PrintWriter(System.err, true)).createAndAwaitActive(table, false);
        }
        try (DynalogKafkaWriter writer = DynalogKafkaWriter.builder().bootstrapServers(kafka.bootstrapServers).topicPrefix(kafka.topicPrefix)
                .requestTimeout(Duration.ofSeconds(10)).deadline(Duration.ofSeconds(60)).build()) {
            run(writer, table);
        }
        return 0;
    }

    private void run(DynalogKafkaWriter writer, String table) throws InterruptedException {
        AttributeValue payload = AttributeValue.s("x".repeat(itemBytes));
        Recorder latencyMicros = new Recorder(3);
        AtomicLong measured = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Semaphore slots = new Semaphore(inFlight);
        long startNs = System.nanoTime();
        long measureFromNs = startNs + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long endNs = measureFromNs + TimeUnit.SECONDS.toNanos(durationSeconds);
        long sequence = 0;
        while (System.nanoTime() < endNs) {
            if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) continue;
            long sentNs = System.nanoTime();
            Map<String, AttributeValue> item = Map.of("pk", AttributeValue.s("k" + (sequence++ % keys)), "payload", payload);
            writer.putAsync(table, item).whenComplete((result, error) -> {
                long doneNs = System.nanoTime();
                if (sentNs >= measureFromNs && doneNs <= endNs) {
                    if (error != null) {
                        errors.incrementAndGet();
                    } else {
                        latencyMicros.recordValue(TimeUnit.NANOSECONDS.toMicros(doneNs - sentNs));
                        measured.incrementAndGet();
                    }
                }
                slots.release();
            });
        }
        slots.acquire(inFlight); // every request answered before the writer closes
        Histogram h = latencyMicros.getIntervalHistogram();
        System.out.printf(Locale.ROOT, "kafka write path PutItem, %d in flight, %d-byte items, %d s: %.0f writes/s, "
                        + "p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms, errors %d%n",
                inFlight, itemBytes, durationSeconds, measured.get() / (double) durationSeconds,
                ms(h, 50), ms(h, 99), ms(h, 99.9), h.getTotalCount() == 0 ? 0.0 : h.getMaxValue() / 1000.0, errors.get());
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0.0 : h.getValueAtPercentile(percentile) / 1000.0;
    }
}
