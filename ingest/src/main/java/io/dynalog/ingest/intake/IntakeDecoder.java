package io.dynalog.ingest.intake;

import io.dynalog.topology.request.WriteReply;
import io.dynalog.topology.request.WriteRequest;
import io.dynalog.topology.wire.WireFormatException;
import io.dynalog.topology.wire.WriteRequestCodec;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Turns one record of the request topic into a request to run, or into the error reply a bad
 * record gets: bytes that are no WriteRequest (SerializationException), a missing or oversized
 * token or reply topic (ValidationException). The reply goes to the topic the body names or,
 * when the body cannot be read, to the one its {@code dynalog.reply-topic} header names; a record
 * that names neither cannot be answered. Stateless.
 */
final class IntakeDecoder {
    static final String SERIALIZATION_EXCEPTION = "SerializationException";
    static final String VALIDATION_EXCEPTION = "ValidationException";
    /** Kafka's limit on topic names. */
    private static final int MAX_TOPIC_NAME_LENGTH = 249;

    private IntakeDecoder() {}

    /** A record read: exactly one of {@code request} (to run) and {@code rejection} (to send back) is set. */
    record Decoded(WriteRequest request, WriteReply rejection, String replyTopic, byte[] correlationId) {}

    /** A request of the cluster whose topics start with {@code topicPrefix}. */
    static Decoded decode(ConsumerRecord<byte[], byte[]> record, String topicPrefix) {
        String headerTopic = header(record.headers(), WriteRequest.REPLY_TOPIC_HEADER);
        if (!replyTopicAllowed(headerTopic, topicPrefix)) headerTopic = null;
        byte[] correlationId = headerBytes(record.headers(), WriteRequest.CORRELATION_ID_HEADER);
        String keyToken = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            return rejected(keyToken, SERIALIZATION_EXCEPTION, "The request record has no value", headerTopic, correlationId);
        }
        WriteRequest request;
        try {
            request = WriteRequestCodec.decode(record.value());
        } catch (WireFormatException e) {
            return rejected(keyToken, SERIALIZATION_EXCEPTION, "The request is not a WriteRequest: " + e.getMessage(),
                    headerTopic, correlationId);
        }
        boolean replyTopicAllowed = replyTopicAllowed(request.replyTopic(), topicPrefix);
        String replyTopic = replyTopicAllowed ? request.replyTopic() : headerTopic;
        if (!replyTopicAllowed) {
            return rejected(request.requestToken(), VALIDATION_EXCEPTION, "replyTopic must be a Kafka topic name of 1 to "
                    + MAX_TOPIC_NAME_LENGTH + " characters [a-zA-Z0-9._-], not one of the cluster's own topics (" + topicPrefix
                    + ".*, except " + topicPrefix + ".replies.*)", replyTopic, correlationId);
        }
        String token = request.requestToken();
        if (token.isEmpty() || token.length() > WriteRequest.MAX_TOKEN_LENGTH) {
            return rejected(token, VALIDATION_EXCEPTION, "requestToken must have 1 to " + WriteRequest.MAX_TOKEN_LENGTH
                    + " characters, had " + token.length(), replyTopic, correlationId);
        }
        if (token.indexOf(WriteRequest.BATCH_TOKEN_SEPARATOR) >= 0) {
            return rejected(token, VALIDATION_EXCEPTION, "requestToken must not contain '" + WriteRequest.BATCH_TOKEN_SEPARATOR
                    + "' (the tokens of a batch's writes are the batch's token, '" + WriteRequest.BATCH_TOKEN_SEPARATOR
                    + "' and their index)", replyTopic, correlationId);
        }
        return new Decoded(request, null, replyTopic, correlationId);
    }

    private static Decoded rejected(String token, String errorType, String message, String replyTopic, byte[] correlationId) {
        return new Decoded(null, WriteReply.failure(token, errorType, message), replyTopic, correlationId);
    }

    /**
     * A request produced longer ago than {@code maxAgeMs}: refused, since its token may be
     * forgotten already (run again, it could take effect twice).
     */
    static Decoded expired(Decoded decoded, long ageMs, long maxAgeMs) {
        return rejected(decoded.request().requestToken(), VALIDATION_EXCEPTION, "The request was produced " + ageMs
                + " ms ago, more than the " + maxAgeMs + " ms a request may wait: it was not run (its token may have been "
                + "forgotten); send it again with a new token if it should still take effect", decoded.replyTopic(), decoded.correlationId());
    }

    /** A legal topic name that is not one of the cluster's own topics (its reply topics excepted). */
    static boolean replyTopicAllowed(String topic, String topicPrefix) {
        if (topic == null || topic.isEmpty() || topic.length() > MAX_TOPIC_NAME_LENGTH || !LEGAL_TOPIC.matcher(topic).matches()) return false;
        return !topic.startsWith(topicPrefix + ".") || topic.startsWith(topicPrefix + ".replies.");
    }

    private static final java.util.regex.Pattern LEGAL_TOPIC = java.util.regex.Pattern.compile("[a-zA-Z0-9._-]+");

    private static String header(Headers headers, String name) {
        byte[] value = headerBytes(headers, name);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    private static byte[] headerBytes(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : h.value();
    }
}
