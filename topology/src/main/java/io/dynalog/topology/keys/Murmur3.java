package io.dynalog.topology.keys;

/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby's {@code MurmurHash3_x86_32}), little-endian
 * block reads as in the reference implementation.
 *
 * <p>The hash of a partition key decides which partition owns an item and where the item sits in
 * Scan order, so the function is part of the on-disk format: it must never change.
 */
public final class Murmur3 {
    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private Murmur3() {}

    /** The hash of {@code data[offset, offset + length)} with the given seed. */
    public static int hash32(byte[] data, int offset, int length, int seed) {
        if (offset < 0 || length < 0 || offset > data.length - length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", array " + data.length);
        }
        int h1 = seed;
        int blocksEnd = offset + (length & ~3);
        for (int i = offset; i < blocksEnd; i += 4) {
            int k1 = (data[i] & 0xff)
                    | (data[i + 1] & 0xff) << 8
                    | (data[i + 2] & 0xff) << 16
                    | (data[i + 3] & 0xff) << 24;
            h1 ^= mixK1(k1);
            h1 = Integer.rotateLeft(h1, 13);
            h1 = h1 * 5 + 0xe6546b64;
        }
        int tailLength = length & 3;
        if (tailLength > 0) {
            int k1 = 0;
            if (tailLength == 3) k1 ^= (data[blocksEnd + 2] & 0xff) << 16;
            if (tailLength >= 2) k1 ^= (data[blocksEnd + 1] & 0xff) << 8;
            k1 ^= data[blocksEnd] & 0xff;
            h1 ^= mixK1(k1);
        }
        h1 ^= length;
        return finalMix(h1);
    }

    /** The hash of the whole array with seed 0. */
    public static int hash32(byte[] data) {
        return hash32(data, 0, data.length, 0);
    }

    private static int mixK1(int k1) {
        k1 *= C1;
        k1 = Integer.rotateLeft(k1, 15);
        return k1 * C2;
    }

    private static int finalMix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
