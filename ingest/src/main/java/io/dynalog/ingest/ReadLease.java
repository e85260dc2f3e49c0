package io.dynalog.ingest;

/**
 * What a consistent read holds while it forms its answer off the replication loop: the
 * partition's leadership and lease, as of its read barrier. The read checks it once the answer
 * is formed: if the leader lost its lease or its leadership meanwhile, another leader may have
 * chosen writes this answer does not show, and it must not be given.
 */
public interface ReadLease {
    /**
     * Throws {@link IngestException} (LEADER_UNAVAILABLE: retry) unless the leadership the read
     * barrier passed under still holds a live lease now.
     */
    void check();
}
