package io.dynalog.topology.wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Avro's single-object encoding: the marker {@code C3 01}, the 8-byte little-endian CRC-64-AVRO
 * fingerprint of the writer's schema, then the binary body. One instance per schema; it checks
 * headers and turns every failure inside a body into a {@link WireFormatException}.
 */
final class SingleObject {
    static final int HEADER_LENGTH_BYTES = 10;
    static final int MARKER_0 = 0xC3;
    static final int MARKER_1 = 0x01;

    /** Writes one body; the encoder writes straight into the message. */
    @FunctionalInterface
    interface BodyWriter<T> {
        void write(T value, BinaryEncoder out) throws IOException;
    }

    /** Reads one body. */
    @FunctionalInterface
    interface BodyReader<T> {
        T read(WireReader in) throws IOException;
    }

    private final String recordName;
    private final long fingerprint;

    SingleObject(Schema schema) {
        this.recordName = schema.getFullName();
        this.fingerprint = WireSchemas.fingerprint(schema);
    }

    long fingerprint() {
        return fingerprint;
    }

    <T> byte[] encode(T value, int initialCapacityBytes, BodyWriter<T> body) {
        WireOutput out = new WireOutput(HEADER_LENGTH_BYTES + initialCapacityBytes);
        out.write(MARKER_0);
        out.write(MARKER_1);
        out.writeLongLittleEndian(fingerprint);
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            body.write(value, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e); // WireOutput never throws
        }
        return out.toByteArray();
    }

    /** Whether {@code bytes} are a message of this schema (by its header); false for anything else. */
    boolean matches(byte[] bytes) {
        if (bytes.length < HEADER_LENGTH_BYTES || (bytes[0] & 0xff) != MARKER_0 || (bytes[1] & 0xff) != MARKER_1) return false;
        long found = 0;
        for (int i = 0; i < Long.BYTES; i++) found |= (bytes[2 + i] & 0xffL) << (8 * i);
        return found == fingerprint;
    }

    <T> T decode(byte[] bytes, BodyReader<T> body) {
        return decode(bytes, body, true);
    }

    /**
     * Reads the first fields of a message (what {@code body} reads) and nothing after them, so
     * the rest is not checked: for a hot path that needs a field or two, never to accept a message.
     */
    <T> T decodePrefix(byte[] bytes, BodyReader<T> body) {
        return decode(bytes, body, false);
    }

    private <T> T decode(byte[] bytes, BodyReader<T> body, boolean whole) {
        if (bytes.length < HEADER_LENGTH_BYTES) {
            throw new WireFormatException("a " + recordName + " message of " + bytes.length
                    + " bytes is shorter than the " + HEADER_LENGTH_BYTES + "-byte single-object header");
        }
        int marker0 = bytes[0] & 0xff;
        int marker1 = bytes[1] & 0xff;
        if (marker0 != MARKER_0 || marker1 != MARKER_1) {
            throw new WireFormatException(String.format(
                    "expected the single-object marker C3 01 of a %s message, found %02X %02X", recordName, marker0, marker1));
        }
        long found = 0;
        for (int i = 0; i < Long.BYTES; i++) found |= (bytes[2 + i] & 0xffL) << (8 * i);
        if (found != fingerprint) {
            throw new WireFormatException(String.format(
                    "unknown schema fingerprint %016X, expected %016X (%s)", found, fingerprint, recordName));
        }
        WireReader in = new WireReader(bytes, HEADER_LENGTH_BYTES, bytes.length - HEADER_LENGTH_BYTES);
        try {
            T value = body.read(in);
            if (whole) in.expectEnd(recordName);
            return value;
        } catch (WireFormatException e) {
            throw e;
        } catch (IOException | AvroRuntimeException | IllegalArgumentException | NullPointerException e) {
            throw new WireFormatException("malformed " + recordName + " message: " + e, e);
        }
    }
}
