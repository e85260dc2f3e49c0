package io.dynalog.ingest;

import io.dynalog.topology.placement.StoreIdentity;

/**
 * Keeps a node whose acceptor state is gone (a replaced disk, a wiped data directory) from voting
 * with amnesia. Paxos is safe only if an acceptor remembers every promise and vote it gave: one
 * that forgot could help choose a second value for a slot, or elect a leader that misses a chosen
 * one.
 *
 * <p>How it knows: every acceptor store has a random identity, written at its first start
 * ({@link StoreIdentity}), and each node records its store's identity in the cluster (the
 * acceptor-stores topic) before it takes part in any group. A node that finds another identity
 * recorded for itself has lost the votes that store cast: it refuses, from then on (the decision is
 * kept in its new store), to take part in every group created before its new store, so before the
 * loss; it takes part in groups created later, which it never voted in. It says so in its log.
 * Such a node comes back into its old groups only by being added to them as a new member (a
 * membership change).
 *
 * <p>Creation times come from other nodes' wall clocks, which this assumes within
 * {@link #CLOCK_MARGIN_MS} of this node's (NTP keeps them within milliseconds): a group created
 * within that margin after the new store is refused too, which is safe (the node only stays out).
 * A store is replaced after its node was down, for minutes at least, so every group it voted in
 * was created well before.
 */
public final class AmnesiaGuard {
    /** No group is refused. */
    public static final long NEVER = Long.MIN_VALUE;
    /** How far the clocks of the node creating a group and of this node may be apart. */
    public static final long CLOCK_MARGIN_MS = 5_000;
    public static final AmnesiaGuard NONE = new AmnesiaGuard(NEVER);

    private final long refusesGroupsCreatedBeforeMs;

    public AmnesiaGuard(long refusesGroupsCreatedBeforeMs) {
        this.refusesGroupsCreatedBeforeMs = refusesGroupsCreatedBeforeMs;
    }

    /**
     * The decision at a node's start: which groups it must refuse, given its store and the
     * identity the cluster recorded for it (null: none yet, a new node) and what it already refused.
     */
    public static long refusesGroupsCreatedBefore(StoreIdentity mine, StoreIdentity recorded, long alreadyRefusedBeforeMs) {
        if (alreadyRefusedBeforeMs != NEVER) return alreadyRefusedBeforeMs;
        if (recorded == null || recorded.sameStore(mine)) return NEVER;
        return mine.createdAtMs() + CLOCK_MARGIN_MS;
    }

    /** True when this node may vote in a group created at {@code groupCreatedAtMs}. */
    public boolean admits(long groupCreatedAtMs) {
        return refusesGroupsCreatedBeforeMs == NEVER || groupCreatedAtMs >= refusesGroupsCreatedBeforeMs;
    }

    public boolean refusesAny() {
        return refusesGroupsCreatedBeforeMs != NEVER;
    }

    public long refusesGroupsCreatedBeforeMs() {
        return refusesGroupsCreatedBeforeMs;
    }
}
