package io.dynalog.topology.wire;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.Numbers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * The reference the hand-written codecs are held to: Avro's own generic single-object encoder and
 * decoder over schemas parsed here, independently of {@link WireSchemas}, straight from the
 * {@code .avsc} resources; and conversions between the model and GenericRecords.
 */
final class AvroReference {
    static final Schema ATTRIBUTE_VALUE;
    static final Schema STORED_ITEM;
    static final Schema WAL_ENTRY;
    static final Schema WAL_ENTRY_V1;
    static final Schema WAL_ENTRY_V2;
    static final Schema WRITE_REQUEST;
    static final Schema WRITE_REPLY;
    static final Schema TABLE_RECORD;
    static final Schema TABLE_RECORD_V1;
    static final Schema TABLE_RECORD_V2;
    static final Schema TABLE_RECORD_V3;
    static final Schema CHANGE_RECORD;

    static {
        Schema.Parser parser = new Schema.Parser();
        ATTRIBUTE_VALUE = parse(parser, "AttributeValue.avsc");
        STORED_ITEM = parse(parser, "StoredItem.avsc");
        WAL_ENTRY = parse(parser, "WalEntry.avsc");
        TABLE_RECORD = parse(parser, "TableRecord.avsc");
        CHANGE_RECORD = parse(parser, "ChangeRecord.avsc");
        WRITE_REQUEST = parse(parser, "WriteRequest.avsc");
        WRITE_REPLY = parse(parser, "WriteReply.avsc");
        TABLE_RECORD_V1 = parse(new Schema.Parser(), "TableRecord.v1.avsc");
        TABLE_RECORD_V2 = parse(new Schema.Parser(), "TableRecord.v2.avsc");
        TABLE_RECORD_V3 = parse(new Schema.Parser(), "TableRecord.v3.avsc");
        Schema.Parser walV1 = new Schema.Parser();
        parse(walV1, "AttributeValue.avsc");
        WAL_ENTRY_V1 = parse(walV1, "WalEntry.v1.avsc");
        Schema.Parser walV2 = new Schema.Parser();
        parse(walV2, "AttributeValue.avsc");
        WAL_ENTRY_V2 = parse(walV2, "WalEntry.v2.avsc");
    }

    private AvroReference() {}

    static byte[] encode(Schema schema, GenericRecord record) {
        try {
            ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static GenericRecord decode(Schema schema, byte[] bytes) {
        try {
            return new BinaryMessageDecoder<GenericRecord>(GenericData.get(), schema).decode(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- model -> generic ------------------------------------------------------------------

    static GenericRecord storedItem(Map<String, AttributeValue> item) {
        GenericRecord r = new GenericData.Record(STORED_ITEM);
        r.put("attributes", genericItem(item));
        return r;
    }

    static Map<String, GenericRecord> genericItem(Map<String, AttributeValue> item) {
        Map<String, GenericRecord> out = new LinkedHashMap<>();
        item.forEach((k, v) -> out.put(k, generic(v)));
        return out;
    }

    static GenericRecord generic(AttributeValue v) {
        GenericRecord r = new GenericData.Record(ATTRIBUTE_VALUE);
        r.put("value", branch(v));
        return r;
    }

    private static Object branch(AttributeValue v) {
        return switch (v.type()) {
            case NULL -> null;
            case BOOL -> ((AttributeValue.Bool) v).value();
            case S -> ((AttributeValue.S) v).value();
            case B -> ByteBuffer.wrap(((AttributeValue.B) v).bytes());
            case N -> record("NumberValue", "text", ((AttributeValue.N) v).text());
            case M -> record("MapValue", "entries", genericItem(((AttributeValue.M) v).value()));
            case L -> {
                List<GenericRecord> items = new ArrayList<>();
                for (AttributeValue item : ((AttributeValue.L) v).value()) items.add(generic(item));
                yield record("ListValue", "items", items);
            }
            case SS -> record("StringSet", "members", new ArrayList<>(((AttributeValue.SS) v).value()));
            case NS -> {
                List<String> members = new ArrayList<>();
                for (BigDecimal n : ((AttributeValue.NS) v).value()) members.add(Numbers.format(n));
                yield record("NumberSet", "members", members);
            }
            case BS -> {
                List<ByteBuffer> members = new ArrayList<>();
                for (AttributeValue.B b : ((AttributeValue.BS) v).value()) members.add(ByteBuffer.wrap(b.bytes()));
                yield record("BinarySet", "members", members);
            }
        };
    }

    static GenericRecord record(String name, String field, Object value) {
        GenericRecord r = new GenericData.Record(branchSchema(name));
        r.put(field, value);
        return r;
    }

    static Schema branchSchema(String name) {
        return ATTRIBUTE_VALUE.getField("value").schema().getTypes().stream()
                .filter(s -> name.equals(s.getName())).findFirst().orElseThrow();
    }

    // ---- generic -> model ------------------------------------------------------------------

    static Map<String, AttributeValue> modelItem(Object genericMap) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        ((Map<?, ?>) genericMap).forEach((k, v) -> item.put(k.toString(), model((GenericRecord) v)));
        return item;
    }

    static AttributeValue model(GenericRecord r) {
        Object value = r.get("value");
        if (value == null) return AttributeValue.Null.INSTANCE;
        if (value instanceof Boolean b) return AttributeValue.Bool.of(b);
        if (value instanceof CharSequence s) return AttributeValue.s(s.toString());
        if (value instanceof ByteBuffer b) return AttributeValue.b(bytes(b));
        GenericRecord branch = (GenericRecord) value;
        return switch (branch.getSchema().getName()) {
            case "NumberValue" -> AttributeValue.n(branch.get("text").toString());
            case "MapValue" -> new AttributeValue.M(modelItem(branch.get("entries")));
            case "ListValue" -> {
                List<AttributeValue> items = new ArrayList<>();
                for (Object o : (Collection<?>) branch.get("items")) items.add(model((GenericRecord) o));
                yield new AttributeValue.L(items);
            }
            case "StringSet" -> {
                Set<String> members = new LinkedHashSet<>();
                for (Object o : (Collection<?>) branch.get("members")) members.add(o.toString());
                yield new AttributeValue.SS(members);
            }
            case "NumberSet" -> {
                Set<BigDecimal> members = new LinkedHashSet<>();
                for (Object o : (Collection<?>) branch.get("members")) members.add(new BigDecimal(o.toString()));
                yield new AttributeValue.NS(members);
            }
            case "BinarySet" -> {
                Set<AttributeValue.B> members = new LinkedHashSet<>();
                for (Object o : (Collection<?>) branch.get("members")) members.add(AttributeValue.b(bytes((ByteBuffer) o)));
                yield new AttributeValue.BS(members);
            }
            default -> throw new IllegalArgumentException(branch.getSchema().getName());
        };
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static Schema parse(Schema.Parser parser, String file) {
        try (InputStream in = AvroReference.class.getResourceAsStream("/avro/" + file)) {
            return parser.parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
