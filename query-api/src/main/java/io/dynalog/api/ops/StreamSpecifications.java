package io.dynalog.api.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynalog.api.ApiException;
import io.dynalog.topology.model.InvalidInputException;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStream;

/**
 * StreamSpecification on CreateTable and UpdateTable, with DynamoDB's rules and (where DynamoDB
 * Local words them) its messages; and UpdateTable's stream change as the catalog's leader applies
 * it to the table's record.
 */
final class StreamSpecifications {
    private StreamSpecifications() {}

    /** What a StreamSpecification asks for: a stream of a view type, or none. */
    sealed interface Change permits Enable, Disable {}

    record Enable(TableStream.ViewType viewType) implements Change {}

    record Disable() implements Change {}

    /** The request's StreamSpecification; null when it has none. */
    static Change parse(JsonNode request) {
        JsonNode spec = request.get("StreamSpecification");
        if (spec == null || spec.isNull()) return null;
        if (!spec.isObject()) throw ApiException.serialization("Unexpected value type in StreamSpecification");
        JsonNode enabled = spec.get("StreamEnabled");
        if (enabled == null || enabled.isNull()) {
            throw ApiException.validation("1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy "
                    + "constraint: Member must not be null");
        }
        if (!enabled.isBoolean()) throw ApiException.serialization("Unexpected value type in StreamEnabled");
        JsonNode viewType = spec.get("StreamViewType");
        boolean hasViewType = viewType != null && !viewType.isNull();
        if (!enabled.booleanValue()) {
            if (hasViewType) throw ApiException.validation("Invalid StreamViewType: Stream StreamEnabled was false but a StreamViewType was present.");
            return new Disable();
        }
        if (!hasViewType || viewType.asText().isEmpty()) {
            throw ApiException.validation("Invalid StreamViewType: Stream ViewType must not be null or empty when enabling streams.");
        }
        try {
            return new Enable(TableStream.ViewType.valueOf(viewType.asText()));
        } catch (IllegalArgumentException e) {
            throw ApiException.validation("Invalid StreamViewType: " + viewType.asText());
        }
    }

    /** A new stream incarnation of the table, enabled now. */
    static TableStream newStream(String topicPrefix, String tableName, long streamId, TableStream.ViewType viewType, long nowMs) {
        return new TableStream(streamId, viewType, nowMs, 0, TableStream.topic(topicPrefix, tableName, streamId));
    }

    /**
     * The stream the first node decides for a change of {@code table}: a new incarnation to
     * enable, or the enabled one, disabled now; null when there is none to disable (which
     * {@link #apply} refuses).
     */
    static TableStream decide(TableDescriptor table, Change change, String topicPrefix, long newStreamId, long nowMs) {
        if (change instanceof Enable enable) return newStream(topicPrefix, table.name(), newStreamId, enable.viewType(), nowMs);
        return table.enabledStream() == null ? null : table.enabledStream().disabledAt(nowMs);
    }

    /**
     * The table after the change; {@code decided}: the stream the first node decided
     * ({@link #decide}). A record that already has the decided stream is not changed, so a retried
     * UpdateTable takes effect once.
     *
     * @throws InvalidInputException when the table already has an enabled stream, or none to disable
     */
    static TableDescriptor apply(TableDescriptor current, Change change, TableStream decided) {
        if (change == null) return current;
        TableStream stream = current.stream();
        if (decided != null && stream != null && stream.streamId() == decided.streamId() && stream.enabled() == decided.enabled()) {
            return current;
        }
        if (change instanceof Enable) {
            if (current.enabledStream() != null) throw new InvalidInputException("Table already has an enabled stream");
            return current.withStream(decided);
        }
        if (decided == null || current.enabledStream() == null || current.enabledStream().streamId() != decided.streamId()) {
            throw new InvalidInputException("Table has no stream to disable");
        }
        return current.withStream(decided);
    }

    /** Whether a catalog copy shows the change (to read one's own UpdateTable). */
    static boolean shows(TableDescriptor table, Change change, TableStream decided) {
        if (change == null) return true;
        TableStream stream = table.stream();
        return stream != null && stream.streamId() == decided.streamId() && stream.enabled() == decided.enabled();
    }
}
