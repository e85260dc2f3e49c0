package io.dynalog.ingest.sim;

import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wire.WalEntryCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The WAL topics of a simulation, as Kafka keeps them: per partition, a log of records at
 * increasing offsets, each keyed by its item (all NOOPs share one key), compacted now and then
 * (of the records below a cleaning point, only the last of each key stays; offsets do not move).
 * Appends are made by {@link WritePathSimulation}, which decides when each lands; this class
 * only keeps the logs and checks what lands.
 *
 * <p>Checked as records land: the WAL never holds two different values for one slot (only
 * chosen values are appended, and one value is chosen per slot).
 */
final class SimKafka {
    /** One record: its offset, the entry, and its bytes as the leader appended them. */
    record Record(long offset, WalEntry entry, byte[] value, long landedAtMs) {
        String key() {
            return entry.kind() == WalEntry.Kind.NOOP ? "noop" : java.util.HexFormat.of().formatHex(entry.storeKey());
        }
    }

    /** One WAL partition: records by offset (null where compaction removed one). */
    static final class Log {
        final List<Record> records = new ArrayList<>();
        /** Every record that landed, compacted or not, with when it landed: for failure reports. */
        final List<String> landings = new ArrayList<>();
        final Map<Long, byte[]> valueBySlot = new HashMap<>();

        long endOffset() {
            return records.size();
        }

        /** The record at {@code offset}, or null if compaction removed it. */
        Record at(long offset) {
            return records.get((int) offset);
        }
    }

    private final Map<String, Log> logs = new HashMap<>();

    Log log(String topic, int partition) {
        return logs.computeIfAbsent(topic + "/" + partition, k -> new Log());
    }

    /** Appends {@code entry} to its partition; returns its offset, or throws if its slot holds another value. */
    long land(String topic, WalEntry entry, long nowMs) {
        return land(topic, entry, nowMs, "");
    }

    long land(String topic, WalEntry entry, long nowMs, String from) {
        Log log = log(topic, entry.partition());
        byte[] value = WalEntryCodec.encode(entry);
        byte[] earlier = log.valueBySlot.putIfAbsent(entry.slot(), value);
        if (earlier != null && !Arrays.equals(earlier, value)) {
            throw new AssertionError("WAL " + topic + "/" + entry.partition() + " holds two values for slot " + entry.slot());
        }
        long offset = log.endOffset();
        log.records.add(new Record(offset, entry, value, nowMs));
        log.landings.add("t=" + nowMs + " " + from + " offset " + offset + " slot " + entry.slot() + " ballot " + entry.ballot() + " " + entry.kind()
                + (entry.newImage() == null ? "" : " " + entry.newImage()));
        return offset;
    }

    /**
     * Compacts a partition: of the records that landed before {@code landedBeforeMs} (the
     * compaction lag: younger ones are never compacted), only the last of each key stays. Deletes
     * stay too (tombstones are kept for a day in production; a simulation is shorter).
     */
    void compact(String topic, int partition, long landedBeforeMs) {
        Log log = log(topic, partition);
        long bound = 0;
        while (bound < log.endOffset() && (log.at(bound) == null || log.at(bound).landedAtMs() < landedBeforeMs)) bound++;
        Map<String, Long> last = new HashMap<>();
        for (long o = 0; o < bound; o++) {
            Record r = log.at(o);
            if (r != null) last.put(r.key(), o);
        }
        for (long o = 0; o < bound; o++) {
            Record r = log.at(o);
            if (r != null && last.get(r.key()) != o) log.records.set((int) o, null);
        }
    }
}
