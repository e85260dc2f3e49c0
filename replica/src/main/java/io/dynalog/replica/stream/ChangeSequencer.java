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
 * <p>A missing slot is waited for, however long, unless compaction may have removed it: the WAL
 * compacts only entries older than its compaction lag (the point-in-time window), so a gap is
 * skipped, with a warning, only when the entry held after it is older than that (the stream was
 * that far behind). A slot that is merely late is never skipped.
 *
 * <p>The stream carries the writes chosen while it was enabled ({@link TableStream#carries}, by
 * the leader's clock): its first change is the first such entry the WAL holds, so a write
 * concurrent with enabling the stream may be left out, as in DynamoDB. Sequence numbers
 * ({@link ChangeRecord#sequenceNumber}) are the time of the change in ms, never below the
 * previous one's nor above the sequencer's clock (a leader's clock running ahead does not push
 * the partition into the future), and a counter within the ms: they increase along the partition,
 * and each record's Kafka timestamp is its ms, so a sequence number leads to its offset through
 * Kafka's time index.
 *
 * <p>The state ({@link State}) lives in the caller's store: the derivation keeps it in Kafka
 * Streams state stores, committed with its output (exactly once).
 */
final class ChangeSequencer {
    private static final Logger log = LoggerFactory.getLogger(ChangeSequencer.class);

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
     * @param lastSequenceMs and {@code counterWithinMs}: the last sequence number given
     * @param heldEntries how many entries wait for a missing slot (so the store is searched only then)
     */
    record Progress(long nextSlot, long lastSequenceMs, int counterWithinMs, int heldEntries) {
        Progress withNextSlot(long slot) {
            return new Progress(slot, lastSequenceMs, counterWithinMs, heldEntries);
        }

        Progress withHeldEntries(int held) {
            return new Progress(nextSlot, lastSequenceMs, counterWithinMs, held);
        }
    }

    /** A change to send: the item's store key, the record, and its Kafka timestamp. */
    record Emitted(byte[] storeKey, ChangeRecord change, long timestampMs) {}

    private final TableDescriptor table;
    private final TableStream stream;
    private final long compactionLagMs;

    /** @param compactionLagMs how old a WAL entry must be before compaction may remove it */
    ChangeSequencer(TableDescriptor table, TableStream stream, long compactionLagMs) {
        this.table = Objects.requireNonNull(table, "table");
        this.stream = Objects.requireNonNull(stream, "stream");
        this.compactionLagMs = compactionLagMs;
    }

    /** Takes one WAL entry of the partition; returns the changes it lets out, in order. */
    List<Emitted> accept(WalEntry entry, byte[] encodedEntry, State state, long nowMs) {
        Progress p = state.progress();
        if (p == null) {
            if (!stream.carries(entry.timestampMs())) return List.of();
            p = new Progress(entry.slot(), 0, 0, 0);
        }
        if (entry.slot() < p.nextSlot()) return List.of();
        List<Emitted> out = new ArrayList<>();
        if (entry.slot() > p.nextSlot()) {
            if (state.held(entry.slot()) == null) {
                state.hold(entry.slot(), encodedEntry);
                p = p.withHeldEntries(p.heldEntries() + 1);
            }
        } else {
            p = drain(emit(entry, p, out, nowMs), state, out, nowMs);
        }
        state.progress(skipCompactedGaps(p, state, out, nowMs));
        return out;
    }

    /** Skips gaps compaction may have made (see the class comment); returns the changes that then come out. */
    List<Emitted> skipCompactedGaps(State state, long nowMs) {
        Progress p = state.progress();
        if (p == null || p.heldEntries() == 0) return List.of();
        List<Emitted> out = new ArrayList<>();
        state.progress(skipCompactedGaps(p, state, out, nowMs));
        return out;
    }

    private Progress skipCompactedGaps(Progress p, State state, List<Emitted> out, long nowMs) {
        while (p.heldEntries() > 0) {
            Long first = state.firstHeld();
            if (first == null) return p.withHeldEntries(0);
            WalEntry next = WalEntryCodec.decode(state.held(first));
            if (next.timestampMs() >= nowMs - compactionLagMs) return p;
            log.warn("the change stream of table {} skips slots {}..{} of partition {}: the WAL no longer holds them "
                    + "(compacted while the stream was more than {} ms behind)", table.name(), p.nextSlot(), first - 1,
                    next.partition(), compactionLagMs);
            state.release(first);
            p = emit(next, p.withNextSlot(first).withHeldEntries(p.heldEntries() - 1), out, nowMs);
            p = drain(p, state, out, nowMs);
        }
        return p;
    }

    private Progress drain(Progress p, State state, List<Emitted> out, long nowMs) {
        byte[] held;
        while (p.heldEntries() > 0 && (held = state.held(p.nextSlot())) != null) {
            state.release(p.nextSlot());
            p = emit(WalEntryCodec.decode(held), p.withHeldEntries(p.heldEntries() - 1), out, nowMs);
        }
        return p;
    }

    /** Passes the entry's slot, adding its change to {@code out} when it changed an item while the stream carried it. */
    private Progress emit(WalEntry entry, Progress p, List<Emitted> out, long nowMs) {
        Map<String, AttributeValue> newImage = entry.kind() == WalEntry.Kind.PUT ? entry.newImage() : null;
        Map<String, AttributeValue> oldImage = entry.oldImage();
        // DynamoDB writes no stream record for a write that leaves the item as it was.
        if (!entry.changesItem() || Objects.equals(newImage, oldImage) || !stream.carries(entry.timestampMs())) {
            return p.withNextSlot(entry.slot() + 1);
        }
        long sequenceMs = Math.max(p.lastSequenceMs(), Math.min(entry.timestampMs(), nowMs));
        int counter = sequenceMs == p.lastSequenceMs() ? p.counterWithinMs() + 1 : 0;
        if (counter == ChangeRecord.SEQUENCES_PER_MS) {
            sequenceMs++;
            counter = 0;
        }
        ChangeRecord.EventName event = oldImage == null ? ChangeRecord.EventName.INSERT
                : newImage == null ? ChangeRecord.EventName.REMOVE : ChangeRecord.EventName.MODIFY;
        Map<String, AttributeValue> keys = KeyCodec.decodeKey(table.keySchema(), entry.storeKey());
        Map<String, AttributeValue> carriedNew = stream.carriesNewImage() ? newImage : null;
        Map<String, AttributeValue> carriedOld = stream.carriesOldImage() ? oldImage : null;
        long sizeBytes = ItemSize.of(keys) + (carriedNew == null ? 0 : ItemSize.of(carriedNew)) + (carriedOld == null ? 0 : ItemSize.of(carriedOld));
        ChangeRecord change = new ChangeRecord(table.name(), table.tableId(), stream.streamId(), event, entry.partition(), entry.slot(),
                ChangeRecord.sequenceNumber(sequenceMs, counter), entry.timestampMs(), stream.viewType(), keys, carriedNew, carriedOld, sizeBytes);
        out.add(new Emitted(entry.storeKey(), change, sequenceMs));
        return new Progress(entry.slot() + 1, sequenceMs, counter, p.heldEntries());
    }
}
