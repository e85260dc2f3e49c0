package io.dynalog.topology.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.TableStream;
import io.dynalog.topology.wal.ChangeRecord;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class ChangeRecordCodecTest {
    static final Map<String, AttributeValue> KEYS = Map.of("pk", AttributeValue.s("a"));

    static ChangeRecord modify() {
        return new ChangeRecord("Orders", 7, 99, ChangeRecord.EventName.MODIFY, 2, 41, "000000001795587919304000001",
                1_795_587_919_304L, TableStream.ViewType.NEW_AND_OLD_IMAGES, KEYS,
                Map.of("pk", AttributeValue.s("a"), "n", AttributeValue.n("2")), Map.of("pk", AttributeValue.s("a"), "n", AttributeValue.n("1")), 12);
    }

    @Test
    void roundTrips() {
        ChangeRecord insertKeysOnly = new ChangeRecord("Orders", 7, 99, ChangeRecord.EventName.INSERT, 0, 1, "1", 5,
                TableStream.ViewType.KEYS_ONLY, KEYS, null, null, 3);
        for (ChangeRecord c : List.of(modify(), insertKeysOnly)) assertThat(ChangeRecordCodec.decode(ChangeRecordCodec.encode(c))).isEqualTo(c);
    }

    /** What a plain Kafka consumer does: Avro alone, with the two schema files the project ships. */
    @Test
    void plainAvroDecodesWhatTheCodecWrites() {
        GenericRecord r = AvroReference.decode(AvroReference.CHANGE_RECORD, ChangeRecordCodec.encode(modify()));
        assertThat(r.get("eventName").toString()).isEqualTo("MODIFY");
        assertThat(r.get("sequenceNumber").toString()).isEqualTo("000000001795587919304000001");
        assertThat(r.get("slot")).isEqualTo(41L);
        assertThat(AvroReference.modelItem(r.get("keys"))).isEqualTo(KEYS);
        assertThat(AvroReference.modelItem(r.get("oldImage"))).containsEntry("n", AttributeValue.n("1"));
        assertThat(AvroReference.modelItem(r.get("newImage"))).containsEntry("n", AttributeValue.n("2"));
    }
}
