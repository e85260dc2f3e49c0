package io.dynalog.api.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.api.ApiException;
import io.dynalog.api.ErrorType;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTest {

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void serializationError(String body, String messageStart) {
        assertThatThrownBy(() -> Json.parseObject(bytes(body)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.SerializationException))
                .hasMessageStartingWith(messageStart);
    }

    @Test
    void parsesAnObject() {
        assertThat(Json.parseObject(bytes("{\"TableName\":\"t\"}")).get("TableName").textValue()).isEqualTo("t");
    }

    @Test
    void anEmptyBodyIsAnEmptyObject() {
        assertThat(Json.parseObject(new byte[0])).isEmpty();
        assertThat(Json.parseObject(bytes("  \n"))).isEmpty();
    }

    @Test
    void malformedJsonIsASerializationError() {
        serializationError("{\"TableName\":", "Malformed JSON: ");
        serializationError("{'a':1}", "Malformed JSON: ");
        serializationError("{\"a\":1} {\"b\":2}", "Malformed JSON: ");
        serializationError("\u0000\u0001", "Malformed JSON: ");
    }

    @Test
    void theLocationOfMalformedJsonIsGiven() {
        assertThatThrownBy(() -> Json.parseObject(bytes("{\n\"a\": tru }")))
                .hasMessageContaining("at line 2, column");
    }

    @Test
    void aBodyThatIsNotAnObjectIsASerializationError() {
        serializationError("[1,2]", "The request body must be a JSON object, found Start of list");
        serializationError("\"text\"", "The request body must be a JSON object, found STRING_VALUE");
        serializationError("null", "The request body must be a JSON object, found NULL_VALUE");
    }

    @Test
    void absurdNestingIsASerializationErrorNotAStackOverflow() {
        String deep = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        serializationError(deep, "Malformed JSON: ");
    }

    @Test
    void memberNamesAsLongAsDynamoDbAttributeNamesAreAccepted() {
        String name = "n".repeat(65_535);
        assertThat(Json.parseObject(bytes("{\"" + name + "\":{\"S\":\"x\"}}")).has(name)).isTrue();
    }

    @Test
    void encodesCompactly() {
        assertThat(new String(Json.encode(Json.object().put("a", 1).put("b", "x")), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":1,\"b\":\"x\"}");
    }
}
