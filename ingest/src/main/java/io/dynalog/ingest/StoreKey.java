package io.dynalog.ingest;

import java.util.Arrays;

/** A store key usable as a map key. */
record StoreKey(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
        return o instanceof StoreKey k && Arrays.equals(bytes, k.bytes);
    }

    /** Whether this key begins with {@code prefix}. */
    boolean startsWith(byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "StoreKey[" + bytes.length + " bytes]";
    }
}
