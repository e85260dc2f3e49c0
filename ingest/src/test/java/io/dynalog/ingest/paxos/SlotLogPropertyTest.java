package io.dynalog.ingest.paxos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link SlotLog} behaves like a sorted map of the slots above its moving start, through growth and wraparound. */
class SlotLogPropertyTest {

    /** An operation: put at (window start + offset), or truncate through (window start + offset - 1). */
    record Op(boolean put, int offset) {}

    @Provide
    Arbitrary<List<Op>> scripts() {
        Arbitrary<Op> op = Arbitraries.integers().between(0, 40).flatMap(offset ->
                Arbitraries.of(true, true, false).map(put -> new Op(put, offset)));
        return op.list().ofMaxSize(200);
    }

    @Property
    void matchesASortedMapModel(@ForAll("scripts") List<Op> script) {
        SlotLog<Long> log = new SlotLog<>(5);
        TreeMap<Long, Long> model = new TreeMap<>();
        long start = 5;
        for (Op op : script) {
            long slot = start + op.offset();
            if (op.put()) {
                log.put(slot, slot * 10);
                model.put(slot, slot * 10);
            } else {
                log.truncateThrough(slot - 1);
                model.headMap(slot, false).clear();
                start = Math.max(start, slot);
            }
            assertThat(log.firstSlot()).isEqualTo(start);
            for (long s = start - 2; s < start + 45; s++) {
                assertThat(log.get(s)).as("slot %d", s).isEqualTo(model.get(s));
            }
            long expectedEnd = model.isEmpty() ? start : Math.max(start, model.lastKey() + 1);
            assertThat(log.endSlot()).isGreaterThanOrEqualTo(expectedEnd);
        }
    }
}
