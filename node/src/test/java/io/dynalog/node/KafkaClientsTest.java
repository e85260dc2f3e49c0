package io.dynalog.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.ingest.KafkaWalAppender;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WAL producer runs on the replication loop, which must never block: an append whose topic's
 * metadata is not known (here: no broker at all) fails at once rather than waiting for it.
 */
class KafkaClientsTest {
    @TempDir
    Path dir;

    @Test
    void aWalAppendThatCannotBeBufferedFailsAtOnceInsteadOfBlocking() {
        NodeConfig config = NodeConfig.singleNode(0, "127.0.0.1:1", dir); // nothing listens on port 1
        try (KafkaWalAppender appender = new KafkaWalAppender(KafkaClients.producer(config))) {
            WalEntry entry = new WalEntry(7, 0, 1, new Ballot(1, 1), WalEntry.Kind.PUT, new byte[] {1},
                    Map.of("pk", io.dynalog.topology.model.AttributeValue.s("a")), null, 0, null);
            CompletableFuture<Long> appended = appender.append("dynalog.wal.none", entry);
            assertThat(appended).as("failed when append() returned, not later").isCompletedExceptionally();
        }
    }
}
