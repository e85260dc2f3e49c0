package io.dynalog.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.ingest.KafkaWalAppender;
import io.dynalog.node.kafka.SharedTestKafka;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wire.WalEntryCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The WAL appender against the real broker: a leader that died inside a transaction (its
 * records sent, never committed) holds back no replica once the next leader appends, because
 * the next leader's producer has the partition's transactional id and ends that transaction;
 * and what the dead leader sent is never read.
 */
class WalAppenderKafkaTest {
    private static final Ballot BALLOT = new Ballot(1, 1);

    @Test
    void aNewLeaderEndsTheTransactionTheDeadLeaderLeftOpen() throws Exception {
        String topic = "walkafka" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + ".wal.t.1";
        NodeConfig config = NodeConfig.singleNode(0, SharedTestKafka.bootstrapServers(), Path.of("unused"));
        try (Admin admin = KafkaClients.admin(config)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        String transactionalId = topic + ".0.writer";

        // The old leader: slot 1 committed, slot 2 sent in a transaction it never ends (SIGKILL).
        KafkaProducer<byte[], byte[]> dead = KafkaClients.walProducer(config, transactionalId);
        dead.initTransactions();
        dead.beginTransaction();
        dead.send(record(topic, entry(1, "committed")));
        dead.commitTransaction();
        dead.beginTransaction();
        dead.send(record(topic, entry(2, "never-committed"))).get(10, TimeUnit.SECONDS);
        dead.flush();

        ExecutorService executor = Executors.newFixedThreadPool(2);
        long startNs = System.nanoTime();
        try (KafkaWalAppender next = new KafkaWalAppender(id -> KafkaClients.walProducer(config, id), executor);
             KafkaConsumer<byte[], byte[]> replica = KafkaClients.assignedConsumer(config, "test")) {
            next.append(topic, entry(2, "chosen"), true).get(10, TimeUnit.SECONDS);
            next.append(topic, entry(3, "chosen"), false).get(10, TimeUnit.SECONDS);

            TopicPartition tp = new TopicPartition(topic, 0);
            replica.assign(List.of(tp));
            replica.seekToBeginning(List.of(tp));
            List<String> read = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (read.size() < 3 && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : replica.poll(Duration.ofMillis(100))) {
                    WalEntry e = WalEntryCodec.decode(r.value());
                    read.add(e.slot() + ":" + ((AttributeValue.S) e.newImage().get("v")).value());
                }
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertThat(read).containsExactly("1:committed", "2:chosen", "3:chosen");
            assertThat(tookMs).as("well before the dead leader's transaction would time out (30 s)").isLessThan(10_000);
        } finally {
            executor.shutdownNow();
            dead.close(Duration.ZERO);
        }
    }

    private static WalEntry entry(long slot, String value) {
        byte[] key = ("k" + slot).getBytes(StandardCharsets.UTF_8);
        return new WalEntry(1, 0, slot, BALLOT, WalEntry.Kind.PUT, key, Map.of("v", new AttributeValue.S(value)), null, 0);
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, WalEntry e) {
        return new ProducerRecord<>(topic, 0, e.storeKey(), WalEntryCodec.encode(e));
    }
}
