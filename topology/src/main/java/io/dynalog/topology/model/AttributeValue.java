package io.dynalog.topology.model;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A DynamoDB attribute value: one of S, N, B, BOOL, NULL, M, L, SS, NS, BS.
 *
 * <p>Values are immutable. Numbers are held in canonical form ({@link Numbers#canonical}) so that
 * equal numbers are equal values and number sets hold no two numerically equal members. Whether a
 * value obeys DynamoDB's limits (digits, range, empty sets, nesting) is checked by
 * {@link ItemValidator}, not here, so that a decoder can represent whatever a client sent before it
 * is judged.
 */
public sealed interface AttributeValue {

    /** The DynamoDB type descriptor of this value. */
    Type type();

    enum Type { S, N, B, BOOL, NULL, M, L, SS, NS, BS }

    record S(String value) implements AttributeValue {
        public S { if (value == null) throw new NullPointerException("value"); }
        public Type type() { return Type.S; }
    }

    /** A number, canonical: trailing zeros stripped, zero is {@code BigDecimal.ZERO}. */
    record N(BigDecimal value) implements AttributeValue {
        public N { value = Numbers.canonical(value); }
        public Type type() { return Type.N; }
        /** The number as DynamoDB prints it. */
        public String text() { return Numbers.format(value); }
    }

    /** Binary. The array is owned by the value: callers must not modify it. */
    final class B implements AttributeValue, Comparable<B> {
        private final byte[] bytes;
        public B(byte[] bytes) { this.bytes = bytes.clone(); }
        /** Wraps without copying; the caller gives up the array. */
        public static B wrap(byte[] bytes) { return new B(bytes, true); }
        private B(byte[] bytes, boolean unused) { this.bytes = bytes; }
        public byte[] bytes() { return bytes; }
        public Type type() { return Type.B; }
        @Override public boolean equals(Object o) { return o instanceof B b && Arrays.equals(bytes, b.bytes); }
        @Override public int hashCode() { return Arrays.hashCode(bytes); }
        /** DynamoDB orders binary values as unsigned bytes. */
        @Override public int compareTo(B o) { return Arrays.compareUnsigned(bytes, o.bytes); }
        @Override public String toString() { return "B[" + bytes.length + " bytes]"; }
    }

    record Bool(boolean value) implements AttributeValue {
        public static final Bool TRUE = new Bool(true);
        public static final Bool FALSE = new Bool(false);
        public static Bool of(boolean b) { return b ? TRUE : FALSE; }
        public Type type() { return Type.BOOL; }
    }

    record Null() implements AttributeValue {
        public static final Null INSTANCE = new Null();
        public Type type() { return Type.NULL; }
    }

    /** A map; iteration keeps the order in which the client gave the entries. */
    record M(Map<String, AttributeValue> value) implements AttributeValue {
        public M { value = Collections.unmodifiableMap(new LinkedHashMap<>(value)); }
        public Type type() { return Type.M; }
    }

    record L(List<AttributeValue> value) implements AttributeValue {
        public L { value = List.copyOf(value); }
        public Type type() { return Type.L; }
    }

    /** A string set. Duplicates are rejected by the decoder or the validator, never silently merged. */
    record SS(Set<String> value) implements AttributeValue {
        public SS { value = Collections.unmodifiableSet(new LinkedHashSet<>(value)); }
        public Type type() { return Type.SS; }
    }

    /** A number set of canonical numbers. */
    record NS(Set<BigDecimal> value) implements AttributeValue {
        public NS {
            LinkedHashSet<BigDecimal> canonical = new LinkedHashSet<>();
            for (BigDecimal n : value) canonical.add(Numbers.canonical(n));
            value = Collections.unmodifiableSet(canonical);
        }
        public Type type() { return Type.NS; }
    }

    /** A binary set. */
    record BS(Set<B> value) implements AttributeValue {
        public BS { value = Collections.unmodifiableSet(new LinkedHashSet<>(value)); }
        public Type type() { return Type.BS; }
    }

    static S s(String v) { return new S(v); }
    static N n(String v) { return new N(new BigDecimal(v)); }
    static N n(long v) { return new N(BigDecimal.valueOf(v)); }
    static B b(byte[] v) { return new B(v); }
}
