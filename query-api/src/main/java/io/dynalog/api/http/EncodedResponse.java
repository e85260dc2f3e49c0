package io.dynalog.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.json.Json;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A response body ready to send: status, bytes and the CRC32 of exactly those bytes, which the
 * AWS SDKs verify against {@code x-amz-crc32}. Built off the event loop, sent on it.
 *
 * <p>Error bodies are {@code {"__type": <ErrorType#typeName>, "message": <text>, ...extra fields}}.
 */
record EncodedResponse(int status, byte[] body, long crc32) {

    static EncodedResponse success(JsonNode response) {
        return of(200, Json.encode(response));
    }

    static EncodedResponse error(ApiException error) {
        ObjectNode body = Json.object();
        body.put("__type", error.type().typeName());
        body.put("message", error.getMessage());
        ObjectNode extra = error.extraFields();
        if (extra != null) {
            for (Map.Entry<String, JsonNode> field : extra.properties()) {
                body.set(field.getKey(), field.getValue());
            }
        }
        byte[] bytes;
        try {
            bytes = Json.encode(body);
        } catch (RuntimeException e) {
            // A broken extra field must not cost the client its answer: send the error without it.
            bytes = Json.encode(body.retain("__type", "message"));
        }
        return of(error.type().httpStatus(), bytes);
    }

    static EncodedResponse of(int status, byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(body, 0, body.length);
        return new EncodedResponse(status, body, crc.getValue());
    }
}
