package io.dynalog.ingest;

/**
 * A write the leader refused because it would grow its item collection past the limit (tables
 * with local indexes only): DynamoDB's ItemCollectionSizeLimitExceededException. Nothing was
 * written; writes that shrink the collection, or leave its size alone, are still accepted.
 */
public final class CollectionSizeLimitException extends RuntimeException {
    public CollectionSizeLimitException(String message) {
        super(message, null, false, false);
    }
}
