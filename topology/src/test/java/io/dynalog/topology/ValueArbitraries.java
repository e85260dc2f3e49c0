package io.dynalog.topology;

import io.dynalog.topology.model.AttributeValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik generators for attribute values, biased towards what breaks encodings: NUL and 0xFF
 * bytes, supplementary characters, shared prefixes, equal exponents, extreme exponents.
 */
public final class ValueArbitraries {
    private ValueArbitraries() {}

    /** Valid Unicode strings (no unpaired surrogates), often with U+0000 and supplementary characters. */
    public static Arbitrary<String> strings() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, 2)),
                Tuple.of(5, Arbitraries.integers().between(0x20, 0x7F)),
                Tuple.of(2, Arbitraries.integers().between(0x80, 0xD7FF)),
                Tuple.of(1, Arbitraries.integers().between(0xE000, 0xFFFF)),
                Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10FFFF)));
        return codePoint.list().ofMinSize(0).ofMaxSize(12).map(cps -> {
            StringBuilder sb = new StringBuilder();
            for (int cp : cps) sb.appendCodePoint(cp);
            return sb.toString();
        });
    }

    /** Byte arrays, often with 0x00, 0x01 and 0xFF. */
    public static Arbitrary<byte[]> bytes() {
        Arbitrary<Byte> b = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of((byte) 0x00, (byte) 0x01, (byte) 0xFF, (byte) 0xFE, (byte) 0x7F, (byte) 0x80)),
                Tuple.of(4, Arbitraries.bytes()));
        return b.list().ofMinSize(0).ofMaxSize(12).map(list -> {
            byte[] out = new byte[list.size()];
            for (int i = 0; i < out.length; i++) out[i] = list.get(i);
            return out;
        });
    }

    /**
     * Numbers within DynamoDB's limits: 1..38 significant digits, adjusted exponent -130..125,
     * both signs, and zero. Exponents and digits are often drawn from small sets, so that pairs
     * share exponents and mantissa prefixes.
     */
    public static Arbitrary<BigDecimal> numbers() {
        Arbitrary<Integer> exponent = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(-130, 125)),
                Tuple.of(3, Arbitraries.integers().between(-2, 2)),
                Tuple.of(1, Arbitraries.of(-130, 125)));
        Arbitrary<String> restDigits = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.strings().withChars("0123456789").ofMinLength(0).ofMaxLength(37)),
                Tuple.of(2, Arbitraries.strings().withChars("019").ofMinLength(0).ofMaxLength(5)));
        Arbitrary<BigDecimal> nonZero = Combinators.combine(
                Arbitraries.of(1, -1), Arbitraries.integers().between(1, 9), restDigits, exponent)
                .as((sign, first, rest, exp) -> {
                    String digits = first + rest;
                    BigDecimal magnitude = new BigDecimal(new BigInteger(digits), digits.length() - 1 - exp);
                    return sign < 0 ? magnitude.negate() : magnitude;
                });
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(BigDecimal.ZERO)), Tuple.of(15, nonZero));
    }

    public static Arbitrary<AttributeValue> scalarS() {
        return strings().map(AttributeValue.S::new);
    }

    public static Arbitrary<AttributeValue> scalarB() {
        return bytes().map(AttributeValue.B::new);
    }

    public static Arbitrary<AttributeValue> scalarN() {
        return numbers().map(AttributeValue.N::new);
    }

    /** Any attribute value, nested up to {@code depth} levels of maps and lists. */
    public static Arbitrary<AttributeValue> values(int depth) {
        Arbitrary<AttributeValue> leaf = Arbitraries.oneOf(
                scalarS(), scalarN(), scalarB(),
                Arbitraries.of(true, false).map(AttributeValue.Bool::of),
                Arbitraries.just(AttributeValue.Null.INSTANCE),
                strings().set().ofMinSize(1).ofMaxSize(5).map(s -> new AttributeValue.SS(new LinkedHashSet<>(s))),
                numbers().set().ofMinSize(1).ofMaxSize(5).map(s -> new AttributeValue.NS(new LinkedHashSet<>(s))),
                bytes().map(AttributeValue.B::new).set().ofMinSize(1).ofMaxSize(5)
                        .map(s -> new AttributeValue.BS(new LinkedHashSet<>(s))));
        if (depth == 0) return leaf;
        Arbitrary<AttributeValue> inner = Arbitraries.lazy(() -> values(depth - 1));
        Arbitrary<AttributeValue> map = items(inner).map(AttributeValue.M::new);
        Arbitrary<AttributeValue> list = inner.list().ofMaxSize(4).map(AttributeValue.L::new);
        return Arbitraries.frequencyOf(Tuple.of(6, leaf), Tuple.of(1, map), Tuple.of(1, list));
    }

    /** Items (attribute name to value) with values from {@code values}. */
    public static Arbitrary<Map<String, AttributeValue>> items(Arbitrary<AttributeValue> values) {
        return Arbitraries.maps(strings(), values).ofMaxSize(4).map(LinkedHashMap::new);
    }
}
