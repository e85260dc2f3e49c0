package io.dynalog.ingest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The writes waiting at a partition's leader: one first-in first-out queue per item. Confined to
 * the replication loop.
 *
 * <p>Invariants: only the head of an item's queue is ever resolved, and it stays the head until
 * it completes, so the writes to one item are resolved one at a time, each against the state the
 * one before it left (serialised), while writes to different items go side by side; an item's
 * queue exists only while it holds a write; {@link #size()} counts every write queued.
 */
final class ItemWriteQueues {
    private final Map<StoreKey, ArrayDeque<PendingWrite>> byItem = new HashMap<>();
    private int size;

    int size() {
        return size;
    }

    /** Queues {@code w} behind the earlier writes to its item; true when it is the head (it may be resolved now). */
    boolean add(PendingWrite w) {
        ArrayDeque<PendingWrite> queue = byItem.computeIfAbsent(w.key, k -> new ArrayDeque<>());
        queue.addLast(w);
        size++;
        return queue.size() == 1;
    }

    /** {@code w} completed: when it is its item's head it leaves the queue; returns the item's next head, or null. */
    PendingWrite completeHead(PendingWrite w) {
        ArrayDeque<PendingWrite> queue = byItem.get(w.key);
        if (queue == null || queue.peekFirst() != w) return null;
        queue.pollFirst();
        size--;
        if (queue.isEmpty()) {
            byItem.remove(w.key);
            return null;
        }
        return queue.peekFirst();
    }

    /** True when {@code w} is queued and first for its item. */
    boolean isHead(PendingWrite w) {
        ArrayDeque<PendingWrite> queue = byItem.get(w.key);
        return queue != null && queue.peekFirst() == w;
    }

    /** The head of every item's queue. */
    List<PendingWrite> heads() {
        List<PendingWrite> heads = new ArrayList<>(byItem.size());
        for (ArrayDeque<PendingWrite> q : byItem.values()) heads.add(q.peekFirst());
        return heads;
    }

    /**
     * Removes the writes not yet resolved whose deadline passed; returns them. {@code newHeads}
     * receives the writes that became their item's head by it.
     */
    List<PendingWrite> removeExpired(long nowMs, List<PendingWrite> newHeads) {
        List<PendingWrite> expired = new ArrayList<>();
        for (Iterator<ArrayDeque<PendingWrite>> queues = byItem.values().iterator(); queues.hasNext(); ) {
            ArrayDeque<PendingWrite> queue = queues.next();
            PendingWrite headBefore = queue.peekFirst();
            for (Iterator<PendingWrite> it = queue.iterator(); it.hasNext(); ) {
                PendingWrite w = it.next();
                if (!w.resolved && nowMs >= w.deadlineMs) {
                    it.remove();
                    expired.add(w);
                    size--;
                }
            }
            if (queue.isEmpty()) {
                queues.remove();
            } else if (queue.peekFirst() != headBefore) {
                newHeads.add(queue.peekFirst());
            }
        }
        return expired;
    }

    /** Empties every queue; returns what they held. */
    List<PendingWrite> clear() {
        List<PendingWrite> all = new ArrayList<>(size);
        for (ArrayDeque<PendingWrite> q : byItem.values()) all.addAll(q);
        byItem.clear();
        size = 0;
        return all;
    }
}
