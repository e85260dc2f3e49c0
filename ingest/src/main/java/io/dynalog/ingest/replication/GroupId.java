package io.dynalog.ingest.replication;

/** A replica group: one partition of one table incarnation (the catalog's group has table id 0). */
public record GroupId(long tableId, int partition) {}
