package io.dynalog.topology.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class WireSchemasTest {

    @Test
    void loadsEveryTopLevelSchemaOnce() {
        assertThat(WireSchemas.attributeValue().getFullName()).isEqualTo("io.dynalog.avro.AttributeValue");
        assertThat(WireSchemas.storedItem().getFullName()).isEqualTo("io.dynalog.avro.StoredItem");
        assertThat(WireSchemas.walEntry().getFullName()).isEqualTo("io.dynalog.avro.WalEntry");
        assertThat(WireSchemas.tableRecord().getFullName()).isEqualTo("io.dynalog.avro.TableRecord");
        assertThat(WireSchemas.walEntry()).isSameAs(WireSchemas.walEntry());
    }

    @Test
    void fingerprintsAreTheSchemasAndDistinct() {
        assertThat(ItemCodec.fingerprint()).isEqualTo(WireSchemas.fingerprint(AvroReference.STORED_ITEM));
        assertThat(WalEntryCodec.fingerprint()).isEqualTo(WireSchemas.fingerprint(AvroReference.WAL_ENTRY));
        assertThat(TableRecordCodec.fingerprint()).isEqualTo(WireSchemas.fingerprint(AvroReference.TABLE_RECORD));
        assertThat(WalEntryCodec.fingerprintV1()).isEqualTo(WireSchemas.fingerprint(AvroReference.WAL_ENTRY_V1));
        assertThat(WalEntryCodec.fingerprintV2()).isEqualTo(WireSchemas.fingerprint(AvroReference.WAL_ENTRY_V2));
        assertThat(WriteRequestCodec.fingerprint()).isEqualTo(WireSchemas.fingerprint(AvroReference.WRITE_REQUEST));
        assertThat(WriteReplyCodec.fingerprint()).isEqualTo(WireSchemas.fingerprint(AvroReference.WRITE_REPLY));
        Set<Long> fingerprints = Set.of(ItemCodec.fingerprint(), WalEntryCodec.fingerprint(), TableRecordCodec.fingerprint(),
                WireSchemas.fingerprint(WireSchemas.attributeValue()), WalEntryCodec.fingerprintV1(), WalEntryCodec.fingerprintV2(),
                WriteRequestCodec.fingerprint(), WriteReplyCodec.fingerprint());
        assertThat(fingerprints).hasSize(8);
    }

    @Test
    void unionBranchesAreInTheOrderTheCodecWrites() {
        List<String> branches = WireSchemas.attributeValue().getField("value").schema().getTypes().stream()
                .map(Schema::getName).collect(Collectors.toList());
        assertThat(branches).containsExactly(
                "null", "boolean", "string", "bytes", "NumberValue", "MapValue", "ListValue", "StringSet", "NumberSet", "BinarySet");
        assertThat(branches.indexOf("null")).isEqualTo(AttributeValueWire.BRANCH_NULL);
        assertThat(branches.indexOf("boolean")).isEqualTo(AttributeValueWire.BRANCH_BOOL);
        assertThat(branches.indexOf("string")).isEqualTo(AttributeValueWire.BRANCH_S);
        assertThat(branches.indexOf("bytes")).isEqualTo(AttributeValueWire.BRANCH_B);
        assertThat(branches.indexOf("NumberValue")).isEqualTo(AttributeValueWire.BRANCH_N);
        assertThat(branches.indexOf("MapValue")).isEqualTo(AttributeValueWire.BRANCH_M);
        assertThat(branches.indexOf("ListValue")).isEqualTo(AttributeValueWire.BRANCH_L);
        assertThat(branches.indexOf("StringSet")).isEqualTo(AttributeValueWire.BRANCH_SS);
        assertThat(branches.indexOf("NumberSet")).isEqualTo(AttributeValueWire.BRANCH_NS);
        assertThat(branches.indexOf("BinarySet")).isEqualTo(AttributeValueWire.BRANCH_BS);
    }

    @Test
    void walEntryFieldsAreInTheOrderTheCodecWrites() {
        assertThat(WireSchemas.walEntry().getFields().stream().map(Schema.Field::name))
                .containsExactly("tableId", "partition", "slot", "ballotRound", "ballotNode", "kind", "storeKey",
                        "newImage", "oldImage", "timestampMs", "requestToken", "configuration");
        assertThat(WireSchemas.walEntryV2().getFields().stream().map(Schema.Field::name))
                .containsExactly("tableId", "partition", "slot", "ballotRound", "ballotNode", "kind", "storeKey",
                        "newImage", "oldImage", "timestampMs", "requestToken");
        assertThat(WireSchemas.walEntryV1().getFields().stream().map(Schema.Field::name))
                .containsExactly("tableId", "partition", "slot", "ballotRound", "ballotNode", "kind", "storeKey",
                        "newImage", "oldImage", "timestampMs");
    }
}
