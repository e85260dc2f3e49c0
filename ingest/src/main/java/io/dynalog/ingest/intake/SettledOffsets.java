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
 * <p>An offset stays committable until a commit of it (or of a later one) is confirmed
 * ({@link #committed}): a commit that fails is made again with the next, even on a partition that
 * gets no more records, so an idle partition's committed offset does not stay behind (a request
 * run again after the idempotency window could take effect twice).
 *
 * <p>Threading: everything but {@link Ticket#settle} runs on the intake's loop (commit callbacks
 * included); {@link Ticket#settle} on any thread.
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
    /** Per partition, the offset to commit that no commit has been confirmed for yet. */
    private final Map<TopicPartition, Long> unconfirmed = new HashMap<>();

    Ticket started(TopicPartition tp, long offset) {
        Ticket t = new Ticket(offset);
        byPartition.computeIfAbsent(tp, p -> new ArrayDeque<>()).addLast(t);
        return t;
    }

    /**
     * The offsets to commit now: for each partition, the offset after its longest settled prefix,
     * unless a commit of it was confirmed already.
     */
    Map<TopicPartition, OffsetAndMetadata> committable() {
        for (Iterator<Map.Entry<TopicPartition, ArrayDeque<Ticket>>> it = byPartition.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TopicPartition, ArrayDeque<Ticket>> e = it.next();
            ArrayDeque<Ticket> tickets = e.getValue();
            long next = -1;
            while (!tickets.isEmpty() && tickets.peekFirst().settled) next = tickets.pollFirst().offset + 1;
            if (next >= 0) unconfirmed.merge(e.getKey(), next, Math::max);
            if (tickets.isEmpty()) it.remove();
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        unconfirmed.forEach((tp, next) -> offsets.put(tp, new OffsetAndMetadata(next)));
        return offsets;
    }

    /** A commit of these offsets succeeded: they need not be committed again. */
    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, committed) -> unconfirmed.computeIfPresent(tp, (p, next) -> next <= committed.offset() ? null : next));
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
        for (TopicPartition tp : partitions) {
            byPartition.remove(tp);
            unconfirmed.remove(tp);
        }
    }
}
