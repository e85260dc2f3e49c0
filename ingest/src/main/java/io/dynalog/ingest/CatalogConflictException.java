package io.dynalog.ingest;

/** A catalog change that contradicts the catalog: the table exists already, or does not exist. */
public final class CatalogConflictException extends RuntimeException {
    public enum Kind { ALREADY_EXISTS, NOT_FOUND, IN_USE }

    private final Kind kind;
    private final String tableName;

    public CatalogConflictException(Kind kind, String tableName, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.tableName = tableName;
    }

    public Kind kind() {
        return kind;
    }

    public String tableName() {
        return tableName;
    }
}
