package io.dynalog.replica.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.keys.KeyCodec;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.topology.model.TableStream;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.ChangeRecord;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wire.WalEntryCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The sequencer over a map state: each slot once, in slot order, whatever the WAL's order. */
class ChangeSequencerTest {
    static final KeySchema KEY = KeySchema.hash("pk", ScalarType.S);
    static final TableStream STREAM = new TableStream(9, TableStream.ViewType.NEW_AND_OLD_IMAGES, 1_000, 0, "dynalog.changes.t.9");
    static final TableDescriptor TABLE = new TableDescriptor("t", 7, KEY, List.of(new TableDescriptor.AttributeDefinition("pk", ScalarType.S)),
            "PAY_PER_REQUEST", 0, 0, 1, 0, TableStatus.ACTIVE, "wal", List.of(List.of(1))).withStream(STREAM);
    static final long COMPACTION_LAG_MS = 60_000;

    final ChangeSequencer sequencer = new ChangeSequencer(TABLE, STREAM, COMPACTION_LAG_MS);
    final MapState state = new MapState();
    final List<ChangeRecord> out = new ArrayList<>();

    static final class MapState implements ChangeSequencer.State {
        ChangeSequencer.Progress progress;
        final TreeMap<Long, byte[]> held = new TreeMap<>();

        public ChangeSequencer.Progress progress() { return progress; }
        public void progress(ChangeSequencer.Progress p) { progress = p; }
        public void hold(long slot, byte[] e) { held.put(slot, e); }
        public byte[] held(long slot) { return held.get(slot); }
        public void release(long slot) { held.remove(slot); }
        public Long firstHeld() { return held.isEmpty() ? null : held.firstKey(); }
    }

    static Map<String, AttributeValue> item(String pk, int v) {
        return Map.of("pk", AttributeValue.s(pk), "v", AttributeValue.n(Integer.toString(v)));
    }

    static WalEntry put(long slot, String pk, int v, Map<String, AttributeValue> old, long atMs) {
        return new WalEntry(7, 0, slot, new Ballot(1, 1), WalEntry.Kind.PUT, KeyCodec.storeKey(KEY, item(pk, v)), item(pk, v), old, atMs);
    }

    static WalEntry delete(long slot, String pk, Map<String, AttributeValue> old, long atMs) {
        return new WalEntry(7, 0, slot, new Ballot(1, 1), WalEntry.Kind.DELETE, KeyCodec.storeKey(KEY, old), null, old, atMs);
    }

    void feed(WalEntry e, long nowMs) {
        sequencer.accept(e, WalEntryCodec.encode(e), state, nowMs).forEach(x -> out.add(x.change()));
    }

    @Test
    void everySlotOnceInSlotOrderAfterTheStreamStarted() {
        feed(put(1, "a", 0, null, 500), 0);                 // before the stream: not a change of it
        feed(put(2, "a", 1, item("a", 0), 1_000), 0);        // the stream starts here
        feed(put(4, "a", 3, item("a", 2), 1_002), 0);        // early: held until slot 3
        feed(put(2, "a", 1, item("a", 0), 1_000), 0);        // duplicate
        feed(put(3, "a", 2, item("a", 1), 1_001), 0);
        feed(put(3, "a", 2, item("a", 1), 1_001), 0);        // re-appended
        feed(WalEntry.noop(7, 0, 5, new Ballot(2, 1), 1_003), 0);
        feed(put(6, "a", 3, item("a", 3), 1_003), 0);        // unchanged: no record
        feed(delete(7, "a", item("a", 3), 1_003), 0);
        assertThat(out).extracting(ChangeRecord::slot).containsExactly(2L, 3L, 4L, 7L);
        assertThat(out).extracting(ChangeRecord::eventName).containsExactly(ChangeRecord.EventName.MODIFY,
                ChangeRecord.EventName.MODIFY, ChangeRecord.EventName.MODIFY, ChangeRecord.EventName.REMOVE);
        assertThat(out).extracting(ChangeRecord::sequenceNumber).isSorted().doesNotHaveDuplicates();
        assertThat(out.get(3).newImage()).isNull();
        assertThat(out.get(3).oldImage()).isEqualTo(item("a", 3));
        assertThat(out.get(0).keys()).isEqualTo(Map.of("pk", AttributeValue.s("a")));
        assertThat(state.held).isEmpty();
    }

    /** Compaction removes only entries older than its lag: a younger gap is a late slot, waited for however long. */
    @Test
    void aLateSlotIsWaitedForAndOnlyAGapCompactionCanExplainIsSkipped() {
        feed(put(1, "a", 1, null, 1_000), 1_000);
        feed(put(3, "b", 1, null, 1_001), 1_001);
        assertThat(sequencer.skipCompactedGaps(state, 1_001 + COMPACTION_LAG_MS - 1)).isEmpty();
        feed(put(2, "c", 1, null, 1_000), 1_001 + COMPACTION_LAG_MS - 1);
        assertThat(out).extracting(ChangeRecord::slot).containsExactly(1L, 2L, 3L);

        // The stream was more than the lag behind: slot 5 may have been compacted away.
        feed(put(6, "d", 1, null, 2_000), 2_000 + COMPACTION_LAG_MS + 1);
        assertThat(out).extracting(ChangeRecord::slot).containsExactly(1L, 2L, 3L, 6L);
        feed(put(5, "e", 1, null, 1_999), 2_000 + COMPACTION_LAG_MS + 2); // passed: dropped
        assertThat(out).hasSize(4);
        assertThat(state.held).isEmpty();
        assertThat(state.progress().heldEntries()).isZero();
    }

    @Test
    void aDisabledStreamCarriesOnlyChangesChosenBeforeIt() {
        ChangeSequencer disabled = new ChangeSequencer(TABLE, STREAM.disabledAt(1_002), COMPACTION_LAG_MS);
        for (WalEntry e : List.of(put(1, "a", 1, null, 999), put(2, "a", 2, item("a", 1), 1_001), put(3, "a", 3, item("a", 2), 1_002))) {
            disabled.accept(e, WalEntryCodec.encode(e), state, 5_000).forEach(x -> out.add(x.change()));
        }
        assertThat(out).extracting(ChangeRecord::slot).containsExactly(2L);
    }

    @Test
    void sequenceNumbersNeverGoBackEvenWhenTheLeadersClockDoes() {
        feed(put(1, "a", 1, null, 2_000), 10_000);
        feed(put(2, "b", 1, null, 1_500), 10_000);
        feed(put(3, "c", 1, null, 2_000), 10_000);
        assertThat(out).extracting(ChangeRecord::sequenceNumber)
                .containsExactly("000000000002000000000", "000000000002000000001", "000000000002000000002");
        assertThat(ChangeRecord.sequenceMs(out.get(2).sequenceNumber())).isEqualTo(2_000);
        // A leader's clock far ahead does not push the partition into the future.
        feed(put(4, "d", 1, null, 900_000), 3_000);
        assertThat(ChangeRecord.sequenceMs(out.get(3).sequenceNumber())).isEqualTo(3_000);
    }
}
