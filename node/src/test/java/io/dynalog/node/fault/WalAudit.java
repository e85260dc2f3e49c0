package io.dynalog.node.fault;

import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wal.WalRecords;
import io.dynalog.topology.wire.WalEntryCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a table's WAL topic from its start and checks what compaction relies on: the last record
 * of every item carries the item's newest entry (its highest slot). A record of an older slot
 * that landed after a newer one (a deposed leader's late append) is harmless to replicas, which
 * skip it by slot, but it is what compaction would keep, dropping the newer write for any replica
 * built from the compacted WAL later.
 *
 * <p>Reads with {@code read_uncommitted} (the WAL is not transactional) and ignores NOOPs, which
 * share one key and carry no item.
 */
public final class WalAudit {

    /**
     * @param records records read
     * @param items distinct items seen
     * @param laterOlder records that landed after a record of a newer slot of their item (healed
     *     or not)
     * @param staleLast items whose last record is not their newest entry, with a description of each
     */
    public record Report(long records, int items, long laterOlder, List<String> staleLast) {
        @Override
        public String toString() {
            return String.format("%d records of %d items; %d landed after a newer record of their item; "
                    + "items whose last record is not their newest entry: %d %s", records, items, laterOlder, staleLast.size(),
                    staleLast.stream().limit(5).toList());
        }
    }

    private WalAudit() {}

    /** Audits every WAL topic of the table named {@code tableName} on the cluster at {@code bootstrap}. */
    public static Report audit(String bootstrap, String tableName) throws Exception {
        Set<String> topics;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            topics = admin.listTopics().names().get().stream()
                    .filter(t -> t.contains(".wal." + tableName + ".")).collect(Collectors.toSet());
        }
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        long records = 0;
        long laterOlder = 0;
        /** Per item (hex store key): the slot of its newest record so far and the slot of its last one. */
        Map<String, long[]> newestAndLast = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo p : consumer.partitionsFor(topic)) partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("the WAL was not read to its end within 60 s");
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (Arrays.equals(r.key(), WalRecords.NOOP_KEY)) continue;
                    WalEntry entry = decode(r);
                    records++;
                    String item = r.topic() + "/" + HexFormat.of().formatHex(r.key());
                    long[] seen = newestAndLast.computeIfAbsent(item, k -> new long[] {0, 0});
                    if (entry.slot() < seen[0]) laterOlder++;
                    seen[0] = Math.max(seen[0], entry.slot());
                    seen[1] = entry.slot();
                }
            }
        }
        List<String> staleLast = new ArrayList<>();
        newestAndLast.forEach((item, seen) -> {
            if (seen[1] != seen[0]) staleLast.add(item + ": last record slot " + seen[1] + ", newest slot " + seen[0]);
        });
        return new Report(records, newestAndLast.size(), laterOlder, staleLast);
    }

    private static WalEntry decode(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() != null) return WalEntryCodec.decode(r.value());
        Header h = r.headers().lastHeader(WalRecords.ENTRY_HEADER);
        if (h == null) throw new IllegalStateException("a tombstone without its entry at " + r.topic() + "/" + r.partition() + "@" + r.offset());
        return WalEntryCodec.decode(h.value());
    }
}
