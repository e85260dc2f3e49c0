package io.dynalog.node.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Measures global secondary indexes against a running node:
 * <ol>
 *   <li><b>visibility lag</b>: PutItem at a fixed rate into a table with one global index; each
 *       item's index key is (a fixed partition key, its sequence number), and one reader queries
 *       the index for sequence numbers past the last seen, over and over; a row's lag is the time
 *       from its write's acknowledgement to the query that first returned it (HdrHistogram);
 *   <li><b>write cost</b>: PutItem throughput with {@code --threads} closed-loop writers into a
 *       table without indexes, then into one with two global indexes.
 * </ol>
 */
@Command(name = "bench-gsi", mixinStandardHelpOptions = true,
        description = "Measures global secondary index visibility lag at a fixed write rate, and the write throughput cost of two GSIs.")
public final class GsiBenchCommand implements Callable<Integer> {
    @CommandLine.Mixin
    FixedRateOptions run = new FixedRateOptions();

    @Option(names = "--threads", defaultValue = "4", description = "Writers for the throughput part (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--item-bytes", defaultValue = "1000", description = "Payload bytes per item (default: ${DEFAULT-VALUE}).")
    int itemBytes;

    @Override
    public Integer call() throws Exception {
        try (SdkHttpClient http = Apache5HttpClient.builder().maxConnections(32).build();
             DynamoDbClient client = BenchCommand.dynamoDbClient(run.endpoint, "us-east-1", http, AwsRetryStrategy.defaultRetryStrategy())) {
            BenchTables tables = new BenchTables(client, new PrintWriter(System.err, true));
            String suffix = Long.toString(System.currentTimeMillis(), 36);
            String payload = "x".repeat(itemBytes);
            String lagTable = createTable(client, tables, "gsi-lag-" + suffix, 1);
            Histogram lag = measureLag(client, lagTable, payload);
            System.out.printf("GSI visibility lag, %d writes/s asked, %.0f/s acknowledged, for %d s: %d rows, p50 %.1f ms, p99 %.1f ms, "
                    + "p99.9 %.1f ms, max %.1f ms%n",
                    run.ratePerSecond, lagWritesMeasured.get() / (double) run.durationSeconds, run.durationSeconds, lag.getTotalCount(), ms(lag.getValueAtPercentile(50)), ms(lag.getValueAtPercentile(99)),
                    ms(lag.getValueAtPercentile(99.9)), ms(lag.getMaxValue()));
            String plain = createTable(client, tables, "gsi-none-" + suffix, 0);
            String indexed = createTable(client, tables, "gsi-two-" + suffix, 2);
            double plainRate = throughput(client, plain, payload);
            double indexedRate = throughput(client, indexed, payload);
            System.out.printf("PutItem throughput (%d writers): no GSI %.0f/s, two GSIs %.0f/s (%.1f %% cost)%n",
                    threads, plainRate, indexedRate, 100 * (1 - indexedRate / plainRate));
            for (String t : List.of(lagTable, plain, indexed)) tables.deleteQuietly(t);
        }
        return 0;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** A table (pk) with {@code gsis} global indexes: g{i} (S) + seq (N), projection KEYS_ONLY. */
    private static String createTable(DynamoDbClient client, BenchTables tables, String name, int gsis) throws InterruptedException {
        List<AttributeDefinition> definitions = new ArrayList<>(List.of(BenchTables.attribute("pk", ScalarAttributeType.S)));
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        if (gsis > 0) definitions.add(BenchTables.attribute("seq", ScalarAttributeType.N));
        for (int i = 0; i < gsis; i++) {
            definitions.add(BenchTables.attribute("g" + i, ScalarAttributeType.S));
            indexes.add(GlobalSecondaryIndex.builder().indexName("byG" + i)
                    .keySchema(BenchTables.key("g" + i, KeyType.HASH), BenchTables.key("seq", KeyType.RANGE))
                    .projection(Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build()).build());
        }
        client.createTable(r -> r.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST).keySchema(BenchTables.key("pk", KeyType.HASH))
                .attributeDefinitions(definitions).globalSecondaryIndexes(indexes.isEmpty() ? null : indexes));
        tables.awaitActive(name);
        return name;
    }

    /** Writes acknowledged inside the measured interval of the lag part (the rate actually reached). */
    private final AtomicLong lagWritesMeasured = new AtomicLong();

    private Histogram measureLag(DynamoDbClient client, String table, String payload) throws Exception {
        FixedRateWrites writes = run.writes();
        Recorder recorder = new Recorder(3);
        Thread reader = new Thread(() -> {
            long lastSeen = -1;
            while (System.nanoTime() < writes.endNs + TimeUnit.SECONDS.toNanos(5)
                    && (lastSeen < writes.written.get() - 1 || System.nanoTime() < writes.endNs)) {
                long from = lastSeen;
                QueryResponse page = client.query(r -> r.tableName(table).indexName("byG0").keyConditionExpression("g0 = :g AND seq > :s")
                        .expressionAttributeValues(Map.of(":g", AttributeValue.fromS("lag"), ":s", AttributeValue.fromN(Long.toString(from)))));
                long seenNs = System.nanoTime();
                for (Map<String, AttributeValue> row : page.items()) {
                    long seq = Long.parseLong(row.get("seq").n());
                    Long acked = writes.ackedAtNs.remove(seq);
                    // A row seen before its write's acknowledgement was noted is not measured.
                    if (acked != null && writes.measured(acked)) recorder.recordValue(Math.max(0, seenNs - acked));
                    lastSeen = Math.max(lastSeen, seq);
                }
            }
        }, "gsi-lag-reader");
        reader.start();
        writes.run(s -> client.putItem(r -> r.tableName(table).item(Map.of("pk", AttributeValue.fromS("k" + s),
                "g0", AttributeValue.fromS("lag"), "seq", AttributeValue.fromN(Long.toString(s)), "payload", AttributeValue.fromS(payload)))));
        reader.join();
        lagWritesMeasured.set(writes.writtenMeasured.get());
        if (writes.failed.get() > 0) System.out.printf("%d writes of the lag part failed%n", writes.failed.get());
        return recorder.getIntervalHistogram();
    }

    private double throughput(DynamoDbClient client, String table, String payload) throws Exception {
        AtomicLong done = new AtomicLong();
        long measureFromNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(run.warmupSeconds);
        long endNs = measureFromNs + TimeUnit.SECONDS.toNanos(run.durationSeconds);
        ExecutorService writers = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            writers.execute(() -> {
                for (long i = 0; System.nanoTime() < endNs; i++) {
                    long n = i;
                    client.putItem(r -> r.tableName(table).item(Map.of("pk", AttributeValue.fromS("k" + thread + "-" + (n % 10_000)),
                            "g0", AttributeValue.fromS("a" + (n % 100)), "g1", AttributeValue.fromS("b" + (n % 7)),
                            "seq", AttributeValue.fromN(Long.toString(n)), "payload", AttributeValue.fromS(payload))));
                    long now = System.nanoTime();
                    if (now >= measureFromNs && now < endNs) done.incrementAndGet();
                }
            });
        }
        writers.shutdown();
        writers.awaitTermination(run.durationSeconds + run.warmupSeconds + 30L, TimeUnit.SECONDS);
        return done.get() / (double) run.durationSeconds;
    }
}
