package io.dynalog.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DevCommandTest {
    @TempDir
    Path dir;

    @Test
    void brokerPropertiesAreCollectedInOrder() {
        DynalogCli.Dev dev = new DynalogCli.Dev();
        new CommandLine(dev).parseArgs("--kafka-config", "num.io.threads=2", "--kafka-config", "num.network.threads=1");
        assertThat(dev.kafkaConfig).containsExactly(
                java.util.Map.entry("num.io.threads", "2"), java.util.Map.entry("num.network.threads", "1"));
        assertThat(dev.bootstrapServers).isNull();
    }

    /** Broker properties with an external cluster would be silently ignored: refused instead, before anything starts. */
    @Test
    void brokerPropertiesWithAnExternalClusterAreAUsageError() {
        DynalogCli.Dev dev = new DynalogCli.Dev();
        new CommandLine(dev).parseArgs("--data-dir", dir.toString(), "--bootstrap-servers", "127.0.0.1:1",
                "--kafka-config", "num.io.threads=2");
        assertThatThrownBy(dev::call).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--kafka-config").hasMessageContaining("--bootstrap-servers");
    }
}
