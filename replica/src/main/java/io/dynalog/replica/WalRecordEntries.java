package io.dynalog.replica;

import io.dynalog.topology.wal.WalRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Reading a WAL record's entry, and telling two values of one slot apart. */
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
        byte[] value = record.value();
        if (value != null) return value;
        Header h = record.headers().lastHeader(WalRecords.ENTRY_HEADER);
        if (h == null) {
            throw new IllegalStateException("tombstone without entry header at " + record.topic()
                    + "-" + record.partition() + "@" + record.offset());
        }
        return h.value();
    }
}
