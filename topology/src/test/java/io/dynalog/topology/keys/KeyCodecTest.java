package io.dynalog.topology.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final KeySchema HASH_S = KeySchema.hash("id", ScalarType.S);
    private static final KeySchema HASH_RANGE = KeySchema.hashRange("id", ScalarType.S, "at", ScalarType.N);

    @Test
    void stringsAndBinariesEscapeNulAndEndWithTwoNuls() {
        assertThat(hex(AttributeValue.s(""))).isEqualTo("0000");
        assertThat(hex(AttributeValue.s("a"))).isEqualTo("610000");
        assertThat(hex(AttributeValue.s("a\u0000b"))).isEqualTo("6100ff620000");
        assertThat(hex(AttributeValue.b(new byte[] {0, (byte) 0xFF}))).isEqualTo("00ffff0000");
    }

    @Test
    void numbersAreSignExponentBase100DigitsAndTerminator() {
        assertThat(hex(AttributeValue.n(0))).isEqualTo("80");
        assertThat(hex(AttributeValue.n("-0.000"))).isEqualTo("80");
        // 1 = 1 x 10^0: exponent byte 130 = 0x82, digit pair "10" -> 11 = 0x0b.
        assertThat(hex(AttributeValue.n(1))).isEqualTo("81820b00");
        // 123 = 1.23 x 10^2: 0x84, pairs "12" -> 13, "30" -> 31.
        assertThat(hex(AttributeValue.n(123))).isEqualTo("8184" + "0d1f" + "00");
        // -1: every byte after the sign inverted.
        assertThat(hex(AttributeValue.n(-1))).isEqualTo("7f7df4ff");
        assertThat(hex(AttributeValue.n("1E-130"))).isEqualTo("81000b00");
        assertThat(hex(AttributeValue.n("9.9999999999999999999999999999999999999E+125")))
                .isEqualTo("81ff" + "64".repeat(19) + "00");
    }

    @Test
    void numbersSortNumericallyAcrossSignsAndExponents() {
        List<String> ascending = List.of(
                "-9.9999999999999999999999999999999999999E+125", "-1E+125", "-100", "-11", "-10.5", "-10", "-9",
                "-1.0000000000000000000000000000000000001", "-1", "-0.99", "-0.1", "-1E-130", "0", "1E-130",
                "0.1", "0.99", "1", "1.0000000000000000000000000000000000001", "9", "10", "10.5", "11", "100",
                "1E+125", "9.9999999999999999999999999999999999999E+125");
        List<byte[]> encoded = new ArrayList<>();
        for (String n : ascending) encoded.add(KeyCodec.encodeScalar(AttributeValue.n(n)));
        List<byte[]> shuffled = new ArrayList<>(encoded);
        Collections.shuffle(shuffled, new java.util.Random(7));
        shuffled.sort(Arrays::compareUnsigned);
        assertThat(shuffled).containsExactlyElementsOf(encoded);
    }

    @Test
    void streamVariantWritesTheSameBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KeyCodec.encodeScalar(AttributeValue.s("k"), out);
        KeyCodec.encodeScalar(AttributeValue.n(5), out);
        byte[] expected = KeyCodecPropertiesTest.concat(
                KeyCodec.encodeScalar(AttributeValue.s("k")), KeyCodec.encodeScalar(AttributeValue.n(5)));
        assertThat(out.toByteArray()).isEqualTo(expected);
    }

    @Test
    void storeKeyIsHashThenPartitionKeyThenSortKey() {
        Map<String, AttributeValue> item = Map.of("id", AttributeValue.s("user#1"), "at", AttributeValue.n(42), "x", AttributeValue.s("y"));
        byte[] key = KeyCodec.storeKey(HASH_RANGE, item);
        int hash = Murmur3.hash32(KeyCodec.encodeScalar(AttributeValue.s("user#1")));
        assertThat(HEX.formatHex(key, 0, 4)).isEqualTo(String.format("%08x", hash));
        assertThat(KeyCodec.hash32(AttributeValue.s("user#1"))).isEqualTo(hash);
        assertThat(key).isEqualTo(KeyCodecPropertiesTest.concat(
                KeyCodec.partitionKeyPrefix(HASH_RANGE, AttributeValue.s("user#1")), KeyCodec.encodeScalar(AttributeValue.n(42))));
        assertThat(KeyCodec.decodeKey(HASH_RANGE, key))
                .containsExactly(Map.entry("id", AttributeValue.s("user#1")), Map.entry("at", AttributeValue.n(42)));
    }

    @Test
    void storeKeyRejectsMissingOrMistypedKeyAttributes() {
        assertThatThrownBy(() -> KeyCodec.storeKey(HASH_S, Map.of("other", AttributeValue.s("x"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> KeyCodec.storeKey(HASH_S, Map.of("id", AttributeValue.n(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> KeyCodec.storeKey(HASH_RANGE, Map.of("id", AttributeValue.s("a"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at");
        assertThatThrownBy(() -> KeyCodec.partitionKeyPrefix(HASH_S, AttributeValue.n(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyCodec.encodeScalar(AttributeValue.Bool.TRUE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BOOL");
    }

    @Test
    void encodingRejectsNumbersOutsideTheExponentRange() {
        assertThatThrownBy(() -> KeyCodec.encodeScalar(AttributeValue.n("1E+126"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyCodec.encodeScalar(AttributeValue.n("1E-131"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decodingRejectsMalformedBytes() {
        assertThatThrownBy(() -> KeyCodec.decodeScalar(ScalarType.S, HEX.parseHex("61"), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> KeyCodec.decodeScalar(ScalarType.B, HEX.parseHex("610001"), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("escape");
        assertThatThrownBy(() -> KeyCodec.decodeScalar(ScalarType.N, HEX.parseHex("01"), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sign");
        assertThatThrownBy(() -> KeyCodec.decodeScalar(ScalarType.N, HEX.parseHex("818265"), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyCodec.decodeScalar(ScalarType.N, HEX.parseHex("81820b"), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> KeyCodec.decodeScalar(ScalarType.N, HEX.parseHex("81820100"), 0)) // leading zero digit
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("normalised");
        byte[] key = KeyCodec.storeKey(HASH_S, Map.of("id", AttributeValue.s("a")));
        byte[] withTrailing = Arrays.copyOf(key, key.length + 1);
        assertThatThrownBy(() -> KeyCodec.decodeKey(HASH_S, withTrailing))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after");
        assertThatThrownBy(() -> KeyCodec.decodeKey(HASH_S, new byte[3])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decodedNumbersAreCanonical() {
        byte[] encoded = KeyCodec.encodeScalar(AttributeValue.n("1200.50"));
        AttributeValue.N decoded = (AttributeValue.N) KeyCodec.decodeScalar(ScalarType.N, encoded, 0).value();
        assertThat(decoded.value()).isEqualTo(new BigDecimal("1200.5"));
        assertThat(decoded.text()).isEqualTo("1200.5");
    }

    @Test
    void hashRangesCoverTheHashSpace() {
        assertThat(KeyCodec.rangeStart(0, 1)).isZero();
        assertThat(KeyCodec.rangeStart(1, 1)).isEqualTo(1L << 32);
        assertThat(KeyCodec.rangeStart(1, 2)).isEqualTo(1L << 31);
        assertThat(KeyCodec.rangeStart(1, 3)).isEqualTo(1431655766L); // ceil(2^32 / 3)
        assertThat(KeyCodec.rangeStart(Integer.MAX_VALUE, Integer.MAX_VALUE)).isEqualTo(1L << 32);
        assertThat(KeyCodec.partitionOf(0, 3)).isZero();
        assertThat(KeyCodec.partitionOf(-1, 3)).isEqualTo(2);
        assertThat(KeyCodec.partitionOf(0x80000000, 2)).isEqualTo(1);
        assertThat(KeyCodec.partitionOf(0x7FFFFFFF, 2)).isZero();
        assertThatThrownBy(() -> KeyCodec.rangeStart(3, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyCodec.partitionOf(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hashBoundsAreBigEndianAndNullAtTheEnd() {
        assertThat(KeyCodec.hashBound(0)).containsExactly(0, 0, 0, 0);
        assertThat(KeyCodec.hashBound(0x80000000L)).containsExactly(0x80, 0, 0, 0);
        assertThat(KeyCodec.hashBound(0xFFFFFFFFL)).containsExactly(0xFF, 0xFF, 0xFF, 0xFF);
        assertThat(KeyCodec.hashBound(1L << 32)).isNull();
        assertThatThrownBy(() -> KeyCodec.hashBound(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyCodec.hashBound((1L << 32) + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void murmur3MatchesReferenceVectors() {
        // Vectors of the reference MurmurHash3_x86_32.
        assertThat(Murmur3.hash32(new byte[0])).isZero();
        assertThat(Murmur3.hash32(new byte[0], 0, 0, 1)).isEqualTo(0x514E28B7);
        assertThat(Murmur3.hash32(new byte[0], 0, 0, 0xFFFFFFFF)).isEqualTo(0x81F16F39);
        assertThat(Murmur3.hash32(new byte[4])).isEqualTo(0x2362F9DE);
        assertThat(Murmur3.hash32(ascii("abc"))).isEqualTo(0xB3DD93FA);
        assertThat(Murmur3.hash32(ascii("a"), 0, 1, 0x9747B28C)).isEqualTo(0x7FA09EA6);
        assertThat(Murmur3.hash32(ascii("aaaa"), 0, 4, 0x9747B28C)).isEqualTo(0x5A97808A);
        assertThat(Murmur3.hash32(ascii("Hello, world!"), 0, 13, 0x9747B28C)).isEqualTo(0x24884CBA);
        byte[] fox = ascii("The quick brown fox jumps over the lazy dog");
        assertThat(Murmur3.hash32(fox)).isEqualTo(0x2E4FF723);
        assertThat(Murmur3.hash32(fox, 0, fox.length, 0x9747B28C)).isEqualTo(0x2FA826CD);
        // A slice hashes like a copy of it.
        assertThat(Murmur3.hash32(ascii("xxabcyy"), 2, 3, 0)).isEqualTo(0xB3DD93FA);
    }

    private static String hex(AttributeValue v) {
        return HEX.formatHex(KeyCodec.encodeScalar(v));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
