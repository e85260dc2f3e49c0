package io.dynalog.ingest;

import java.util.Arrays;

/** A store key usable as a map key. */
record StoreKey(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
        return o instanceof StoreKey k && Arrays.equals(bytes, k.bytes);
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
