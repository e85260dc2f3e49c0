package io.dynalog.topology.keys;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.Numbers;
import io.dynalog.topology.model.ScalarType;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The order-preserving encoding of key attributes and the store key layout (DESIGN.md section 3).
 *
 * <p>A store key is {@code hash32(pk) | encodeScalar(pk) | encodeScalar(sk)}: 4 bytes big-endian
 * hash, then the partition key, then the sort key when the schema has one. The encoding keeps
 * {@link Arrays#compareUnsigned(byte[], byte[]) unsigned byte order} equal to DynamoDB's order and
 * is prefix-free (no encoding is a proper prefix of another of the same type), so a concatenation
 * of encodings sorts like the tuple of values. Hence all items of one partition key are one
 * contiguous range starting with {@link #partitionKeyPrefix}, sorted by sort key, and a whole table
 * is sorted by hash, which is the order of partitions and of Scan segments.
 *
 * <h2>Encodings</h2>
 * <ul>
 *   <li><b>S</b> (its UTF-8 bytes) and <b>B</b> (its bytes): every {@code 0x00} byte is written as
 *       {@code 0x00 0xFF}, every other byte as itself, then the terminator {@code 0x00 0x00}. The
 *       terminator sorts below every continuation ({@code 0x00 0xFF} or a non-zero byte), so a
 *       value sorts before its extensions, as in unsigned byte comparison.
 *   <li><b>N</b>: zero is the single byte {@code 0x80}. Any other number is written from its
 *       canonical form {@code ±d.ddd × 10^e} (first digit non-zero, no trailing zeros, e in
 *       -130..125): a sign byte ({@code 0x81} positive, {@code 0x7F} negative), an exponent byte
 *       ({@code e + 130}, 0..255), the mantissa digits in pairs as base-100 digits
 *       ({@code 10*d1 + d2 + 1}, 1..100; an odd last digit is paired with 0), and the terminator
 *       {@code 0x00}. For negative numbers every byte after the sign byte is inverted
 *       ({@code 255 - b}), so the terminator becomes {@code 0xFF}. Among positives a larger
 *       exponent means a larger number because the mantissa is normalised to [1, 10); with equal
 *       exponents, the mantissas compare digit by digit, a shorter one (ended by the terminator,
 *       lower than any pair) being the smaller. Inversion reverses all of that for negatives.
 *       Pairing halves the key length of long numbers (at most 2 + 19 + 1 bytes); the padding 0
 *       is unambiguous because a canonical mantissa never ends in 0.
 * </ul>
 *
 * <p>The encoding and {@link Murmur3} are the on-disk format of every table: they never change.
 */
public final class KeyCodec {

    /** Bytes of the hash at the front of every store key. */
    public static final int HASH_LENGTH_BYTES = 4;
    /** One past the largest unsigned 32-bit hash: the end of the hash space. */
    public static final long HASH_SPACE_END = 1L << 32;

    static final int NUMBER_ZERO = 0x80;
    static final int NUMBER_POSITIVE = 0x81;
    static final int NUMBER_NEGATIVE = 0x7F;
    /** Added to the exponent: DynamoDB's -130..125 map onto the full byte range 0..255. */
    static final int EXPONENT_OFFSET = 130;
    static final int MIN_EXPONENT = -130;
    static final int MAX_EXPONENT = 125;

    private static final byte ESCAPE = (byte) 0xFF;

    private KeyCodec() {}

    /** A value decoded from an encoding, and the offset of the first byte after its encoding. */
    public record Decoded(AttributeValue value, int nextOffset) {}

    // ---- scalars ---------------------------------------------------------------------------

    /** Appends the order-preserving encoding of an S, N or B value to {@code out}. */
    public static void encodeScalar(AttributeValue v, ByteArrayOutputStream out) {
        byte[] encoded = encodeScalar(v);
        out.write(encoded, 0, encoded.length);
    }

    /** The order-preserving encoding of an S, N or B value. */
    public static byte[] encodeScalar(AttributeValue v) {
        if (v instanceof AttributeValue.S s) return encodeEscaped(s.value().getBytes(StandardCharsets.UTF_8), true);
        if (v instanceof AttributeValue.B b) return encodeEscaped(b.bytes(), true);
        if (v instanceof AttributeValue.N n) return encodeNumber(n.value());
        throw new IllegalArgumentException("key attributes are S, N or B, not " + typeName(v));
    }

    /**
     * The encoding of an S or B value without its terminator: the encoding of every value whose
     * bytes begin with {@code v}'s bytes starts with it (for {@code begins_with} on a sort key).
     */
    public static byte[] encodeScalarPrefix(AttributeValue v) {
        if (v instanceof AttributeValue.S s) return encodeEscaped(s.value().getBytes(StandardCharsets.UTF_8), false);
        if (v instanceof AttributeValue.B b) return encodeEscaped(b.bytes(), false);
        throw new IllegalArgumentException("prefixes are defined for S and B, not " + typeName(v));
    }

    /**
     * Decodes one value of the given type starting at {@code offset}.
     *
     * @throws IllegalArgumentException when the bytes are not a valid encoding of that type
     */
    public static Decoded decodeScalar(ScalarType type, byte[] bytes, int offset) {
        if (offset < 0 || offset > bytes.length) {
            throw new IllegalArgumentException("offset " + offset + " outside " + bytes.length + " bytes");
        }
        return switch (type) {
            case S -> {
                int end = terminatorAt(bytes, offset);
                yield new Decoded(new AttributeValue.S(new String(unescape(bytes, offset, end), StandardCharsets.UTF_8)), end + 2);
            }
            case B -> {
                int end = terminatorAt(bytes, offset);
                yield new Decoded(AttributeValue.B.wrap(unescape(bytes, offset, end)), end + 2);
            }
            case N -> decodeNumber(bytes, offset);
        };
    }

    // ---- store keys ------------------------------------------------------------------------

    /** The partition key's hash: murmur3 x86_32, seed 0, over {@link #encodeScalar encodeScalar(pk)}. */
    public static int hash32(AttributeValue partitionKey) {
        return Murmur3.hash32(encodeScalar(partitionKey));
    }

    /**
     * The store key of an item: {@code hash32(pk) | encodeScalar(pk) | encodeScalar(sk)}.
     *
     * @throws IllegalArgumentException when the item lacks a key attribute or has one of another
     *     type (requests are validated before this; this is a programming error)
     */
    public static byte[] storeKey(KeySchema schema, Map<String, AttributeValue> item) {
        AttributeValue pk = keyAttribute(item, schema.partitionKey(), schema.partitionKeyType());
        byte[] pkEncoded = encodeScalar(pk);
        byte[] skEncoded = schema.hasSortKey()
                ? encodeScalar(keyAttribute(item, schema.sortKey(), schema.sortKeyType()))
                : new byte[0];
        byte[] key = new byte[HASH_LENGTH_BYTES + pkEncoded.length + skEncoded.length];
        writeHash(Murmur3.hash32(pkEncoded), key);
        System.arraycopy(pkEncoded, 0, key, HASH_LENGTH_BYTES, pkEncoded.length);
        System.arraycopy(skEncoded, 0, key, HASH_LENGTH_BYTES + pkEncoded.length, skEncoded.length);
        return key;
    }

    /** {@code hash32(pk) | encodeScalar(pk)}: every store key of an item with that pk starts with it. */
    public static byte[] partitionKeyPrefix(KeySchema schema, AttributeValue pk) {
        checkType(schema.partitionKey(), schema.partitionKeyType(), pk);
        byte[] pkEncoded = encodeScalar(pk);
        byte[] prefix = new byte[HASH_LENGTH_BYTES + pkEncoded.length];
        writeHash(Murmur3.hash32(pkEncoded), prefix);
        System.arraycopy(pkEncoded, 0, prefix, HASH_LENGTH_BYTES, pkEncoded.length);
        return prefix;
    }

    /**
     * The key attributes encoded in a store key, partition key first (a new map the caller owns).
     *
     * @throws IllegalArgumentException when the bytes are not a store key of that schema
     */
    public static Map<String, AttributeValue> decodeKey(KeySchema schema, byte[] storeKey) {
        if (storeKey.length < HASH_LENGTH_BYTES) {
            throw new IllegalArgumentException("a store key has at least " + HASH_LENGTH_BYTES + " bytes, got " + storeKey.length);
        }
        Map<String, AttributeValue> key = new LinkedHashMap<>(4);
        Decoded pk = decodeScalar(schema.partitionKeyType(), storeKey, HASH_LENGTH_BYTES);
        key.put(schema.partitionKey(), pk.value());
        int next = pk.nextOffset();
        if (schema.hasSortKey()) {
            Decoded sk = decodeScalar(schema.sortKeyType(), storeKey, next);
            key.put(schema.sortKey(), sk.value());
            next = sk.nextOffset();
        }
        if (next != storeKey.length) {
            throw new IllegalArgumentException((storeKey.length - next) + " bytes after the key attributes of a store key");
        }
        return key;
    }

    /** The hash at the front of a store key (or of a partition key prefix). */
    public static int hashOf(byte[] storeKey) {
        if (storeKey.length < HASH_LENGTH_BYTES) {
            throw new IllegalArgumentException("a store key has at least " + HASH_LENGTH_BYTES + " bytes, got " + storeKey.length);
        }
        return (storeKey[0] & 0xff) << 24 | (storeKey[1] & 0xff) << 16 | (storeKey[2] & 0xff) << 8 | (storeKey[3] & 0xff);
    }

    // ---- hash ranges -----------------------------------------------------------------------

    /**
     * The range, of {@code partitionCount} contiguous equal ranges of the unsigned hash space, that
     * holds {@code hash32}: {@code floor(unsigned(hash32) * partitionCount / 2^32)}.
     */
    public static int partitionOf(int hash32, int partitionCount) {
        if (partitionCount < 1) throw new IllegalArgumentException("partitionCount must be >= 1, was " + partitionCount);
        return (int) (((hash32 & 0xFFFFFFFFL) * partitionCount) >>> 32);
    }

    /**
     * The first unsigned hash of range {@code index} of {@code count}, in [0, 2^32]: the least h
     * with {@code partitionOf(h, count) == index}, i.e. {@code ceil(index * 2^32 / count)}.
     * {@code rangeStart(count, count)} is 2^32, the end of the last range.
     */
    public static long rangeStart(int index, int count) {
        if (count < 1) throw new IllegalArgumentException("count must be >= 1, was " + count);
        if (index < 0 || index > count) throw new IllegalArgumentException("index " + index + " outside 0.." + count);
        // index < 2^31, so index * 2^32 + count - 1 < 2^63: no overflow.
        return (((long) index << 32) + count - 1) / count;
    }

    /**
     * The 4-byte big-endian key prefix of an unsigned hash in [0, 2^32): every store key with a
     * hash >= {@code unsignedHash} sorts at or after it. For 2^32 (the end of the hash space)
     * there is no such prefix and the result is null, meaning "no upper bound".
     */
    public static byte[] hashBound(long unsignedHash) {
        if (unsignedHash < 0 || unsignedHash > HASH_SPACE_END) {
            throw new IllegalArgumentException("unsigned hash " + unsignedHash + " outside [0, 2^32]");
        }
        if (unsignedHash == HASH_SPACE_END) return null;
        byte[] bound = new byte[HASH_LENGTH_BYTES];
        writeHash((int) unsignedHash, bound);
        return bound;
    }

    // ---- internals -------------------------------------------------------------------------

    private static void writeHash(int hash, byte[] into) {
        into[0] = (byte) (hash >>> 24);
        into[1] = (byte) (hash >>> 16);
        into[2] = (byte) (hash >>> 8);
        into[3] = (byte) hash;
    }

    private static AttributeValue keyAttribute(Map<String, AttributeValue> item, String name, ScalarType type) {
        AttributeValue v = item.get(name);
        if (v == null) throw new IllegalArgumentException("the item has no key attribute " + name);
        checkType(name, type, v);
        return v;
    }

    private static void checkType(String name, ScalarType type, AttributeValue v) {
        if (v.type() != type.valueType()) {
            throw new IllegalArgumentException("key attribute " + name + " is " + type + ", not " + v.type());
        }
    }

    private static String typeName(AttributeValue v) {
        return v == null ? "null" : v.type().name();
    }

    private static byte[] encodeEscaped(byte[] raw, boolean terminate) {
        int zeros = 0;
        for (byte b : raw) if (b == 0) zeros++;
        byte[] out = new byte[raw.length + zeros + (terminate ? 2 : 0)];
        if (zeros == 0) {
            System.arraycopy(raw, 0, out, 0, raw.length);
        } else {
            int o = 0;
            for (byte b : raw) {
                out[o++] = b;
                if (b == 0) out[o++] = ESCAPE;
            }
        }
        // The terminator 0x00 0x00 is already there: new arrays are zeroed.
        return out;
    }

    /** The index of the 0x00 0x00 terminator of the S/B encoding starting at {@code offset}, checking its escapes. */
    private static int terminatorAt(byte[] bytes, int offset) {
        int i = offset;
        while (true) {
            if (i >= bytes.length) throw new IllegalArgumentException("unterminated string or binary key at offset " + offset);
            if (bytes[i] != 0) {
                i++;
                continue;
            }
            if (i + 1 >= bytes.length) throw new IllegalArgumentException("truncated escape at offset " + i);
            byte after = bytes[i + 1];
            if (after == 0) return i;
            if (after != ESCAPE) {
                throw new IllegalArgumentException(String.format("invalid escape 00 %02X at offset %d", after & 0xff, i));
            }
            i += 2;
        }
    }

    /** The raw bytes of the escaped body {@code bytes[offset, end)}, whose escapes are known to be valid. */
    private static byte[] unescape(byte[] bytes, int offset, int end) {
        int zeros = 0;
        for (int j = offset; j < end; j++) if (bytes[j] == 0) zeros++;
        if (zeros == 0) return Arrays.copyOfRange(bytes, offset, end);
        byte[] raw = new byte[end - offset - zeros]; // each raw 0x00 is two bytes, 00 FF
        int o = 0;
        for (int j = offset; j < end; j++) {
            raw[o++] = bytes[j];
            if (bytes[j] == 0) j++; // skip the escape byte 0xFF
        }
        return raw;
    }

    private static byte[] encodeNumber(BigDecimal value) {
        BigDecimal c = Numbers.canonical(value);
        int signum = c.signum();
        if (signum == 0) return new byte[] {(byte) NUMBER_ZERO};
        String digits = c.unscaledValue().abs().toString();
        int digitCount = digits.length();
        long exponent = (long) digitCount - c.scale() - 1;
        if (exponent < MIN_EXPONENT || exponent > MAX_EXPONENT) {
            throw new IllegalArgumentException("number " + c + " has exponent " + exponent
                    + " outside " + MIN_EXPONENT + ".." + MAX_EXPONENT);
        }
        boolean negative = signum < 0;
        int pairCount = (digitCount + 1) / 2;
        byte[] out = new byte[2 + pairCount + 1];
        out[0] = (byte) (negative ? NUMBER_NEGATIVE : NUMBER_POSITIVE);
        out[1] = orderByte((int) exponent + EXPONENT_OFFSET, negative);
        for (int p = 0; p < pairCount; p++) {
            int high = digits.charAt(2 * p) - '0';
            int low = 2 * p + 1 < digitCount ? digits.charAt(2 * p + 1) - '0' : 0;
            out[2 + p] = orderByte(high * 10 + low + 1, negative);
        }
        out[out.length - 1] = orderByte(0, negative);
        return out;
    }

    private static Decoded decodeNumber(byte[] bytes, int offset) {
        if (offset >= bytes.length) throw new IllegalArgumentException("missing number at offset " + offset);
        int sign = bytes[offset] & 0xff;
        if (sign == NUMBER_ZERO) return new Decoded(new AttributeValue.N(BigDecimal.ZERO), offset + 1);
        if (sign != NUMBER_POSITIVE && sign != NUMBER_NEGATIVE) {
            throw new IllegalArgumentException(String.format("invalid number sign byte %02X at offset %d", sign, offset));
        }
        boolean negative = sign == NUMBER_NEGATIVE;
        if (offset + 1 >= bytes.length) throw new IllegalArgumentException("truncated number at offset " + offset);
        int exponent = (orderByte(bytes[offset + 1] & 0xff, negative) & 0xff) - EXPONENT_OFFSET;
        StringBuilder digits = new StringBuilder(40);
        int i = offset + 2;
        while (true) {
            if (i >= bytes.length) throw new IllegalArgumentException("unterminated number at offset " + offset);
            int pair = orderByte(bytes[i] & 0xff, negative) & 0xff;
            i++;
            if (pair == 0) break;
            if (pair > 100) throw new IllegalArgumentException("invalid number digit pair " + pair + " at offset " + (i - 1));
            int centi = pair - 1;
            digits.append((char) ('0' + centi / 10)).append((char) ('0' + centi % 10));
        }
        if (digits.length() == 0 || digits.charAt(0) == '0') {
            throw new IllegalArgumentException("number at offset " + offset + " is not normalised");
        }
        if (digits.charAt(digits.length() - 1) == '0') digits.setLength(digits.length() - 1); // odd-length padding
        if (digits.charAt(digits.length() - 1) == '0') {
            throw new IllegalArgumentException("number at offset " + offset + " has a trailing zero digit");
        }
        BigDecimal magnitude = new BigDecimal(new BigInteger(digits.toString()), digits.length() - 1 - exponent);
        return new Decoded(new AttributeValue.N(negative ? magnitude.negate() : magnitude), i);
    }

    /** Returns b as a byte, inverted (255 - b) for negative numbers. */
    private static byte orderByte(int b, boolean negative) {
        return (byte) (negative ? 255 - b : b);
    }
}
