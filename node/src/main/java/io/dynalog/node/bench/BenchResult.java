package io.dynalog.node.bench;

import java.time.Instant;
import java.util.Locale;

import org.HdrHistogram.Histogram;

/**
 * What one workload measured against one endpoint: throughput, latency percentiles and errors,
 * and the settings that produced them. Knows how to print itself as a line for people and as a
 * CSV row for comparison across runs.
 */
record BenchResult(
    Instant finishedAt,
    String label,
    String endpoint,
    Workload workload,
    int threads,
    double measuredSeconds,
    int itemBytes,
    boolean consistentRead,
    long operations,
    long errors,
    double p50Ms,
    double p99Ms,
    double p999Ms,
    double maxMs) {

    static final String CSV_HEADER = "finished_at,label,endpoint,workload,threads,measured_s,item_bytes,"
        + "consistent_read,operations,ops_per_s,p50_ms,p99_ms,p99_9_ms,max_ms,errors";

    private static final double MICROS_PER_MILLI = 1000.0;

    /** Builds a result from a histogram of successful call latencies in microseconds. */
    static BenchResult of(Instant finishedAt, String label, String endpoint, Workload workload, int threads,
                          double measuredSeconds, int itemBytes, boolean consistentRead,
                          Histogram latencyMicros, long errors) {
        return new BenchResult(finishedAt, label, endpoint, workload, threads, measuredSeconds, itemBytes,
            consistentRead, latencyMicros.getTotalCount(), errors,
            percentileMs(latencyMicros, 50.0), percentileMs(latencyMicros, 99.0), percentileMs(latencyMicros, 99.9),
            latencyMicros.getTotalCount() == 0 ? 0.0 : latencyMicros.getMaxValue() / MICROS_PER_MILLI);
    }

    /** Successful operations per second over the measured interval. */
    double opsPerSecond() {
        return measuredSeconds <= 0 ? 0.0 : operations / measuredSeconds;
    }

    /** One line for people, e.g. {@code dynalog  put    2671 ops/s  p50 2.51 ms ...}. */
    String toLine() {
        return String.format(Locale.ROOT,
            "%-16s %-5s %9.0f ops/s   p50 %7.2f ms   p99 %7.2f ms   p99.9 %7.2f ms   max %8.2f ms   errors %d",
            label, workload.cliName(), opsPerSecond(), p50Ms, p99Ms, p999Ms, maxMs, errors);
    }

    /** One CSV row in the order of {@link #CSV_HEADER}. */
    String toCsvRow() {
        return String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%.3f,%d,%b,%d,%.1f,%.3f,%.3f,%.3f,%.3f,%d",
            finishedAt, csvField(label), csvField(endpoint), workload.cliName(), threads, measuredSeconds, itemBytes,
            consistentRead, operations, opsPerSecond(), p50Ms, p99Ms, p999Ms, maxMs, errors);
    }

    private static double percentileMs(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? 0.0 : histogram.getValueAtPercentile(percentile) / MICROS_PER_MILLI;
    }

    private static String csvField(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
