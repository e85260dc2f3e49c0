package io.dynalog.topology.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.topology.model.AttributeValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class ItemCodecTest {

    /** One attribute of every type, nested documents, and the empty and edge values. */
    static Map<String, AttributeValue> everyType() {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("s", AttributeValue.s("héllo \u0000 😀"));
        item.put("emptyS", AttributeValue.s(""));
        item.put("n", AttributeValue.n("-123.456"));
        item.put("bigN", AttributeValue.n("9.9999999999999999999999999999999999999E+125"));
        item.put("tinyN", AttributeValue.n("1E-130"));
        item.put("zero", AttributeValue.n(0));
        item.put("b", AttributeValue.b(new byte[] {0, (byte) 0xFF, 1}));
        item.put("emptyB", AttributeValue.b(new byte[0]));
        item.put("t", AttributeValue.Bool.TRUE);
        item.put("f", AttributeValue.Bool.FALSE);
        item.put("null", AttributeValue.Null.INSTANCE);
        item.put("ss", new AttributeValue.SS(new LinkedHashSet<>(List.of("a", "", "b"))));
        item.put("ns", new AttributeValue.NS(new LinkedHashSet<>(List.of(BigDecimal.ONE, new BigDecimal("-2.5"), new BigDecimal("1E+20")))));
        item.put("bs", new AttributeValue.BS(new LinkedHashSet<>(List.of(AttributeValue.b(new byte[0]), AttributeValue.b(new byte[] {7})))));
        item.put("emptyM", new AttributeValue.M(Map.of()));
        item.put("emptyL", new AttributeValue.L(List.of()));
        Map<String, AttributeValue> inner = new LinkedHashMap<>();
        inner.put("list", new AttributeValue.L(List.of(AttributeValue.n(1), AttributeValue.s("x"),
                new AttributeValue.L(List.of(AttributeValue.Null.INSTANCE)), new AttributeValue.M(Map.of("deep", AttributeValue.Bool.TRUE)))));
        inner.put("set", new AttributeValue.SS(Set.of("only")));
        item.put("m", new AttributeValue.M(inner));
        item.put("", AttributeValue.s("empty attribute name"));
        return item;
    }

    @Test
    void roundTripsEveryType() {
        Map<String, AttributeValue> item = everyType();
        Map<String, AttributeValue> decoded = ItemCodec.decode(ItemCodec.encode(item));
        assertThat(decoded).isEqualTo(item);
        assertThat(decoded.keySet()).containsExactlyElementsOf(item.keySet());
        assertThat(((AttributeValue.L) decoded.get("emptyL")).value()).isEmpty();
    }

    @Test
    void roundTripsTheEmptyItem() {
        byte[] bytes = ItemCodec.encode(Map.of());
        assertThat(bytes).hasSize(SingleObject.HEADER_LENGTH_BYTES + 1);
        assertThat(ItemCodec.decode(bytes)).isEmpty();
    }

    @Test
    void keepsTheOrderOfMapsListsAndSets() {
        Map<String, AttributeValue> m = new LinkedHashMap<>();
        for (String k : List.of("z", "a", "m")) m.put(k, AttributeValue.s(k));
        Map<String, AttributeValue> item = Map.of(
                "m", new AttributeValue.M(m),
                "ss", new AttributeValue.SS(new LinkedHashSet<>(List.of("z", "a", "m"))));
        Map<String, AttributeValue> decoded = ItemCodec.decode(ItemCodec.encode(item));
        assertThat(((AttributeValue.M) decoded.get("m")).value().keySet()).containsExactly("z", "a", "m");
        assertThat(((AttributeValue.SS) decoded.get("ss")).value()).containsExactly("z", "a", "m");
    }

    @Test
    void writesTheSingleObjectHeader() {
        byte[] bytes = ItemCodec.encode(everyType());
        assertThat(bytes[0] & 0xff).isEqualTo(0xC3);
        assertThat(bytes[1] & 0xff).isEqualTo(0x01);
        long fingerprint = 0;
        for (int i = 0; i < 8; i++) fingerprint |= (bytes[2 + i] & 0xffL) << (8 * i);
        assertThat(fingerprint).isEqualTo(WireSchemas.fingerprint(AvroReference.STORED_ITEM)).isEqualTo(ItemCodec.fingerprint());
    }

    @Test
    void avroDecodesWhatTheCodecWrites() {
        Map<String, AttributeValue> item = everyType();
        GenericRecord record = AvroReference.decode(AvroReference.STORED_ITEM, ItemCodec.encode(item));
        assertThat(AvroReference.modelItem(record.get("attributes"))).isEqualTo(item);
    }

    @Test
    void theCodecDecodesWhatAvroWrites() {
        Map<String, AttributeValue> item = everyType();
        byte[] avroBytes = AvroReference.encode(AvroReference.STORED_ITEM, AvroReference.storedItem(item));
        assertThat(ItemCodec.decode(avroBytes)).isEqualTo(item);
        assertThat(ItemCodec.encode(item)).isEqualTo(avroBytes);
    }

    @Test
    void rejectsAWrongMarker() {
        byte[] bytes = ItemCodec.encode(everyType());
        bytes[0] = (byte) 0xC2;
        assertThatThrownBy(() -> ItemCodec.decode(bytes))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("marker").hasMessageContaining("C2 01");
    }

    @Test
    void rejectsAnUnknownFingerprintNamingIt() {
        byte[] bytes = ItemCodec.encode(everyType());
        bytes[2] ^= 0x01;
        long found = 0;
        for (int i = 0; i < 8; i++) found |= (bytes[2 + i] & 0xffL) << (8 * i);
        assertThatThrownBy(() -> ItemCodec.decode(bytes))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("unknown schema fingerprint " + String.format("%016X", found))
                .hasMessageContaining("io.dynalog.avro.StoredItem");
        // A message of another schema is not an item.
        byte[] walBytes = WalEntryCodec.encode(WalEntryCodecTest.put());
        assertThatThrownBy(() -> ItemCodec.decode(walBytes)).isInstanceOf(WireFormatException.class).hasMessageContaining("fingerprint");
    }

    @Test
    void rejectsShortTruncatedAndOverlongMessages() {
        assertThatThrownBy(() -> ItemCodec.decode(new byte[] {(byte) 0xC3, 0x01}))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("shorter");
        byte[] bytes = ItemCodec.encode(everyType());
        for (int cut : new int[] {SingleObject.HEADER_LENGTH_BYTES, bytes.length / 2, bytes.length - 1}) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> ItemCodec.decode(truncated)).isInstanceOf(WireFormatException.class);
        }
        byte[] trailing = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> ItemCodec.decode(trailing)).isInstanceOf(WireFormatException.class).hasMessageContaining("trailing");
    }

    @Test
    void rejectsLengthsLargerThanTheMessage() {
        byte[] header = Arrays.copyOf(ItemCodec.encode(Map.of()), SingleObject.HEADER_LENGTH_BYTES);
        // A map block of one entry whose key claims 2^30 bytes.
        byte[] body = {0x02, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        byte[] bytes = Arrays.copyOf(header, header.length + body.length);
        System.arraycopy(body, 0, bytes, header.length, body.length);
        assertThatThrownBy(() -> ItemCodec.decode(bytes)).isInstanceOf(WireFormatException.class).hasMessageContaining("length");
    }

    @Test
    void rejectsDuplicateSetMembersAndBadNumbers() {
        GenericRecord duplicates = AvroReference.storedItem(Map.of());
        duplicates.put("attributes", Map.of("ss", wrap(AvroReference.record("StringSet", "members", List.of("a", "a")))));
        assertThatThrownBy(() -> ItemCodec.decode(AvroReference.encode(AvroReference.STORED_ITEM, duplicates)))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("duplicate");

        GenericRecord numericDuplicates = AvroReference.storedItem(Map.of());
        numericDuplicates.put("attributes", Map.of("ns", wrap(AvroReference.record("NumberSet", "members", List.of("1", "1.0")))));
        assertThatThrownBy(() -> ItemCodec.decode(AvroReference.encode(AvroReference.STORED_ITEM, numericDuplicates)))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("duplicate");

        GenericRecord notANumber = AvroReference.storedItem(Map.of());
        notANumber.put("attributes", Map.of("n", wrap(AvroReference.record("NumberValue", "text", "12abc"))));
        assertThatThrownBy(() -> ItemCodec.decode(AvroReference.encode(AvroReference.STORED_ITEM, notANumber)))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("12abc");
    }

    @Test
    void decodesNumbersCanonically() {
        GenericRecord record = AvroReference.storedItem(Map.of());
        record.put("attributes", Map.of("n", wrap(AvroReference.record("NumberValue", "text", "1.500e2"))));
        AttributeValue.N n = (AttributeValue.N) ItemCodec.decode(AvroReference.encode(AvroReference.STORED_ITEM, record)).get("n");
        assertThat(n.text()).isEqualTo("150");
    }

    @Test
    void rejectsNestingBeyondTheDecodeLimit() {
        AttributeValue deep = AttributeValue.s("leaf");
        for (int i = 0; i < AttributeValueWire.MAX_DECODE_DEPTH; i++) deep = new AttributeValue.L(List.of(deep));
        byte[] bytes = ItemCodec.encode(Map.of("d", deep));
        assertThatThrownBy(() -> ItemCodec.decode(bytes)).isInstanceOf(WireFormatException.class).hasMessageContaining("nested");

        AttributeValue allowed = AttributeValue.s("leaf");
        for (int i = 0; i < AttributeValueWire.MAX_DECODE_DEPTH - 1; i++) allowed = new AttributeValue.M(Map.of("k", allowed));
        Map<String, AttributeValue> ok = Map.of("d", allowed);
        assertThat(ItemCodec.decode(ItemCodec.encode(ok))).isEqualTo(ok);
    }

    @Test
    void readsMultiBlockMaps() {
        // Avro writers may split a map into several blocks; a negative count is followed by the block's size.
        byte[] header = Arrays.copyOf(ItemCodec.encode(Map.of()), SingleObject.HEADER_LENGTH_BYTES);
        List<Byte> body = new ArrayList<>();
        // block 1: count -1 (zigzag 01), then its size, 3 bytes (zigzag 06): key "a" (02 61), value NULL (00)
        addAll(body, 0x01, 0x06, 0x02, 0x61, 0x00);
        // block 2: count 1 (02): key "b" (02 62), value S "x" (04 02 78); then the end (00)
        addAll(body, 0x02, 0x02, 0x62, 0x04, 0x02, 0x78, 0x00);
        byte[] bytes = Arrays.copyOf(header, header.length + body.size());
        for (int i = 0; i < body.size(); i++) bytes[header.length + i] = body.get(i);
        assertThat(ItemCodec.decode(bytes)).containsExactly(
                Map.entry("a", AttributeValue.Null.INSTANCE), Map.entry("b", AttributeValue.s("x")));
    }

    private static GenericRecord wrap(GenericRecord branch) {
        GenericRecord r = new org.apache.avro.generic.GenericData.Record(AvroReference.ATTRIBUTE_VALUE);
        r.put("value", branch);
        return r;
    }

    private static void addAll(List<Byte> out, int... bytes) {
        for (int b : bytes) out.add((byte) b);
    }
}
