package io.dynalog.node.bench;

import picocli.CommandLine.Option;

/** Where the benchmarks that use Kafka directly find the cluster's topics (a picocli mixin). */
final class KafkaOptions {
    @Option(names = "--kafka", defaultValue = "localhost:9092",
            description = "The cluster's Kafka bootstrap servers (default: ${DEFAULT-VALUE}; dev prints them).")
    String bootstrapServers;

    @Option(names = "--topic-prefix", defaultValue = "dynalog", description = "The cluster's topic prefix (default: ${DEFAULT-VALUE}).")
    String topicPrefix;
}
