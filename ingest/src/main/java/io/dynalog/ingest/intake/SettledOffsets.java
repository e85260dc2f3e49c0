package io.dynalog.ingest.intake;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which request offsets may be committed: per partition, the records started in offset order,
 * each marked once its reply settled; the committable offset is the one after the longest
 * settled prefix, so a record is never committed before every earlier one settled (at least
 * once, whatever order requests finish in).
 *
 * <p>Threading: {@link #started}, {@link #committable} and {@link #forget} run on the intake's
 * loop only; {@link Ticket#settle} on any thread.
 */
final class SettledOffsets {
    /** One record in flight. */
    static final class Ticket {
        final long offset;
        private volatile boolean settled;

        private Ticket(long offset) {
            this.offset = offset;
        }

        void settle() {
            settled = true;
        }
    }

    private final Map<TopicPartition, ArrayDeque<Ticket>> byPartition = new HashMap<>();

    Ticket started(TopicPartition tp, long offset) {
        Ticket t = new Ticket(offset);
        byPartition.computeIfAbsent(tp, p -> new ArrayDeque<>()).addLast(t);
        return t;
    }

    /** The offsets to commit now: for each partition with a newly settled prefix, the next offset after it. */
    Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Iterator<Map.Entry<TopicPartition, ArrayDeque<Ticket>>> it = byPartition.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TopicPartition, ArrayDeque<Ticket>> e = it.next();
            ArrayDeque<Ticket> tickets = e.getValue();
            long next = -1;
            while (!tickets.isEmpty() && tickets.peekFirst().settled) next = tickets.pollFirst().offset + 1;
            if (next >= 0) offsets.put(e.getKey(), new OffsetAndMetadata(next));
            if (tickets.isEmpty()) it.remove();
        }
        return offsets;
    }

    /** Whether every record of {@code partitions} started so far has settled. */
    boolean allSettled(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            ArrayDeque<Ticket> tickets = byPartition.get(tp);
            if (tickets != null) {
                for (Ticket t : tickets) if (!t.settled) return false;
            }
        }
        return true;
    }

    /** Stops tracking partitions this member no longer owns (their records run again elsewhere). */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(byPartition::remove);
    }
}
