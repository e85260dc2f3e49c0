package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Ballot;

/**
 * Makes the value a new leader proposes for a slot that no promise reported (a gap): an entry
 * that changes nothing but still occupies its slot in the WAL.
 */
@FunctionalInterface
public interface NoopFactory {
    byte[] noop(long slot, Ballot ballot);
}
