package io.dynalog.topology.request;

import java.util.Objects;

/**
 * One record of the request topic: a {@link WriteCommand}, the client's request token (a request
 * retried with the same token within the idempotency window takes effect once) and the topic the
 * {@link WriteReply} goes to.
 */
public record WriteRequest(String requestToken, String replyTopic, WriteCommand command) {
    /** Kafka headers of request and reply records. */
    public static final String REPLY_TOPIC_HEADER = "dynalog.reply-topic";
    public static final String CORRELATION_ID_HEADER = "dynalog.correlation-id";
    /** The longest request token accepted (DynamoDB's ClientRequestToken allows 36; batches append #i). */
    public static final int MAX_TOKEN_LENGTH = 128;

    public WriteRequest {
        Objects.requireNonNull(requestToken, "requestToken");
        Objects.requireNonNull(replyTopic, "replyTopic");
        Objects.requireNonNull(command, "command");
    }

    /** The token of write {@code index} of a batch. */
    /** Between a batch's token and the index of one of its writes; so never in a request's own token. */
    public static final char BATCH_TOKEN_SEPARATOR = '#';

    public static String batchToken(String requestToken, int index) {
        return requestToken + BATCH_TOKEN_SEPARATOR + index;
    }
}
