package io.dynalog.checker;

import java.util.Arrays;

/**
 * A mutable set of operation indices (a bitset) that can be frozen cheaply into a memo key.
 *
 * <p>The checker freezes the set of linearized operations at every step, so freezing must not
 * copy the whole bitset: the operations linearized so far are nearly a prefix of the history
 * (everything that completed before the earliest pending operation is in), so a frozen set keeps
 * only the count of leading all-ones words and the words after them. The hash is kept up to date
 * incrementally (an XOR of one random-looking value per member, as in Zobrist hashing).
 *
 * <p>Invariant: {@code words[0..fullWords)} are all ones and {@code words[fullWords]} is not (or
 * {@code fullWords == words.length}); {@code hash} is the XOR of {@link #mix} over the members.
 */
final class OpSet {
    private final long[] words;
    private int fullWords;
    private long hash;

    OpSet(int size) {
        words = new long[(size + 63) >>> 6];
    }

    boolean contains(int i) {
        return (words[i >>> 6] & (1L << i)) != 0;
    }

    void add(int i) {
        int w = i >>> 6;
        long bit = 1L << i;
        if ((words[w] & bit) != 0) throw new IllegalStateException(i + " is already in the set");
        words[w] |= bit;
        hash ^= mix(i);
        while (fullWords < words.length && words[fullWords] == -1L) fullWords++;
    }

    void remove(int i) {
        int w = i >>> 6;
        long bit = 1L << i;
        if ((words[w] & bit) == 0) throw new IllegalStateException(i + " is not in the set");
        words[w] &= ~bit;
        hash ^= mix(i);
        if (w < fullWords) fullWords = w;
    }

    /** An immutable copy, for a memo key. */
    Frozen freeze() {
        int end = words.length;
        while (end > fullWords && words[end - 1] == 0) end--;
        return new Frozen(fullWords, Arrays.copyOfRange(words, fullWords, end), hash);
    }

    /** The members as plain words with trailing zero words dropped (for subset tests). */
    long[] words() {
        int end = words.length;
        while (end > 0 && words[end - 1] == 0) end--;
        return Arrays.copyOf(words, end);
    }

    /** True iff every member of {@code a} is in {@code b} (both from {@link #words()}). */
    static boolean subset(long[] a, long[] b) {
        if (a.length > b.length) return false;
        for (int i = 0; i < a.length; i++) {
            if ((a[i] & ~b[i]) != 0) return false;
        }
        return true;
    }

    /** SplitMix64's finaliser: a well-spread 64-bit value per index. */
    private static long mix(int i) {
        long z = (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A frozen set: {@code fullWords} words of ones, then {@code tail} (no trailing zero word). */
    static final class Frozen {
        private final int fullWords;
        private final long[] tail;
        private final long hash;

        private Frozen(int fullWords, long[] tail, long hash) {
            this.fullWords = fullWords;
            this.tail = tail;
            this.hash = hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Frozen f && f.hash == hash && f.fullWords == fullWords && Arrays.equals(f.tail, tail);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(hash);
        }
    }
}
