package io.dynalog.node.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * {@code dynalog bench}: measures a DynamoDB-compatible endpoint (a Dynalog node, DynamoDB Local,
 * DynamoDB itself) through the AWS SDK for Java v2, the way an application would use it.
 *
 * <p>Responsibilities: the command line; the SDK clients (Apache HttpClient 5 with a connection per
 * thread, static dummy credentials); the bench's data (keys, item payloads of the requested size,
 * the preload that GetItem and Query need); running each workload in turn with a
 * {@link WorkloadRunner}; printing one line per workload and appending CSV rows; deleting the
 * tables it created. Table administration is {@link BenchTables}'.
 *
 * <p>Data: a hash-only table {@code <table>} ({@code pk} S) holds {@code --items} items of about
 * {@code --item-bytes} bytes for PutItem and GetItem; a table {@code <table>_query} ({@code pk} S,
 * {@code sk} N) holds {@code --items} items of about a tenth of that size, {@code --query-items} per
 * partition key, so that a Query of one partition key returns one page well under 1 MB.
 *
 * <p>Measurement: closed loop, each thread calls again as soon as its call returns; latency from
 * call to return in the calling thread; calls are never retried by the SDK (a failure is an error,
 * not a slow success); GetItem and Query results are checked (the item is there, the partition
 * has all its items), a wrong answer counts as an error.
 */
@Command(name = "bench", sortOptions = false,
    description = {"Measures a DynamoDB-compatible endpoint with the AWS SDK for Java v2: "
        + "PutItem, GetItem and Query throughput and latency, one workload after the other.",
        "Results go to stdout (and to --output as CSV), progress to stderr."})
public final class BenchCommand implements Callable<Integer> {

    /** DynamoDB Local accepts only alphanumeric access key ids; the secret is never checked. */
    private static final String ACCESS_KEY_ID = "dynalogbench";
    private static final String SECRET_ACCESS_KEY = "dynalogbenchsecret";

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** The longest one call may take; a call that takes longer fails and counts as an error. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final String PAYLOAD_ATTRIBUTE = "v";
    private static final int PAYLOADS_PER_SIZE = 64;
    /** Query pages must stay clearly under DynamoDB's 1 MB page limit to come back in one call. */
    private static final long MAX_QUERY_PAGE_BYTES = 900_000;
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_.-]{3,249}");
    private static final String QUERY_TABLE_SUFFIX = "_query";
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Shows this help and exits.")
    boolean helpRequested;

    @Option(names = "--endpoint", paramLabel = "URL", defaultValue = "http://localhost:8000",
        description = "The endpoint to measure (default: ${DEFAULT-VALUE}).")
    URI endpoint;

    @Option(names = "--label", paramLabel = "NAME",
        description = "Names the endpoint in the results (default: its host:port).")
    String label;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "8",
        description = "Client threads, each with its own connection (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--duration-s", paramLabel = "S", defaultValue = "20",
        description = "Measured seconds per workload (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--warmup-s", paramLabel = "S", defaultValue = "5",
        description = "Unrecorded seconds before each workload's measurement (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--workload", paramLabel = "W", split = ",", defaultValue = "put,get,query",
        converter = Workload.Converter.class,
        description = "Workloads to run, in this order: put, get, update, query (default: ${DEFAULT-VALUE}).")
    List<Workload> workloads;

    @Option(names = "--item-bytes", paramLabel = "B", defaultValue = "1000",
        description = "Approximate item size for put and get; Query items are a tenth of it (default: ${DEFAULT-VALUE}).")
    int itemBytes;

    @Option(names = "--items", paramLabel = "N", defaultValue = "10000",
        description = "Keys written and read (default: ${DEFAULT-VALUE}).")
    int itemCount;

    @Option(names = "--query-items", paramLabel = "N", defaultValue = "100",
        description = "Items per partition key in the Query table; each Query returns them all (default: ${DEFAULT-VALUE}).")
    int queryItemsPerPartitionKey;

    @Option(names = "--consistent", description = "GetItem with ConsistentRead=true (Query always reads eventually consistent).")
    boolean consistentRead;

    @Option(names = "--table", paramLabel = "NAME",
        description = "Base table name; the Query table is NAME" + QUERY_TABLE_SUFFIX + " (default: bench_<random>).")
    String tableName;

    @Option(names = "--region", paramLabel = "REGION", defaultValue = "us-east-1",
        description = "The region the client signs for (default: ${DEFAULT-VALUE}).")
    String region;

    @Option(names = "--output", paramLabel = "FILE", description = "Appends the results as CSV rows (with a header if the file is new).")
    Path csvOutput;

    @Option(names = "--keep", description = "Keeps the tables at the end (they are deleted otherwise).")
    boolean keepTables;

    @Option(names = "--jfr-pid", paramLabel = "PID",
        description = "Records a JFR profile of the server, the JVM with this process id on this machine, while the "
            + "workloads run (started and stopped with jcmd); its summary goes to stderr and next to the recording.")
    Long jfrPid;

    @Option(names = "--jfr-output", paramLabel = "FILE",
        description = "Where --jfr-pid's recording goes (default: target/bench/profile-<label>-<time>.jfr); "
            + "FILE.txt gets its summary and FILE.collapsed its stacks for a flame graph.")
    Path jfrOutput;

    /** Runs the bench alone: {@code java -cp ... io.dynalog.node.bench.BenchCommand --help}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }

    /** @return 0 if every call succeeded, 1 if any call failed or the bench could not run */
    @Override
    public Integer call() throws InterruptedException {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String baseTable = tableName != null ? tableName : randomTableName();
        String queryTable = baseTable + QUERY_TABLE_SUFFIX;
        String resultLabel = label != null ? label : endpoint.getAuthority();
        Set<Workload> selected = EnumSet.copyOf(workloads);
        boolean needsHashTable = selected.contains(Workload.PUT) || selected.contains(Workload.GET) || selected.contains(Workload.UPDATE);
        boolean needsQueryTable = selected.contains(Workload.QUERY);
        BenchData data = new BenchData(itemCount, itemBytes, queryItemsPerPartitionKey, new SplittableRandom());

        err.printf("bench %s (%s): %s; %d threads; %d s warm-up + %d s per workload; %d items of about %d bytes%n",
            endpoint, resultLabel, workloads.stream().map(Workload::cliName).collect(Collectors.joining(",")),
            threads, warmupSeconds, durationSeconds, itemCount, itemBytes);
        err.flush();

        ExecutorService executor = Executors.newFixedThreadPool(threads, benchThreads());
        SdkHttpClient httpClient = Apache5HttpClient.builder()
            .maxConnections(threads + 2)
            .connectionTimeout(CONNECT_TIMEOUT)
            .socketTimeout(CALL_TIMEOUT)
            .build();
        // Table administration and the preload retry transient failures; the measured calls do not.
        DynamoDbClient adminClient = dynamoDbClient(httpClient, AwsRetryStrategy.defaultRetryStrategy());
        DynamoDbClient benchClient = dynamoDbClient(httpClient, AwsRetryStrategy.doNotRetry());
        BenchTables tables = new BenchTables(adminClient, err);
        List<String> createdTables = new ArrayList<>();
        boolean anyErrors = false;
        ServerProfile profile = null;
        try {
            if (needsHashTable && tables.createAndAwaitActive(baseTable, false)) {
                createdTables.add(baseTable);
            }
            if (needsQueryTable && tables.createAndAwaitActive(queryTable, true)) {
                createdTables.add(queryTable);
            }
            if (selected.contains(Workload.GET)) {
                preload(executor, adminClient, err, baseTable, itemCount, index -> data.putItem(baseTable, index, 0));
            }
            if (needsQueryTable) {
                preload(executor, adminClient, err, queryTable, data.queryItemCount(),
                    index -> data.putQueryItem(queryTable, index));
            }

            WorkloadRunner runner = new WorkloadRunner(executor, threads, Duration.ofSeconds(warmupSeconds),
                Duration.ofSeconds(durationSeconds), CALL_TIMEOUT);
            profile = jfrPid == null ? null : ServerProfile.start(jfrPid, jfrOutput != null ? jfrOutput
                : Path.of("target", "bench", "profile-" + resultLabel.replaceAll("[^A-Za-z0-9_.-]", "_") + "-"
                    + Instant.now().getEpochSecond() + ".jfr"));
            List<BenchResult> results = new ArrayList<>();
            for (Workload workload : workloads) {
                WorkloadRunner.Operation operation = switch (workload) {
                    case PUT -> random -> benchClient.putItem(data.putItem(baseTable, random.nextInt(itemCount), random.nextInt()));
                    case GET -> random -> getItem(benchClient, data.getItem(baseTable, random.nextInt(itemCount), consistentRead));
                    case UPDATE -> random -> benchClient.updateItem(data.updateItem(baseTable, random.nextInt(itemCount), random.nextInt()));
                    case QUERY -> random -> query(benchClient, data.query(queryTable, random.nextInt(data.queryPartitionKeys())));
                };
                WorkloadRunner.Measurement measurement = runner.run(operation, System.nanoTime());
                BenchResult result = BenchResult.of(Instant.now(), resultLabel, endpoint.toString(), workload, threads,
                    measurement.measuredSeconds(), itemBytes, workload == Workload.GET && consistentRead,
                    measurement.latencyMicros(), measurement.errors());
                results.add(result);
                out.println(result.toLine());
                out.flush();
                anyErrors |= measurement.errors() > 0;
                if (measurement.firstError() != null) {
                    err.printf("  %s: first error: %s%n", workload.cliName(), measurement.firstError());
                    err.flush();
                }
            }
            if (profile != null) {
                ServerProfile stopped = profile;
                profile = null;
                err.print(stopped.stop());
                err.flush();
            }
            if (csvOutput != null) {
                appendCsv(csvOutput, results);
                err.printf("appended %d rows to %s%n", results.size(), csvOutput);
            }
            return anyErrors ? 1 : 0;
        } catch (SdkException | IllegalStateException e) {
            err.printf("bench failed: %s%n", WorkloadRunner.describe(e));
            return 1;
        } finally {
            if (profile != null) {
                try {
                    profile.stop();
                } catch (RuntimeException e) {
                    err.printf("the profile was not written: %s%n", e.getMessage());
                }
            }
            executor.shutdownNow();
            if (keepTables) {
                createdTables.forEach(t -> err.printf("kept table %s%n", t));
            } else {
                createdTables.forEach(tables::deleteQuietly);
            }
            err.flush();
            benchClient.close();
            adminClient.close();
            httpClient.close();
        }
    }

    private void validate() {
        requireAtLeast("--threads", threads, 1);
        requireAtLeast("--duration-s", durationSeconds, 1);
        requireAtLeast("--warmup-s", warmupSeconds, 0);
        requireAtLeast("--item-bytes", itemBytes, 10);
        requireAtLeast("--items", itemCount, 1);
        requireAtLeast("--query-items", queryItemsPerPartitionKey, 1);
        if (itemBytes > 400 * 1024) {
            throw new ParameterException(spec.commandLine(), "--item-bytes must be at most 409600 (DynamoDB's item limit)");
        }
        if ((long) (itemBytes / 10) * queryItemsPerPartitionKey > MAX_QUERY_PAGE_BYTES) {
            throw new ParameterException(spec.commandLine(), "--query-items x --item-bytes / 10 must stay under "
                + MAX_QUERY_PAGE_BYTES + " bytes so that a Query returns one page");
        }
        if (tableName != null && !TABLE_NAME.matcher(tableName).matches()) {
            throw new ParameterException(spec.commandLine(),
                "--table must be 3..249 characters of A-Z a-z 0-9 _ . - (the Query table adds '" + QUERY_TABLE_SUFFIX + "')");
        }
        if (endpoint.getScheme() == null || endpoint.getHost() == null) {
            throw new ParameterException(spec.commandLine(), "--endpoint must be a URL such as http://localhost:8000");
        }
    }

    private void requireAtLeast(String option, int value, int minimum) {
        if (value < minimum) {
            throw new ParameterException(spec.commandLine(), option + " must be at least " + minimum + ", was " + value);
        }
    }

    private DynamoDbClient dynamoDbClient(SdkHttpClient httpClient, RetryStrategy retryStrategy) {
        return dynamoDbClient(endpoint, region, httpClient, retryStrategy);
    }

    /** A bench client of the node at {@code endpoint}, with the bench's credentials and call timeout. */
    static DynamoDbClient dynamoDbClient(URI endpoint, String region, SdkHttpClient httpClient, RetryStrategy retryStrategy) {
        return DynamoDbClient.builder()
            .endpointOverride(endpoint)
            .region(Region.of(region))
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY)))
            .httpClient(httpClient)
            .overrideConfiguration(o -> o.retryStrategy(retryStrategy).apiCallTimeout(CALL_TIMEOUT))
            .build();
    }

    private static void getItem(DynamoDbClient client, GetItemRequest request) {
        GetItemResponse response = client.getItem(request);
        if (!response.hasItem() || response.item().isEmpty()) {
            throw new WorkloadRunner.UnexpectedResultException("GetItem found no item for preloaded key " + request.key());
        }
    }

    private void query(DynamoDbClient client, QueryRequest request) {
        QueryResponse response = client.query(request);
        if (response.count() != queryItemsPerPartitionKey) {
            throw new WorkloadRunner.UnexpectedResultException("Query of " + request.expressionAttributeValues()
                + " returned " + response.count() + " items, expected " + queryItemsPerPartitionKey
                + (response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? " (and a LastEvaluatedKey)" : ""));
        }
    }

    /**
     * Writes items {@code 0..count-1} with {@code threads} parallel PutItem calls; the first failure
     * (after the client's retries) stops it.
     */
    private void preload(ExecutorService executor, DynamoDbClient client, PrintWriter progress, String table, int count,
                         IntFunction<PutItemRequest> request) throws InterruptedException {
        long startNanos = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        List<Future<?>> loaders = new ArrayList<>(threads);
        for (int i = 0; i < threads; i++) {
            loaders.add(executor.submit(() -> {
                for (int index = next.getAndIncrement(); index < count && failure.get() == null; index = next.getAndIncrement()) {
                    try {
                        client.putItem(request.apply(index));
                    } catch (SdkException e) {
                        failure.compareAndSet(null, e);
                    }
                }
            }));
        }
        for (Future<?> loader : loaders) {
            try {
                loader.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("Preloading " + table + " failed: " + e.getCause(), e.getCause());
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("Preloading " + table + " failed: " + WorkloadRunner.describe(failure.get()),
                failure.get());
        }
        progress.printf("preloaded %d items into %s in %.1f s%n", count, table, (System.nanoTime() - startNanos) / 1e9);
        progress.flush();
    }

    private static void appendCsv(Path file, List<BenchResult> results) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            boolean needsHeader = !Files.exists(file) || Files.size(file) == 0;
            try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                if (needsHeader) {
                    writer.write(BenchResult.CSV_HEADER);
                    writer.newLine();
                }
                for (BenchResult result : results) {
                    writer.write(result.toCsvRow());
                    writer.newLine();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot append results to " + file + ": " + e.getMessage(), e);
        }
    }

    private static String randomTableName() {
        return "bench_" + Long.toHexString(new SplittableRandom().nextLong() & 0xffffffffL);
    }

    private static ThreadFactory benchThreads() {
        AtomicInteger number = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "bench-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * The bench's keys and items: precomputed keys of equal length (so every item has the same
     * size) and a small pool of random payloads per item size, so that building a request costs
     * next to nothing next to the call.
     */
    static final class BenchData {
        private final String[] hashKeys;
        private final String[] queryPartitionKeys;
        private final int queryItemsPerPartitionKey;
        private final List<String> itemPayloads;
        private final List<String> queryItemPayloads;
        private final AttributeValue[] sortKeys;

        BenchData(int itemCount, int itemBytes, int queryItemsPerPartitionKey, SplittableRandom random) {
            this.queryItemsPerPartitionKey = queryItemsPerPartitionKey;
            this.hashKeys = keys("k", itemCount);
            int partitionKeyCount = (itemCount + queryItemsPerPartitionKey - 1) / queryItemsPerPartitionKey;
            this.queryPartitionKeys = keys("q", partitionKeyCount);
            this.sortKeys = new AttributeValue[queryItemsPerPartitionKey];
            for (int i = 0; i < queryItemsPerPartitionKey; i++) {
                sortKeys[i] = AttributeValue.fromN(Integer.toString(i));
            }
            // Item size as DynamoDB counts it: attribute names plus values.
            int keyBytes = BenchTables.PARTITION_KEY.length() + hashKeys[0].length();
            int queryKeyBytes = BenchTables.PARTITION_KEY.length() + queryPartitionKeys[0].length()
                + BenchTables.SORT_KEY.length() + Integer.toString(queryItemsPerPartitionKey).length();
            this.itemPayloads = payloads(itemBytes - keyBytes - PAYLOAD_ATTRIBUTE.length(), random);
            this.queryItemPayloads = payloads(itemBytes / 10 - queryKeyBytes - PAYLOAD_ATTRIBUTE.length(), random);
        }

        int queryPartitionKeys() {
            return queryPartitionKeys.length;
        }

        /** Every partition key of the Query table holds all its sort keys, the last one included. */
        int queryItemCount() {
            return queryPartitionKeys.length * queryItemsPerPartitionKey;
        }

        PutItemRequest putItem(String table, int index, int payloadChoice) {
            return PutItemRequest.builder()
                .tableName(table)
                .item(Map.of(
                    BenchTables.PARTITION_KEY, AttributeValue.fromS(hashKeys[index]),
                    PAYLOAD_ATTRIBUTE, AttributeValue.fromS(itemPayloads.get(Math.floorMod(payloadChoice, itemPayloads.size())))))
                .build();
        }

        /** The same payload as {@link #putItem}, written by an update expression that also counts the writes. */
        UpdateItemRequest updateItem(String table, int index, int payloadChoice) {
            return UpdateItemRequest.builder()
                .tableName(table)
                .key(Map.of(BenchTables.PARTITION_KEY, AttributeValue.fromS(hashKeys[index])))
                .updateExpression("SET #p = :p ADD hits :one")
                .expressionAttributeNames(Map.of("#p", PAYLOAD_ATTRIBUTE))
                .expressionAttributeValues(Map.of(
                    ":p", AttributeValue.fromS(itemPayloads.get(Math.floorMod(payloadChoice, itemPayloads.size()))),
                    ":one", AttributeValue.fromN("1")))
                .build();
        }

        /** Item {@code index} of the Query table: partition key {@code index / per-key}, sort key {@code index % per-key}. */
        PutItemRequest putQueryItem(String table, int index) {
            return PutItemRequest.builder()
                .tableName(table)
                .item(Map.of(
                    BenchTables.PARTITION_KEY, AttributeValue.fromS(queryPartitionKeys[index / queryItemsPerPartitionKey]),
                    BenchTables.SORT_KEY, sortKeys[index % queryItemsPerPartitionKey],
                    PAYLOAD_ATTRIBUTE, AttributeValue.fromS(queryItemPayloads.get(index % queryItemPayloads.size()))))
                .build();
        }

        GetItemRequest getItem(String table, int index, boolean consistentRead) {
            return GetItemRequest.builder()
                .tableName(table)
                .key(Map.of(BenchTables.PARTITION_KEY, AttributeValue.fromS(hashKeys[index])))
                .consistentRead(consistentRead)
                .build();
        }

        QueryRequest query(String table, int partitionKeyIndex) {
            return QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("#pk = :pk")
                .expressionAttributeNames(Map.of("#pk", BenchTables.PARTITION_KEY))
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(queryPartitionKeys[partitionKeyIndex])))
                .consistentRead(false)
                .build();
        }

        /** {@code count} keys {@code prefix000..}, zero-padded to one length. */
        private static String[] keys(String prefix, int count) {
            int digits = Integer.toString(Math.max(0, count - 1)).length();
            String format = prefix + "%0" + digits + "d";
            String[] keys = new String[count];
            for (int i = 0; i < count; i++) {
                keys[i] = String.format(Locale.ROOT, format, i);
            }
            return keys;
        }

        private static List<String> payloads(int length, SplittableRandom random) {
            int chars = Math.max(1, length);
            List<String> payloads = new ArrayList<>(PAYLOADS_PER_SIZE);
            for (int p = 0; p < PAYLOADS_PER_SIZE; p++) {
                StringBuilder payload = new StringBuilder(chars);
                for (int c = 0; c < chars; c++) {
                    payload.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
                }
                payloads.add(payload.toString());
            }
            return List.copyOf(payloads);
        }
    }
}
