package io.dynalog.topology.wire;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable in-memory output stream for one message, unsynchronised (unlike
 * {@code ByteArrayOutputStream}) because each is used by one encode call only.
 */
final class WireOutput extends OutputStream {
    private byte[] buffer;
    private int count;

    WireOutput(int initialCapacityBytes) {
        buffer = new byte[Math.max(16, initialCapacityBytes)];
    }

    @Override
    public void write(int b) {
        ensureCapacity(count + 1);
        buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        ensureCapacity(count + length);
        System.arraycopy(bytes, offset, buffer, count, length);
        count += length;
    }

    /** Writes {@code value} as 8 bytes, least significant first. */
    void writeLongLittleEndian(long value) {
        ensureCapacity(count + Long.BYTES);
        for (int i = 0; i < Long.BYTES; i++) buffer[count++] = (byte) (value >>> (8 * i));
    }

    /** The bytes written, in an array of exactly that length. */
    byte[] toByteArray() {
        return count == buffer.length ? buffer : Arrays.copyOf(buffer, count);
    }

    private void ensureCapacity(int needed) {
        if (needed < 0) throw new OutOfMemoryError("message larger than 2 GiB");
        if (needed > buffer.length) {
            int grown = Math.max(needed, buffer.length <= Integer.MAX_VALUE / 2 ? buffer.length * 2 : Integer.MAX_VALUE - 8);
            buffer = Arrays.copyOf(buffer, grown);
        }
    }
}
