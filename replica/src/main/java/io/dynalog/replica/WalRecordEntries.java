package io.dynalog.replica;

import io.dynalog.topology.wal.WalRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Reading a WAL (or index) record's value, and telling two values of one slot apart. */
final class WalRecordEntries {
    private WalRecordEntries() {}

    /** A checksum of the record's encoded entry: equal values of a slot are byte-identical. */
    static long checksum(byte[] encodedEntry) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(encodedEntry);
        return crc.getValue();
    }

    /** The record's encoded entry: its value, or a tombstone's entry header. */
    static byte[] encodedEntry(ConsumerRecord<byte[], byte[]> record) {
        return encodedValue(record, WalRecords.ENTRY_HEADER);
    }

    /** The record's encoded value: its value, or, for a tombstone, the value carried in {@code header}. */
    static byte[] encodedValue(ConsumerRecord<byte[], byte[]> record, String header) {
        return encodedValue(record.value(), record.headers(), header,
                () -> record.topic() + "-" + record.partition() + "@" + record.offset());
    }

    /** A record's encoded value, from its value and headers; {@code where} names the record in an error. */
    static byte[] encodedValue(byte[] value, Headers headers, String header, Supplier<String> where) {
        if (value != null) return value;
        Header h = headers.lastHeader(header);
        if (h == null) throw new IllegalStateException("tombstone without " + header + " header at " + where.get());
        return h.value();
    }
}
