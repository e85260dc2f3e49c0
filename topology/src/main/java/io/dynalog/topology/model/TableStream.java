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
 * @param disabledAtMs when it was disabled (0 while it is enabled): it carries no change chosen
 *     from then on
 * @param topic the changes topic, one Kafka partition (a shard) per table partition
 */
public record TableStream(long streamId, ViewType viewType, long createdAtMs, long disabledAtMs, String topic) {
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

    public boolean enabled() {
        return disabledAtMs == 0;
    }

    /** The stream, disabled at {@code nowMs}. */
    public TableStream disabledAt(long nowMs) {
        return new TableStream(streamId, viewType, createdAtMs, Math.max(1, nowMs), topic);
    }

    /** Whether a change chosen at {@code timestampMs} (the leader's clock) belongs to the stream. */
    public boolean carries(long timestampMs) {
        return timestampMs >= createdAtMs && (enabled() || timestampMs < disabledAtMs);
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
