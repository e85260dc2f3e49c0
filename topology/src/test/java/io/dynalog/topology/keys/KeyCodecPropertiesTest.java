package io.dynalog.topology.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.ValueArbitraries;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.Numbers;
import io.dynalog.topology.model.ScalarType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/** The properties DESIGN.md section 3 relies on: byte order is DynamoDB's order, and decoding inverts encoding. */
class KeyCodecPropertiesTest {

    // ---- order ----------------------------------------------------------------------------

    @Property(tries = 2000)
    void stringOrderIsUtf8ByteOrder(@ForAll("strings") String a, @ForAll("strings") String b) {
        assertThat(compareEncoded(new AttributeValue.S(a), new AttributeValue.S(b))).isEqualTo(dynamoCompare(a, b));
    }

    @Property(tries = 2000)
    void stringOrderHoldsForValuesSharingAPrefix(
            @ForAll("strings") String prefix, @ForAll("strings") String a, @ForAll("strings") String b) {
        assertThat(compareEncoded(new AttributeValue.S(prefix + a), new AttributeValue.S(prefix + b)))
                .isEqualTo(dynamoCompare(prefix + a, prefix + b));
    }

    @Property(tries = 2000)
    void binaryOrderIsUnsignedByteOrder(@ForAll("bytes") byte[] a, @ForAll("bytes") byte[] b) {
        assertThat(compareEncoded(new AttributeValue.B(a), new AttributeValue.B(b)))
                .isEqualTo(Integer.signum(Arrays.compareUnsigned(a, b)));
    }

    @Property(tries = 2000)
    void binaryOrderHoldsForValuesSharingAPrefix(
            @ForAll("bytes") byte[] prefix, @ForAll("bytes") byte[] a, @ForAll("bytes") byte[] b) {
        byte[] x = concat(prefix, a);
        byte[] y = concat(prefix, b);
        assertThat(compareEncoded(new AttributeValue.B(x), new AttributeValue.B(y)))
                .isEqualTo(Integer.signum(Arrays.compareUnsigned(x, y)));
    }

    @Property(tries = 5000)
    void numberOrderIsNumericOrder(@ForAll("numbers") BigDecimal a, @ForAll("numbers") BigDecimal b) {
        assertThat(compareEncoded(new AttributeValue.N(a), new AttributeValue.N(b))).isEqualTo(a.compareTo(b));
    }

    @Property(tries = 2000)
    void numberOrderHoldsForNeighbours(@ForAll("numbers") BigDecimal a, @ForAll @IntRange(min = 1, max = 9) int step) {
        // The smallest change at a's last digit, and one digit further: the hardest pairs to order.
        BigDecimal ulp = a.signum() == 0 ? BigDecimal.ONE : a.ulp();
        for (BigDecimal delta : new BigDecimal[] {ulp, ulp.movePointLeft(1)}) {
            BigDecimal b = a.add(delta.multiply(BigDecimal.valueOf(step)));
            if (Numbers.check(b) != null) continue;
            assertThat(compareEncoded(new AttributeValue.N(a), new AttributeValue.N(b))).isEqualTo(a.compareTo(b));
        }
    }

    /**
     * Prefix-freedom: a key of two attributes sorts like the pair (first attribute, then second),
     * for each of the nine combinations of key types.
     */
    @Property(tries = 3000)
    void concatenationsSortLikeTuples(@ForAll("tuplePairs") AttributeValue[][] pair) {
        AttributeValue[] x = pair[0];
        AttributeValue[] y = pair[1];
        int expected = dynamoCompare(x[0], y[0]);
        if (expected == 0) expected = dynamoCompare(x[1], y[1]);
        byte[] ex = concat(KeyCodec.encodeScalar(x[0]), KeyCodec.encodeScalar(x[1]));
        byte[] ey = concat(KeyCodec.encodeScalar(y[0]), KeyCodec.encodeScalar(y[1]));
        assertThat(Integer.signum(Arrays.compareUnsigned(ex, ey))).isEqualTo(expected);
    }

    // ---- round trips -----------------------------------------------------------------------

    @Property(tries = 2000)
    void decodeInvertsEncode(@ForAll("scalars") AttributeValue v, @ForAll("bytes") byte[] before, @ForAll("bytes") byte[] after) {
        byte[] encoded = KeyCodec.encodeScalar(v);
        byte[] framed = concat(concat(before, encoded), after);
        KeyCodec.Decoded decoded = KeyCodec.decodeScalar(scalarType(v), framed, before.length);
        assertThat(decoded.value()).isEqualTo(v);
        assertThat(decoded.nextOffset()).isEqualTo(before.length + encoded.length);
    }

    @Property(tries = 1000)
    void storeKeyRoundTripsAndStartsWithItsPartitionPrefix(
            @ForAll("scalars") AttributeValue pk, @ForAll("scalars") AttributeValue sk, @ForAll boolean withSortKey) {
        KeySchema schema = withSortKey
                ? KeySchema.hashRange("pk", scalarType(pk), "sk", scalarType(sk))
                : KeySchema.hash("pk", scalarType(pk));
        Map<String, AttributeValue> item = withSortKey
                ? Map.of("pk", pk, "sk", sk, "other", AttributeValue.s("x"))
                : Map.of("pk", pk, "other", AttributeValue.s("x"));
        byte[] storeKey = KeyCodec.storeKey(schema, item);

        assertThat(KeyCodec.decodeKey(schema, storeKey)).isEqualTo(schema.keyOf(item));
        byte[] prefix = KeyCodec.partitionKeyPrefix(schema, pk);
        assertThat(Arrays.copyOf(storeKey, prefix.length)).isEqualTo(prefix);
        assertThat(KeyCodec.hashOf(storeKey)).isEqualTo(KeyCodec.hash32(pk));
    }

    @Property(tries = 1000)
    void scalarPrefixIsAPrefixOfEveryExtension(@ForAll("strings") String a, @ForAll("strings") String suffix) {
        byte[] prefix = KeyCodec.encodeScalarPrefix(new AttributeValue.S(a));
        byte[] extended = KeyCodec.encodeScalar(new AttributeValue.S(a + suffix));
        assertThat(Arrays.copyOf(extended, prefix.length)).isEqualTo(prefix);
    }

    // ---- hash ranges -----------------------------------------------------------------------

    @Property(tries = 2000)
    void everyHashLiesInTheRangeOfItsPartition(@ForAll int hash, @ForAll("partitionCounts") int count) {
        int p = KeyCodec.partitionOf(hash, count);
        long unsigned = hash & 0xFFFFFFFFL;
        assertThat(p).isBetween(0, count - 1);
        assertThat(KeyCodec.rangeStart(p, count)).isLessThanOrEqualTo(unsigned);
        assertThat(KeyCodec.rangeStart(p + 1, count)).isGreaterThan(unsigned);
    }

    @Property(tries = 2000)
    void rangeStartsAreTheFirstHashesOfTheirRanges(@ForAll("partitionCounts") int count, @ForAll("fractions") double where) {
        int index = Math.min(count - 1, (int) (where * count));
        long start = KeyCodec.rangeStart(index, count);
        assertThat(KeyCodec.partitionOf((int) start, count)).isEqualTo(index);
        if (index > 0) assertThat(KeyCodec.partitionOf((int) (start - 1), count)).isEqualTo(index - 1);
        long end = KeyCodec.rangeStart(index + 1, count);
        assertThat(end).isGreaterThan(start);
        assertThat(KeyCodec.partitionOf((int) (end - 1), count)).isEqualTo(index);
    }

    @Property(tries = 2000)
    void hashBoundsSplitStoreKeysByHash(@ForAll("scalars") AttributeValue pk, @ForAll("partitionCounts") int count,
                                        @ForAll("fractions") double where) {
        int index = (int) Math.min(count, (long) (where * ((long) count + 1)));
        long start = KeyCodec.rangeStart(index, count);
        byte[] bound = KeyCodec.hashBound(start);
        byte[] storeKey = KeyCodec.storeKey(KeySchema.hash("pk", scalarType(pk)), Map.of("pk", pk));
        long hash = KeyCodec.hashOf(storeKey) & 0xFFFFFFFFL;
        if (bound == null) {
            assertThat(start).isEqualTo(KeyCodec.HASH_SPACE_END);
        } else {
            assertThat(Arrays.compareUnsigned(storeKey, bound) >= 0).isEqualTo(hash >= start);
        }
    }

    // ---- generators ------------------------------------------------------------------------

    @Provide
    Arbitrary<String> strings() {
        return ValueArbitraries.strings();
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return ValueArbitraries.bytes();
    }

    @Provide
    Arbitrary<BigDecimal> numbers() {
        return ValueArbitraries.numbers();
    }

    @Provide
    Arbitrary<AttributeValue> scalars() {
        return Arbitraries.oneOf(ValueArbitraries.scalarS(), ValueArbitraries.scalarB(), ValueArbitraries.scalarN());
    }

    /** Two tuples (first, second) of one type combination, from small domains so that first values often tie. */
    @Provide
    Arbitrary<AttributeValue[][]> tuplePairs() {
        return Arbitraries.of(ScalarType.values()).flatMap(t1 -> Arbitraries.of(ScalarType.values()).flatMap(t2 ->
                Combinators.combine(smallScalars(t1), smallScalars(t2), smallScalars(t1), smallScalars(t2))
                        .as((a1, b1, a2, b2) -> new AttributeValue[][] {{a1, b1}, {a2, b2}})));
    }

    @Provide
    Arbitrary<Integer> partitionCounts() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(1, 64)),
                Tuple.of(2, Arbitraries.integers().between(1, Integer.MAX_VALUE)),
                Tuple.of(1, Arbitraries.of(1, 2, 3, 7, 1 << 30, Integer.MAX_VALUE)));
    }

    @Provide
    Arbitrary<Double> fractions() {
        return Arbitraries.doubles().between(0, 1);
    }

    private static Arbitrary<AttributeValue> smallScalars(ScalarType type) {
        return switch (type) {
            case S -> Arbitraries.strings().withChars("a\u0000\u00ff\uD83D\uDE00").ofMaxLength(3).map(AttributeValue.S::new);
            case B -> Arbitraries.bytes().list().ofMaxSize(3)
                    .map(list -> {
                        byte[] b = new byte[list.size()];
                        for (int i = 0; i < b.length; i++) b[i] = (byte) (list.get(i) & 0x81); // 00, 01, 80, 81
                        return (AttributeValue) new AttributeValue.B(b);
                    });
            case N -> Arbitraries.of("0", "1", "-1", "10", "1.1", "-1.1", "0.5", "-0.05", "1E125", "-1E-130", "12345678901234567890")
                    .map(AttributeValue::n);
        };
    }

    // ---- DynamoDB's comparison -------------------------------------------------------------

    static int dynamoCompare(String a, String b) {
        return Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
    }

    static int dynamoCompare(AttributeValue a, AttributeValue b) {
        if (a instanceof AttributeValue.S x && b instanceof AttributeValue.S y) return dynamoCompare(x.value(), y.value());
        if (a instanceof AttributeValue.B x && b instanceof AttributeValue.B y) return Integer.signum(x.compareTo(y));
        if (a instanceof AttributeValue.N x && b instanceof AttributeValue.N y) return x.value().compareTo(y.value());
        throw new IllegalArgumentException(a.type() + " vs " + b.type());
    }

    static int compareEncoded(AttributeValue a, AttributeValue b) {
        return Integer.signum(Arrays.compareUnsigned(KeyCodec.encodeScalar(a), KeyCodec.encodeScalar(b)));
    }

    static ScalarType scalarType(AttributeValue v) {
        return ScalarType.valueOf(v.type().name());
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
