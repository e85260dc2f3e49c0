package io.dynalog.replica.stream;

import io.dynalog.topology.keys.KeyCodec;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.ItemSize;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStream;
import io.dynalog.topology.wal.ChangeRecord;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wire.WalEntryCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one WAL partition's entries, in the order Kafka holds them, into the partition's change
 * stream: every slot once, in slot order, whatever duplicates and reorderings the WAL holds.
 *
 * <p>Why slot order is enough, and needed: slots are dense per partition and every chosen slot
 * reaches the WAL (a no-op included), but a failed append made again, or a new leader appending
 * what it recovered, can put a slot after later ones, or twice. Emitting in WAL order would then
 * drop or repeat changes, or put an item's changes out of order. So the sequencer emits the next
 * slot it expects, holds entries that come early until the gap before them fills, and drops
 * slots it has passed (duplicates).
 *
 * <p>A gap that stays open for {@code gapTimeoutMs} is skipped, with a warning: only compaction
 * removes a slot for good (the WAL keeps every entry for its point-in-time window), so that means
 * the stream fell that far behind.
 *
 * <p>The stream starts at the first entry chosen at or after its creation; earlier ones are not
 * changes of this stream. Sequence numbers ({@link ChangeRecord#sequenceNumber}) are the time of
 * the change in ms, never below the previous one's, and a counter within the ms: they increase
 * along the partition, and each record's Kafka timestamp is its ms, so a sequence number leads to
 * its offset through Kafka's time index.
 *
 * <p>The state ({@link State}) lives in the caller's store: the derivation keeps it in Kafka
 * Streams state stores, committed with its output (exactly once).
 */
final class ChangeSequencer {
    private static final Logger log = LoggerFactory.getLogger(ChangeSequencer.class);
    static final long NO_GAP = -1;

    /** Where a partition's progress and early entries are kept. */
    interface State {
        Progress progress();

        void progress(Progress progress);

        /** Holds an entry that came before the slots below it. */
        void hold(long slot, byte[] encodedEntry);

        /** The held entry of {@code slot}, or null. */
        byte[] held(long slot);

        void release(long slot);

        /** The lowest slot held, or null. */
        Long firstHeld();
    }

    /**
     * @param nextSlot the next slot the stream takes
     * @param lastSequenceMs and {@code sequenceInMs}: the last sequence number given
     * @param gapSinceMs since when entries wait for a missing slot ({@link #NO_GAP} when none do)
     */
    record Progress(long nextSlot, long lastSequenceMs, int sequenceInMs, long gapSinceMs) {}

    /** A change to send: the item's store key, the record, and its Kafka timestamp. */
    record Emitted(byte[] storeKey, ChangeRecord change, long timestampMs) {}

    private final TableDescriptor table;
    private final TableStream stream;
    private final long gapTimeoutMs;

    ChangeSequencer(TableDescriptor table, TableStream stream, long gapTimeoutMs) {
        this.table = Objects.requireNonNull(table, "table");
        this.stream = Objects.requireNonNull(stream, "stream");
        this.gapTimeoutMs = gapTimeoutMs;
    }

    /** Takes one WAL entry of the partition; returns the changes it lets out, in order. */
    List<Emitted> accept(WalEntry entry, byte[] encodedEntry, State state, long nowMs) {
        Progress p = state.progress();
        if (p == null) {
            if (entry.timestampMs() < stream.createdAtMs()) return List.of();
            p = new Progress(entry.slot(), 0, 0, NO_GAP);
        }
        if (entry.slot() < p.nextSlot()) return List.of();
        if (entry.slot() > p.nextSlot()) {
            if (state.held(entry.slot()) == null) state.hold(entry.slot(), encodedEntry);
            if (p.gapSinceMs() == NO_GAP) p = new Progress(p.nextSlot(), p.lastSequenceMs(), p.sequenceInMs(), nowMs);
            state.progress(p);
            return List.of();
        }
        List<Emitted> out = new ArrayList<>();
        p = emit(entry, p, out);
        state.progress(drain(p, state, out, nowMs));
        return out;
    }

    /** Skips a gap that has stayed open too long; returns the changes that then come out. */
    List<Emitted> expireGap(State state, long nowMs) {
        Progress p = state.progress();
        if (p == null || p.gapSinceMs() == NO_GAP || nowMs - p.gapSinceMs() < gapTimeoutMs) return List.of();
        Long first = state.firstHeld();
        if (first == null) {
            state.progress(new Progress(p.nextSlot(), p.lastSequenceMs(), p.sequenceInMs(), NO_GAP));
            return List.of();
        }
        log.warn("the change stream of table {} skips slots {}..{} of a partition: they were not in the WAL after {} ms "
                + "(compacted away while the stream was behind)", table.name(), p.nextSlot(), first - 1, gapTimeoutMs);
        List<Emitted> out = new ArrayList<>();
        p = new Progress(first, p.lastSequenceMs(), p.sequenceInMs(), NO_GAP);
        state.progress(drain(p, state, out, nowMs));
        return out;
    }

    private Progress drain(Progress p, State state, List<Emitted> out, long nowMs) {
        byte[] held;
        while ((held = state.held(p.nextSlot())) != null) {
            state.release(p.nextSlot());
            p = emit(WalEntryCodec.decode(held), p, out);
        }
        long gapSince = state.firstHeld() == null ? NO_GAP : nowMs;
        return new Progress(p.nextSlot(), p.lastSequenceMs(), p.sequenceInMs(), gapSince);
    }

    /** Passes the entry's slot, adding its change to {@code out} when it changed an item. */
    private Progress emit(WalEntry entry, Progress p, List<Emitted> out) {
        Map<String, AttributeValue> newImage = entry.kind() == WalEntry.Kind.PUT ? entry.newImage() : null;
        Map<String, AttributeValue> oldImage = entry.oldImage();
        // DynamoDB writes no stream record for a write that leaves the item as it was.
        if (entry.kind() == WalEntry.Kind.NOOP || Objects.equals(newImage, oldImage)) {
            return new Progress(entry.slot() + 1, p.lastSequenceMs(), p.sequenceInMs(), p.gapSinceMs());
        }
        long sequenceMs = Math.max(p.lastSequenceMs(), entry.timestampMs());
        int inMs = sequenceMs == p.lastSequenceMs() ? p.sequenceInMs() + 1 : 0;
        if (inMs == ChangeRecord.SEQUENCES_PER_MS) {
            sequenceMs++;
            inMs = 0;
        }
        ChangeRecord.EventName event = oldImage == null ? ChangeRecord.EventName.INSERT
                : newImage == null ? ChangeRecord.EventName.REMOVE : ChangeRecord.EventName.MODIFY;
        Map<String, AttributeValue> keys = KeyCodec.decodeKey(table.keySchema(), entry.storeKey());
        Map<String, AttributeValue> carriedNew = stream.carriesNewImage() ? newImage : null;
        Map<String, AttributeValue> carriedOld = stream.carriesOldImage() ? oldImage : null;
        long sizeBytes = ItemSize.of(keys) + (carriedNew == null ? 0 : ItemSize.of(carriedNew)) + (carriedOld == null ? 0 : ItemSize.of(carriedOld));
        ChangeRecord change = new ChangeRecord(table.name(), table.tableId(), stream.streamId(), event, entry.partition(), entry.slot(),
                ChangeRecord.sequenceNumber(sequenceMs, inMs), entry.timestampMs(), stream.viewType(), keys, carriedNew, carriedOld, sizeBytes);
        out.add(new Emitted(entry.storeKey(), change, sequenceMs));
        return new Progress(entry.slot() + 1, sequenceMs, inMs, p.gapSinceMs());
    }

}
