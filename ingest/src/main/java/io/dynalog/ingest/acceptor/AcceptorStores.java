package io.dynalog.ingest.acceptor;

import io.dynalog.ingest.paxos.AcceptorStore;
import java.util.function.LongConsumer;

/** The acceptor stores of every replica group on one node (RocksDB in production, memory in simulations). */
public interface AcceptorStores {
    /**
     * The store of one group's acceptor on this node. Each call returns a new handle on the same
     * durable state, whose sync tokens start again at 1 (a restarted member uses a new one).
     *
     * @param onSynced told the token of each completed sync of this handle, in increasing order, on
     *     any thread; the caller hands it to the member's thread
     */
    AcceptorStore forGroup(long tableId, int partition, LongConsumer onSynced);
}
