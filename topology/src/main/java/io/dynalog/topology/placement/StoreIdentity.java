package io.dynalog.topology.placement;

import java.util.Objects;

/**
 * The identity of a node's acceptor store: random, written once when the store is created, so
 * that a node whose disk was replaced (or whose data directory was wiped) can tell, and its votes
 * are never cast with amnesia.
 *
 * @param nodeId      the node the store belongs to
 * @param storeId     random, unique to the store
 * @param createdAtMs when the store was created, by its node's wall clock
 */
public record StoreIdentity(int nodeId, String storeId, long createdAtMs) {
    public StoreIdentity {
        Objects.requireNonNull(storeId, "storeId");
        if (storeId.isEmpty()) throw new IllegalArgumentException("an empty store id");
    }

    /** The same store (the node id aside: a store is its id). */
    public boolean sameStore(StoreIdentity other) {
        return other != null && storeId.equals(other.storeId);
    }
}
