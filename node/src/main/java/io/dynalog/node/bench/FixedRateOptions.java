package io.dynalog.node.bench;

import java.net.URI;
import picocli.CommandLine.Option;

/** The options of the benchmarks that write at a fixed rate and measure a lag (a picocli mixin). */
final class FixedRateOptions {
    @Option(names = "--endpoint", defaultValue = "http://localhost:8000", description = "The node's endpoint (default: ${DEFAULT-VALUE}).")
    URI endpoint;

    @Option(names = "--rate", defaultValue = "1000", description = "Writes per second for the lag measurement (default: ${DEFAULT-VALUE}).")
    int ratePerSecond;

    @Option(names = "--duration-s", defaultValue = "20", description = "Measured seconds per part (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--warmup-s", defaultValue = "5", description = "Unrecorded seconds before each part (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    FixedRateWrites writes() {
        return new FixedRateWrites(ratePerSecond, warmupSeconds, durationSeconds);
    }
}
