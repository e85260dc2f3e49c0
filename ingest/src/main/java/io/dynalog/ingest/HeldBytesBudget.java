package io.dynalog.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The memory every replica group on a node may hold, together, for what the WAL may not have yet.
 *
 * <p>Every member of a group, followers too, keeps the entries its group chose until the WAL is
 * known to hold them (its acceptor's encoded copy and the decoded entry: about twice the bytes
 * counted here), and a leader keeps them in its overlay until its replica has applied them. While
 * Kafka is down that grows with every write, in every group at once. A per-group bound alone does
 * not bound a node that hosts many groups (measured: 400 KB items with Kafka stopped filled the
 * 512 MB heaps of a three-node cluster with two partitions well before each reached its own bound,
 * and the nodes spent their time in full collections). So a leader also refuses new writes
 * (OVERLOADED, retryable) while the groups of its node together hold more than this budget.
 *
 * <p>The sum is read when a write is accepted, from each group's own counters (written on the
 * replication loop, read without a lock): an estimate, which is all a memory bound needs.
 */
public final class HeldBytesBudget {
    /** No limit beyond each group's own (tests that do not exercise memory). */
    public static final HeldBytesBudget UNLIMITED = new HeldBytesBudget(Long.MAX_VALUE);
    /** The share of the heap the budget takes: counted bytes are held about twice (see above). */
    static final int HEAP_FRACTION = 8;

    private final long limitBytes;
    /** By group: a group restarted after it was fenced replaces its predecessor's count. */
    private final Map<String, LongSupplier> holders = new ConcurrentHashMap<>();

    public HeldBytesBudget(long limitBytes) {
        if (limitBytes <= 0) throw new IllegalArgumentException("limitBytes must be positive, was " + limitBytes);
        this.limitBytes = limitBytes;
    }

    /** A budget of an eighth of {@code maxHeapBytes} (use {@code Runtime.getRuntime().maxMemory()}). */
    public static HeldBytesBudget ofHeap(long maxHeapBytes) {
        return new HeldBytesBudget(Math.max(1, maxHeapBytes / HEAP_FRACTION));
    }

    public long limitBytes() {
        return limitBytes;
    }

    /** Counts what {@code heldBytes} reports for {@code group} (in place of any earlier count for it) until unregistered. */
    void register(String group, LongSupplier heldBytes) {
        holders.put(group, heldBytes);
    }

    /** Stops counting {@code heldBytes} for {@code group}, unless another count replaced it. */
    void unregister(String group, LongSupplier heldBytes) {
        holders.remove(group, heldBytes);
    }

    /** What the registered groups hold now. */
    long heldBytes() {
        if (limitBytes == Long.MAX_VALUE) return 0;
        long sum = 0;
        for (LongSupplier h : holders.values()) sum += h.getAsLong();
        return sum;
    }

    /** True when the groups hold more than the budget: new writes wait for Kafka and the replicas. */
    boolean exceeded() {
        return limitBytes != Long.MAX_VALUE && heldBytes() > limitBytes;
    }
}
