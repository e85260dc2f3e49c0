package io.dynalog.api.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import io.dynalog.topology.model.AttributeValue;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Model values placed into a response tree as {@link com.fasterxml.jackson.databind.node.POJONode}s
 * and streamed by {@link AttributeValueWriter} when the response is encoded, so an operation can
 * build its response as an {@code ObjectNode} without first copying every item into a tree.
 * They hold the values they are given without copying: a caller hands a map or list over and
 * must not modify it afterwards.
 */
final class StreamedJson {

    private StreamedJson() {}

    /** Base for the streamed shapes: a value serializes the same way with or without type info. */
    private abstract static class Streamed implements JsonSerializable {
        @Override
        public final void serializeWithType(JsonGenerator g, SerializerProvider provider, TypeSerializer typeSer)
                throws IOException {
            serialize(g, provider);
        }
    }

    static final class Value extends Streamed {
        private final AttributeValue value;

        Value(AttributeValue value) {
            this.value = value;
        }

        @Override
        public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
            AttributeValueWriter.write(g, value);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Value v && v.value.equals(value);
        }

        @Override
        public int hashCode() {
            return value.hashCode();
        }

        @Override
        public String toString() {
            return value.toString();
        }
    }

    static final class Item extends Streamed {
        private final Map<String, AttributeValue> item;

        Item(Map<String, AttributeValue> item) {
            this.item = item;
        }

        Map<String, AttributeValue> item() {
            return item;
        }

        @Override
        public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
            AttributeValueWriter.writeMap(g, item);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Item i && i.item.equals(item);
        }

        @Override
        public int hashCode() {
            return item.hashCode();
        }

        @Override
        public String toString() {
            return item.toString();
        }
    }

    static final class Items extends Streamed {
        private final List<? extends Map<String, AttributeValue>> items;

        Items(List<? extends Map<String, AttributeValue>> items) {
            this.items = items;
        }

        @Override
        public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
            AttributeValueWriter.writeMaps(g, items);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Items i && i.items.equals(items);
        }

        @Override
        public int hashCode() {
            return items.hashCode();
        }

        @Override
        public String toString() {
            return items.toString();
        }
    }
}
