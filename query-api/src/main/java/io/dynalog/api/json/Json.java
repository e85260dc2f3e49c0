package io.dynalog.api.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import java.io.IOException;

/**
 * The one {@link ObjectMapper} of the API layer, and the two conversions every request makes:
 * request bytes to a JSON object, response JSON to bytes.
 *
 * <p>The mapper is configured once and shared (it is thread-safe once configured); requests and
 * responses are handled as trees and streamed values, never through reflective data binding.
 * Parsing rejects trailing content after the top-level value. Jackson's stream read constraints
 * (nesting depth, string and number length) stay at their defaults, except member names (see
 * {@link #MAX_MEMBER_NAME_CHARS}); breaking one is, like any other malformed input, a
 * SerializationException.
 */
public final class Json {

    /**
     * DynamoDB attribute names may be up to 64 KiB, beyond Jackson's default limit on member names;
     * names are JSON member names, so the limit is raised to fit them.
     */
    static final int MAX_MEMBER_NAME_CHARS = 128 * 1024;

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNameLength(MAX_MEMBER_NAME_CHARS).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {}

    /** The shared mapper. Callers must not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A new empty object node. */
    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /**
     * Parses a request body that must be one JSON object; an empty (or all-whitespace) body is an
     * empty object, as DynamoDB treats it.
     *
     * @throws ApiException SerializationException when the bytes are not one JSON object
     */
    public static ObjectNode parseObject(byte[] body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.serialization(describe(e));
        } catch (IOException e) {
            throw ApiException.serialization("Unreadable request body: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            return object();
        }
        if (!node.isObject()) {
            throw ApiException.serialization("The request body must be a JSON object, found "
                    + Shapes.describe(node));
        }
        return (ObjectNode) node;
    }

    /** Serializes a response; streamed values ({@link AttributeValues#itemNode}) are written in place. */
    public static byte[] encode(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            // Only a broken streamed value can fail here: a bug, not a client error.
            throw new IllegalStateException("cannot encode response: " + e.getOriginalMessage(), e);
        }
    }

    private static String describe(JsonProcessingException e) {
        StringBuilder message = new StringBuilder("Malformed JSON: ").append(e.getOriginalMessage());
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            message.append(" at line ").append(location.getLineNr())
                    .append(", column ").append(location.getColumnNr());
        }
        return message.toString();
    }
}
