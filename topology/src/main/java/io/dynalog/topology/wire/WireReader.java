package io.dynalog.topology.wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Reads the Avro binary body of one message through Avro's {@link BinaryDecoder}, refusing any
 * length or element count larger than the message itself, so that corrupt bytes fail with a
 * {@link WireFormatException} instead of an attempt to allocate gigabytes.
 */
final class WireReader {
    private final BinaryDecoder in;
    private final int bodyLengthBytes;

    WireReader(byte[] bytes, int offset, int length) {
        this.in = DecoderFactory.get().binaryDecoder(bytes, offset, length, null);
        this.bodyLengthBytes = length;
    }

    long readLong() throws IOException {
        return in.readLong();
    }

    int readInt() throws IOException {
        return in.readInt();
    }

    boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    int readIndex() throws IOException {
        return in.readIndex();
    }

    String readString() throws IOException {
        return new String(readBytes(), StandardCharsets.UTF_8);
    }

    byte[] readBytes() throws IOException {
        long length = in.readLong();
        if (length < 0 || length > bodyLengthBytes) {
            throw new WireFormatException("length " + length + " in a message body of " + bodyLengthBytes + " bytes");
        }
        byte[] bytes = new byte[(int) length];
        in.readFixed(bytes);
        return bytes;
    }

    /** The element count of the first block of a map; 0 ends the map. */
    long readMapStart() throws IOException {
        return checkCount(in.readMapStart());
    }

    long mapNext() throws IOException {
        return checkCount(in.mapNext());
    }

    /** The element count of the first block of an array; 0 ends the array. */
    long readArrayStart() throws IOException {
        return checkCount(in.readArrayStart());
    }

    long arrayNext() throws IOException {
        return checkCount(in.arrayNext());
    }

    /** Fails unless the whole body has been read. */
    void expectEnd(String recordName) throws IOException {
        if (!in.isEnd()) throw new WireFormatException("trailing bytes after a " + recordName + " body");
    }

    /** An initial capacity for a collection of {@code count} elements, capped so that a lie costs little. */
    int sizeHint(long count) {
        return (int) Math.min(count, 1 << 16);
    }

    /** Every element of Dynalog's arrays and maps takes at least one byte, so no block outnumbers the body's bytes. */
    private long checkCount(long count) {
        if (count < 0 || count > bodyLengthBytes) {
            throw new WireFormatException("block of " + count + " elements in a message body of " + bodyLengthBytes + " bytes");
        }
        return count;
    }
}
