package io.dynalog.topology.request;

import io.dynalog.topology.model.AttributeValue;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The result of a {@link WriteRequest}: a success with what ReturnValues asked for, or DynamoDB's error. */
public record WriteReply(String requestToken, Outcome outcome) {
    public WriteReply {
        Objects.requireNonNull(requestToken, "requestToken");
        Objects.requireNonNull(outcome, "outcome");
    }

    public sealed interface Outcome {}

    /**
     * @param attributes what ReturnValues asked for; null when nothing
     * @param unprocessed a batch's writes that were not processed (to retry); empty otherwise
     */
    public record Success(Map<String, AttributeValue> attributes, List<WriteCommand.BatchEntry> unprocessed) implements Outcome {
        public Success {
            unprocessed = unprocessed == null ? List.of() : List.copyOf(unprocessed);
        }
    }

    /** @param errorType DynamoDB's error name, e.g. {@code ConditionalCheckFailedException} */
    public record Failure(String errorType, String message) implements Outcome {
        public Failure {
            Objects.requireNonNull(errorType, "errorType");
            message = message == null ? "" : message;
        }
    }

    public static WriteReply success(String requestToken, Map<String, AttributeValue> attributes) {
        return new WriteReply(requestToken, new Success(attributes, List.of()));
    }

    public static WriteReply failure(String requestToken, String errorType, String message) {
        return new WriteReply(requestToken, new Failure(errorType, message));
    }
}
