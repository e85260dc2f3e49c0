package io.dynalog.topology.model;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The size of items and values in bytes as DynamoDB counts it (for the 400 KB item limit and for
 * capacity units): an attribute is its name's UTF-8 length plus its value's size, where
 * <ul>
 *   <li>S: UTF-8 length; B: length; BOOL, NULL: 1;
 *   <li>N: {@code (significant digits + 1) / 2 + 1} (leading and trailing zeros do not count);
 *   <li>M and L: 3 plus, per element, 1 + the element's size (+ the key's UTF-8 length for M);
 *   <li>SS, NS, BS: the sum of the members' sizes.
 * </ul>
 * Sizes are longs so that no value, however large or shared, overflows the count.
 */
public final class ItemSize {
    private static final int CONTAINER_OVERHEAD_BYTES = 3;
    private static final int ELEMENT_OVERHEAD_BYTES = 1;

    private ItemSize() {}

    /** The size of an item in bytes. */
    public static long of(Map<String, AttributeValue> item) {
        long size = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            size += utf8Length(e.getKey()) + ofValue(e.getValue());
        }
        return size;
    }

    /** The size of one value in bytes (without the name of the attribute holding it). */
    public static long ofValue(AttributeValue v) {
        return switch (v.type()) {
            case S -> utf8Length(((AttributeValue.S) v).value());
            case N -> ofNumber(((AttributeValue.N) v).value());
            case B -> ((AttributeValue.B) v).bytes().length;
            case BOOL, NULL -> 1;
            case M -> ofMap(((AttributeValue.M) v).value());
            case L -> ofList(((AttributeValue.L) v).value());
            case SS -> {
                long size = 0;
                for (String member : ((AttributeValue.SS) v).value()) size += utf8Length(member);
                yield size;
            }
            case NS -> {
                long size = 0;
                for (BigDecimal member : ((AttributeValue.NS) v).value()) size += ofNumber(member);
                yield size;
            }
            case BS -> {
                long size = 0;
                for (AttributeValue.B member : ((AttributeValue.BS) v).value()) size += member.bytes().length;
                yield size;
            }
        };
    }

    private static long ofMap(Map<String, AttributeValue> entries) {
        long size = CONTAINER_OVERHEAD_BYTES;
        for (Map.Entry<String, AttributeValue> e : entries.entrySet()) {
            size += ELEMENT_OVERHEAD_BYTES + utf8Length(e.getKey()) + ofValue(e.getValue());
        }
        return size;
    }

    private static long ofList(List<AttributeValue> elements) {
        long size = CONTAINER_OVERHEAD_BYTES;
        for (AttributeValue element : elements) size += ELEMENT_OVERHEAD_BYTES + ofValue(element);
        return size;
    }

    /** The size of a number: {@code (significant digits + 1) / 2 + 1}. */
    public static int ofNumber(BigDecimal n) {
        return (Numbers.canonical(n).precision() + 1) / 2 + 1;
    }

    /**
     * The length of {@code s} in UTF-8, equal to {@code s.getBytes(UTF_8).length} without the
     * copy (an unpaired surrogate counts 1, as the encoder replaces it with '?').
     */
    public static int utf8Length(String s) {
        int length = s.length();
        int bytes = length;
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c < 0x80) continue;
            if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 2; // two chars, four bytes
                i++;
            } else if (Character.isSurrogate(c)) {
                // unpaired: encoded as '?', one byte
            } else {
                bytes += 2;
            }
        }
        return bytes;
    }
}
