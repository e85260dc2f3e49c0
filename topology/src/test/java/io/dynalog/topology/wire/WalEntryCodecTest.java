package io.dynalog.topology.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import io.dynalog.topology.wal.WalEntry;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class WalEntryCodecTest {

    static WalEntry put() {
        return new WalEntry(7L, 3, 42L, new Ballot(5, 2), WalEntry.Kind.PUT, new byte[] {1, 2, 0, (byte) 0xFF},
                ItemCodecTest.everyType(), Map.of("id", AttributeValue.s("old")), 1_700_000_000_123L);
    }

    static WalEntry delete() {
        return new WalEntry(Long.MAX_VALUE, 0, 1L, new Ballot(Long.MAX_VALUE, Integer.MAX_VALUE), WalEntry.Kind.DELETE,
                new byte[] {9}, null, Map.of("id", AttributeValue.s("gone")), 0L);
    }

    static WalEntry deleteOfNothing() {
        return new WalEntry(1L, 1, 2L, new Ballot(1, 1), WalEntry.Kind.DELETE, new byte[] {9}, null, null, -1L);
    }

    static WalEntry noop() {
        return WalEntry.noop(8L, 15, 1000L, new Ballot(9, 1), 1_700_000_000_000L);
    }

    @Test
    void roundTripsEveryKind() {
        for (WalEntry entry : new WalEntry[] {put(), delete(), deleteOfNothing(), noop()}) {
            assertSameEntry(WalEntryCodec.decode(WalEntryCodec.encode(entry)), entry);
        }
    }

    @Test
    void theBallotUnlessNoopIsReadFromTheFirstFieldsOfBothVersions() {
        for (WalEntry entry : new WalEntry[] {put(), putWithToken(), delete(), deleteOfNothing()}) {
            assertThat(WalEntryCodec.ballotUnlessNoop(WalEntryCodec.encode(entry))).isEqualTo(entry.ballot());
        }
        assertThat(WalEntryCodec.ballotUnlessNoop(WalEntryCodec.encode(noop()))).isNull();
        assertThatThrownBy(() -> WalEntryCodec.ballotUnlessNoop(new byte[] {1, 2, 3})).isInstanceOf(WireFormatException.class);
    }

    @Test
    void aNoopHasAnEmptyStoreKeyOnTheWireAndNoneInTheModel() {
        GenericRecord record = AvroReference.decode(AvroReference.WAL_ENTRY_V1, WalEntryCodec.encode(noop()));
        assertThat(((ByteBuffer) record.get("storeKey")).remaining()).isZero();
        assertThat(WalEntryCodec.decode(WalEntryCodec.encode(noop())).storeKey()).isNull();

        record.put("storeKey", ByteBuffer.wrap(new byte[] {1}));
        byte[] keyed = AvroReference.encode(AvroReference.WAL_ENTRY_V1, record);
        assertThatThrownBy(() -> WalEntryCodec.decode(keyed)).isInstanceOf(WireFormatException.class).hasMessageContaining("NOOP");
    }

    @Test
    void avroDecodesWhatTheCodecWrites() {
        for (WalEntry entry : new WalEntry[] {put(), delete(), deleteOfNothing(), noop()}) {
            GenericRecord r = AvroReference.decode(AvroReference.WAL_ENTRY_V1, WalEntryCodec.encode(entry));
            assertThat(r.get("tableId")).isEqualTo(entry.tableId());
            assertThat(r.get("partition")).isEqualTo(entry.partition());
            assertThat(r.get("slot")).isEqualTo(entry.slot());
            assertThat(r.get("ballotRound")).isEqualTo(entry.ballot().round());
            assertThat(r.get("ballotNode")).isEqualTo(entry.ballot().nodeId());
            assertThat(r.get("kind")).isEqualTo(entry.kind().wireId);
            byte[] key = AvroReference.bytes((ByteBuffer) r.get("storeKey"));
            assertThat(key).isEqualTo(entry.storeKey() == null ? new byte[0] : entry.storeKey());
            assertThat(r.get("newImage") == null ? null : AvroReference.modelItem(r.get("newImage"))).isEqualTo(entry.newImage());
            assertThat(r.get("oldImage") == null ? null : AvroReference.modelItem(r.get("oldImage"))).isEqualTo(entry.oldImage());
            assertThat(r.get("timestampMs")).isEqualTo(entry.timestampMs());
        }
    }

    @Test
    void theCodecDecodesWhatAvroWrites() {
        for (WalEntry entry : new WalEntry[] {put(), delete(), deleteOfNothing(), noop()}) {
            byte[] avroBytes = AvroReference.encode(AvroReference.WAL_ENTRY_V1, generic(entry));
            assertSameEntry(WalEntryCodec.decode(avroBytes), entry);
            assertThat(WalEntryCodec.encode(entry)).isEqualTo(avroBytes);
        }
    }

    @Test
    void rejectsAnUnknownKindAndAnInvalidEntry() {
        GenericRecord unknownKind = generic(put());
        unknownKind.put("kind", 99);
        assertThatThrownBy(() -> WalEntryCodec.decode(AvroReference.encode(AvroReference.WAL_ENTRY_V1, unknownKind)))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("99");

        GenericRecord putWithoutImage = generic(put());
        putWithoutImage.put("newImage", null);
        assertThatThrownBy(() -> WalEntryCodec.decode(AvroReference.encode(AvroReference.WAL_ENTRY_V1, putWithoutImage)))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("PUT needs a new image");

        GenericRecord slotZero = generic(put());
        slotZero.put("slot", 0L);
        assertThatThrownBy(() -> WalEntryCodec.decode(AvroReference.encode(AvroReference.WAL_ENTRY_V1, slotZero)))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("slot");
    }

    static WalEntry putWithToken() {
        WalEntry p = put();
        return new WalEntry(p.tableId(), p.partition(), p.slot(), p.ballot(), p.kind(), p.storeKey(), p.newImage(),
                p.oldImage(), p.timestampMs(), "token-1#3");
    }

    @Test
    void anEntryWithARequestTokenIsVersionTwoAndOneWithoutIsVersionOne() {
        byte[] withToken = WalEntryCodec.encode(putWithToken());
        byte[] without = WalEntryCodec.encode(put());
        assertThat(java.util.Arrays.copyOfRange(withToken, 2, 10)).isEqualTo(fingerprintBytes(WalEntryCodec.fingerprintV2()));
        assertThat(java.util.Arrays.copyOfRange(without, 2, 10)).isEqualTo(fingerprintBytes(WalEntryCodec.fingerprintV1()));
        assertSameEntry(WalEntryCodec.decode(withToken), putWithToken());
        assertSameEntry(WalEntryCodec.decode(without), put());
        assertThat(WalEntryCodec.decode(withToken).requestToken()).isEqualTo("token-1#3");
    }

    @Test
    void avroAgreesByteForByteOnVersionTwo() {
        GenericRecord r = AvroReference.decode(AvroReference.WAL_ENTRY_V2, WalEntryCodec.encode(putWithToken()));
        assertThat(r.get("requestToken").toString()).isEqualTo("token-1#3");
        byte[] avroBytes = AvroReference.encode(AvroReference.WAL_ENTRY_V2, generic(putWithToken()));
        assertThat(WalEntryCodec.encode(putWithToken())).isEqualTo(avroBytes);
        // A version 2 record without a token (written by Avro, not by this codec) is read too.
        GenericRecord noToken = generic(putWithToken());
        noToken.put("requestToken", null);
        assertThat(WalEntryCodec.decode(AvroReference.encode(AvroReference.WAL_ENTRY_V2, noToken)).requestToken()).isNull();
    }

    static WalEntry configuration() {
        return WalEntry.configuration(7, 2, 42, new Ballot(3, 2), 1_700_000_000_000L,
                new Configuration(4, List.of(1, 2, 5), List.of(6)));
    }

    /** A CONFIGURATION entry is version 3, as Avro writes it; its configuration is read without decoding other kinds. */
    @Test
    void aConfigurationEntryIsVersionThree() {
        byte[] bytes = WalEntryCodec.encode(configuration());
        assertThat(java.util.Arrays.copyOfRange(bytes, 2, 10)).isEqualTo(fingerprintBytes(WalEntryCodec.fingerprint()));
        assertThat(bytes).isEqualTo(AvroReference.encode(AvroReference.WAL_ENTRY, generic(configuration())));
        assertSameEntry(WalEntryCodec.decode(bytes), configuration());
        assertThat(WalEntryCodec.configurationOf(bytes)).isEqualTo(new Configuration(4, List.of(1, 2, 5), List.of(6)));
        assertThat(WalEntryCodec.configurationOf(WalEntryCodec.encode(put()))).isNull();
        assertThat(WalEntryCodec.configurationOf(WalEntryCodec.encode(putWithToken()))).isNull();
        assertThat(WalEntryCodec.ballotUnlessNoop(bytes)).isEqualTo(new Ballot(3, 2));
        assertThat(configuration().changesItem()).isFalse();
        assertThat(put().changesItem()).isTrue();
    }

    @Test
    void aConfigurationEntryCarriesNoItem() {
        assertThatThrownBy(() -> new WalEntry(7, 2, 42, new Ballot(3, 2), WalEntry.Kind.CONFIGURATION, new byte[] {1}, null,
                null, 0, null, Configuration.initial(List.of(1)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no store key");
        assertThatThrownBy(() -> new WalEntry(7, 2, 42, new Ballot(3, 2), WalEntry.Kind.CONFIGURATION, null, null, null, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without a configuration");
        GenericRecord keyed = generic(configuration());
        keyed.put("storeKey", ByteBuffer.wrap(new byte[] {1}));
        assertThatThrownBy(() -> WalEntryCodec.decode(AvroReference.encode(AvroReference.WAL_ENTRY, keyed)))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("store key");
    }

    @Test
    void aVersionOneReaderSkipsNothingItCannotRead() {
        // A node from before tokens reads the tokenless entries this codec writes with its own schema.
        GenericRecord r = AvroReference.decode(AvroReference.WAL_ENTRY_V1, WalEntryCodec.encode(put()));
        assertThat(r.get("slot")).isEqualTo(put().slot());
    }

    private static byte[] fingerprintBytes(long fingerprint) {
        return ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(fingerprint).array();
    }

    @Test
    void rejectsAnItemMessage() {
        assertThatThrownBy(() -> WalEntryCodec.decode(ItemCodec.encode(Map.of())))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("io.dynalog.avro.WalEntry");
    }

    static GenericRecord generic(WalEntry e) {
        Schema schema = e.configuration() != null ? AvroReference.WAL_ENTRY
                : e.requestToken() == null ? AvroReference.WAL_ENTRY_V1 : AvroReference.WAL_ENTRY_V2;
        GenericRecord r = new GenericData.Record(schema);
        r.put("tableId", e.tableId());
        r.put("partition", e.partition());
        r.put("slot", e.slot());
        r.put("ballotRound", e.ballot().round());
        r.put("ballotNode", e.ballot().nodeId());
        r.put("kind", e.kind().wireId);
        r.put("storeKey", ByteBuffer.wrap(e.storeKey() == null ? new byte[0] : e.storeKey()));
        r.put("newImage", e.newImage() == null ? null : AvroReference.genericItem(e.newImage()));
        r.put("oldImage", e.oldImage() == null ? null : AvroReference.genericItem(e.oldImage()));
        r.put("timestampMs", e.timestampMs());
        if (e.requestToken() != null) r.put("requestToken", e.requestToken());
        if (e.configuration() != null) {
            Schema configuration = schema.getField("configuration").schema().getTypes().get(1);
            GenericRecord c = new GenericData.Record(configuration);
            c.put("version", e.configuration().version());
            c.put("voters", e.configuration().voters());
            c.put("learners", e.configuration().learners());
            r.put("configuration", c);
        }
        return r;
    }

    /** WalEntry's equals compares the store key by identity; compare it by content. */
    static void assertSameEntry(WalEntry actual, WalEntry expected) {
        assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
        assertThat(actual.storeKey()).isEqualTo(expected.storeKey());
    }
}
