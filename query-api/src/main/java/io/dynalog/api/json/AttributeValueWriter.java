package io.dynalog.api.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.Numbers;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Writes the model as DynamoDB JSON straight into a {@link JsonGenerator}: no intermediate tree,
 * since GetItem, Query and Scan responses are the hot path. Numbers are written as DynamoDB prints
 * them ({@link Numbers#format}), binary as standard base64 with padding. Values come from the model,
 * which the validator keeps within 32 levels, so recursion here is bounded.
 */
final class AttributeValueWriter {

    private AttributeValueWriter() {}

    static void write(JsonGenerator g, AttributeValue value) throws IOException {
        g.writeStartObject();
        switch (value.type()) {
            case S:
                g.writeStringField("S", ((AttributeValue.S) value).value());
                break;
            case N:
                g.writeStringField("N", ((AttributeValue.N) value).text());
                break;
            case B:
                g.writeFieldName("B");
                writeBinary(g, (AttributeValue.B) value);
                break;
            case BOOL:
                g.writeBooleanField("BOOL", ((AttributeValue.Bool) value).value());
                break;
            case NULL:
                g.writeBooleanField("NULL", true);
                break;
            case M:
                g.writeFieldName("M");
                writeMap(g, ((AttributeValue.M) value).value());
                break;
            case L:
                g.writeArrayFieldStart("L");
                for (AttributeValue element : ((AttributeValue.L) value).value()) write(g, element);
                g.writeEndArray();
                break;
            case SS:
                g.writeArrayFieldStart("SS");
                for (String member : ((AttributeValue.SS) value).value()) g.writeString(member);
                g.writeEndArray();
                break;
            case NS:
                g.writeArrayFieldStart("NS");
                for (BigDecimal member : ((AttributeValue.NS) value).value()) g.writeString(Numbers.format(member));
                g.writeEndArray();
                break;
            case BS:
                g.writeArrayFieldStart("BS");
                for (AttributeValue.B member : ((AttributeValue.BS) value).value()) writeBinary(g, member);
                g.writeEndArray();
                break;
            default:
                throw new IllegalStateException("unhandled type " + value.type());
        }
        g.writeEndObject();
    }

    /** An item, a key or a map's content: {@code {"name": {...}, ...}}. */
    static void writeMap(JsonGenerator g, Map<String, AttributeValue> map) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, AttributeValue> entry : map.entrySet()) {
            g.writeFieldName(entry.getKey());
            write(g, entry.getValue());
        }
        g.writeEndObject();
    }

    static void writeMaps(JsonGenerator g, List<? extends Map<String, AttributeValue>> maps) throws IOException {
        g.writeStartArray();
        for (Map<String, AttributeValue> map : maps) writeMap(g, map);
        g.writeEndArray();
    }

    private static void writeBinary(JsonGenerator g, AttributeValue.B value) throws IOException {
        byte[] bytes = value.bytes();
        g.writeBinary(bytes, 0, bytes.length);
    }
}
