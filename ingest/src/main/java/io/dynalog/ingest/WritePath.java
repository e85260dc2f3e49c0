package io.dynalog.ingest;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.TableDescriptor;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The write path as the query API sees it: writes and the reads that must observe every
 * acknowledged write. Failures that are not the client's complete with {@link IngestException}.
 */
public interface WritePath {
    /** Resolves and chooses a write to one item; completes when it is chosen (acknowledged). */
    default CompletableFuture<WriteOutcome> write(TableDescriptor table, int partition, byte[] storeKey, Mutation mutation) {
        return write(table, partition, storeKey, mutation, null);
    }

    /**
     * As {@link #write(TableDescriptor, int, byte[], Mutation)}, for a request with a client token
     * (null: none). A write whose token the partition finds among its writes of the idempotency
     * window is not resolved again: it completes with that write's outcome and chooses nothing.
     */
    CompletableFuture<WriteOutcome> write(TableDescriptor table, int partition, byte[] storeKey, Mutation mutation,
                                          String requestToken);

    /** The item as the last chosen write left it (null when absent). */
    CompletableFuture<Map<String, AttributeValue>> consistentGet(TableDescriptor table, int partition, byte[] storeKey);

    /**
     * Completes once the local replica of the partition reflects every write chosen before the
     * call, at the partition's leader, with the lease the read must still hold once it has formed
     * its answer: call {@link ReadLease#check()} then, and give the answer only if it passes.
     */
    CompletableFuture<ReadLease> readBarrier(TableDescriptor table, int partition);
}
