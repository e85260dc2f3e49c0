package io.dynalog.topology.model;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * A table's change stream (DynamoDB's StreamSpecification), as the catalog records it.
 *
 * <p>{@code streamId} identifies this incarnation of the stream: enabling a stream again after
 * disabling it makes a new one (a new label, ARN and changes topic), as in DynamoDB. A disabled
 * stream stays described (its ARN, DISABLED) and readable until it is replaced or its table is
 * deleted.
 *
 * @param createdAtMs when it was enabled: its label, and the first change it carries (the WAL
 *     entries of writes chosen earlier are not in it)
 * @param topic the changes topic, one Kafka partition (a shard) per table partition
 */
public record TableStream(long streamId, ViewType viewType, boolean enabled, long createdAtMs, String topic) {
    private static final DateTimeFormatter LABEL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    /** DynamoDB's StreamViewType, in the order its messages list it. */
    public enum ViewType { NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY }

    public TableStream {
        Objects.requireNonNull(viewType, "viewType");
        Objects.requireNonNull(topic, "topic");
    }

    /** DynamoDB's StreamLabel: the creation time, UTC, to the millisecond. */
    public String label() {
        return LABEL.format(Instant.ofEpochMilli(createdAtMs));
    }

    public TableStream disabled() {
        return new TableStream(streamId, viewType, false, createdAtMs, topic);
    }

    /** Whether the stream carries the item as it is after a change. */
    public boolean carriesNewImage() {
        return viewType == ViewType.NEW_IMAGE || viewType == ViewType.NEW_AND_OLD_IMAGES;
    }

    /** Whether the stream carries the item as it was before a change. */
    public boolean carriesOldImage() {
        return viewType == ViewType.OLD_IMAGE || viewType == ViewType.NEW_AND_OLD_IMAGES;
    }

    /** The changes topic of a stream incarnation. */
    public static String topic(String prefix, String tableName, long streamId) {
        String name = tableName.length() > 200 ? tableName.substring(0, 200) : tableName;
        return prefix + ".changes." + name + "." + Long.toHexString(streamId);
    }
}
