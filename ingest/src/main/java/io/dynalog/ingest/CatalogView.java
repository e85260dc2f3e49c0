package io.dynalog.ingest;

import io.dynalog.topology.model.TableDescriptor;
import java.util.concurrent.CompletableFuture;

/** The node's copy of the catalog, as the catalog leader needs it (wired in by the node). */
public interface CatalogView {
    TableDescriptor table(String name);

    /** Completes once every meta-topic record below {@code offset} has been read into the view. */
    CompletableFuture<Void> whenConsumedTo(long offset);

    /** Completes once every record committed to the meta topic before this call has been read into the view. */
    CompletableFuture<Void> whenCaughtUp();
}
