package io.dynalog.api.read;

import java.util.Arrays;

/**
 * A range of store keys {@code [lower, upper)}; a null bound is open (the table's start or end).
 * Store keys are compared as unsigned bytes.
 */
public record KeyRange(byte[] lower, byte[] upper) {

    public static final KeyRange ALL = new KeyRange(null, null);

    /** Every key that starts with {@code prefix}. */
    public static KeyRange withPrefix(byte[] prefix) {
        return new KeyRange(prefix, prefixEnd(prefix));
    }

    /** The least key greater than {@code key}: the key followed by a 0x00 byte. */
    public static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    /**
     * The least key greater than every key that starts with {@code prefix}, or null when there is
     * none (the prefix is all 0xFF bytes).
     */
    public static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }

    public static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** The part of this range that is also in {@code other}. */
    public KeyRange intersect(KeyRange other) {
        return new KeyRange(maxLower(lower, other.lower), minUpper(upper, other.upper));
    }

    public boolean isEmpty() {
        return lower != null && upper != null && Arrays.compareUnsigned(lower, upper) >= 0;
    }

    public boolean contains(byte[] key) {
        return (lower == null || Arrays.compareUnsigned(key, lower) >= 0)
                && (upper == null || Arrays.compareUnsigned(key, upper) < 0);
    }

    private static byte[] maxLower(byte[] a, byte[] b) {
        if (a == null) return b;
        if (b == null) return a;
        return Arrays.compareUnsigned(a, b) >= 0 ? a : b;
    }

    private static byte[] minUpper(byte[] a, byte[] b) {
        if (a == null) return b;
        if (b == null) return a;
        return Arrays.compareUnsigned(a, b) <= 0 ? a : b;
    }
}
