package io.dynalog.topology.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.IndexProjection;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableDescriptor.AttributeDefinition;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.topology.model.TableStream;
import io.dynalog.topology.wal.Configuration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class TableRecordCodecTest {

    static TableDescriptor hashRangeTable() {
        return new TableDescriptor("Orders", 1234L,
                KeySchema.hashRange("customer", ScalarType.S, "placedAt", ScalarType.N),
                List.of(new AttributeDefinition("customer", ScalarType.S), new AttributeDefinition("placedAt", ScalarType.N),
                        new AttributeDefinition("sku", ScalarType.B)),
                "PROVISIONED", 10, 5, 8, 1_700_000_000_000L, TableStatus.ACTIVE, "dynalog.wal.Orders.1234",
                List.of(List.of(1, 2, 3), List.of(2, 3, 1), List.of(3, 1, 2), List.of(1, 2, 3),
                        List.of(2, 3, 1), List.of(3, 1, 2), List.of(1, 2, 3), List.of(2, 3, 1)));
    }

    static TableDescriptor hashTable() {
        return new TableDescriptor("t", 1L, KeySchema.hash("id", ScalarType.B), List.of(new AttributeDefinition("id", ScalarType.B)),
                "PAY_PER_REQUEST", 0, 0, 1, 0L, TableStatus.CREATING, "wal-t-1", List.of(List.of(1)));
    }

    static TableDescriptor indexedTable() {
        KeySchema byStatus = KeySchema.hashRange("customer", ScalarType.S, "status", ScalarType.S);
        KeySchema bySku = KeySchema.hash("sku", ScalarType.B);
        return hashRangeTable().withIndexes(List.of(
                IndexDescriptor.local("byStatus", 77L, byStatus, new IndexProjection(IndexProjection.Type.INCLUDE, List.of("total", "items"))),
                new IndexDescriptor("bySku", 78L, IndexDescriptor.Kind.GLOBAL, bySku, IndexProjection.KEYS_ONLY,
                        IndexDescriptor.IndexStatus.CREATING, true, 2, "dynalog.gsi.Orders.4d2.4e", List.of(List.of(1, 2), List.of(2, 1)), 3, 4)));
    }

    @Test
    void roundTripsTables() {
        for (TableDescriptor t : List.of(hashRangeTable(), hashTable(), hashTable().withStatus(TableStatus.DELETING), indexedTable())) {
            assertThat(TableRecordCodec.decode(TableRecordCodec.encode(t))).isEqualTo(t);
        }
    }

    @Test
    void avroDecodesWhatTheCodecWrites() {
        GenericRecord r = AvroReference.decode(AvroReference.TABLE_RECORD_V1, TableRecordCodec.encode(hashRangeTable()));
        assertThat(r.get("name").toString()).isEqualTo("Orders");
        assertThat(r.get("tableId")).isEqualTo(1234L);
        GenericRecord key = (GenericRecord) r.get("keySchema");
        assertThat(key.get("partitionKey").toString()).isEqualTo("customer");
        assertThat(key.get("sortKeyType").toString()).isEqualTo("N");
        assertThat(((List<?>) r.get("attributeDefinitions"))).hasSize(3);
        assertThat(r.get("status").toString()).isEqualTo("ACTIVE");
        assertThat(r.get("partitionCount")).isEqualTo(8);

        GenericRecord hashOnly = AvroReference.decode(AvroReference.TABLE_RECORD_V1, TableRecordCodec.encode(hashTable()));
        assertThat(((GenericRecord) hashOnly.get("keySchema")).get("sortKey")).isNull();
        GenericRecord indexed = AvroReference.decode(AvroReference.TABLE_RECORD_V2, TableRecordCodec.encode(indexedTable()));
        assertThat((List<?>) indexed.get("indexes")).hasSize(2);
    }

    @Test
    void theCodecDecodesWhatAvroWrites() {
        for (TableDescriptor t : List.of(hashRangeTable(), hashTable(), indexedTable())) {
            byte[] avroBytes = AvroReference.encode(AvroReference.TABLE_RECORD, generic(t));
            assertThat(TableRecordCodec.decode(avroBytes)).isEqualTo(t);
        }
        assertThat(TableRecordCodec.encode(indexedTable())).as("written as version 2: it has no stream")
                .isEqualTo(AvroReference.encode(AvroReference.TABLE_RECORD_V2, versionTwo(generic(indexedTable()))));
    }

    /**
     * Version 1 is a table without indexes, and what the codec writes for one: a node from before
     * indexes reads it during a rolling upgrade.
     */
    @Test
    void aVersionOneRecordIsATableWithoutIndexes() {
        for (TableDescriptor t : List.of(hashRangeTable(), hashTable())) {
            byte[] written = AvroReference.encode(AvroReference.TABLE_RECORD_V1, versionOne(generic(t)));
            assertThat(TableRecordCodec.decode(written)).isEqualTo(t);
            assertThat(TableRecordCodec.encode(t)).as("written as version 1").isEqualTo(written);
        }
    }

    static GenericRecord versionOne(GenericRecord v2) {
        GenericRecord v1 = new GenericData.Record(AvroReference.TABLE_RECORD_V1);
        for (org.apache.avro.Schema.Field f : AvroReference.TABLE_RECORD_V1.getFields()) {
            Object value = v2.get(f.name());
            if (value instanceof GenericRecord nested) {
                GenericRecord copy = new GenericData.Record(f.schema());
                for (org.apache.avro.Schema.Field g : f.schema().getFields()) copy.put(g.name(), nested.get(g.name()));
                value = copy;
            } else if (f.name().equals("attributeDefinitions")) {
                List<GenericRecord> copies = new ArrayList<>();
                for (Object d : (List<?>) value) {
                    GenericRecord copy = new GenericData.Record(f.schema().getElementType());
                    copy.put("name", ((GenericRecord) d).get("name"));
                    copy.put("type", ((GenericRecord) d).get("type"));
                    copies.add(copy);
                }
                value = copies;
            }
            v1.put(f.name(), value);
        }
        return v1;
    }

    @Test
    void rejectsUnknownNames() {
        GenericRecord badStatus = generic(hashTable());
        badStatus.put("status", "UPDATING");
        assertThatThrownBy(() -> TableRecordCodec.decode(AvroReference.encode(AvroReference.TABLE_RECORD, badStatus)))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("UPDATING");
        GenericRecord badType = generic(hashTable());
        ((GenericRecord) badType.get("keySchema")).put("partitionKeyType", "SS");
        assertThatThrownBy(() -> TableRecordCodec.decode(AvroReference.encode(AvroReference.TABLE_RECORD, badType)))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("SS");
        GenericRecord halfSortKey = generic(hashTable());
        ((GenericRecord) halfSortKey.get("keySchema")).put("sortKey", "sk");
        assertThatThrownBy(() -> TableRecordCodec.decode(AvroReference.encode(AvroReference.TABLE_RECORD, halfSortKey)))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("sort key");
    }

    static GenericRecord generic(TableDescriptor t) {
        GenericRecord r = new GenericData.Record(AvroReference.TABLE_RECORD);
        r.put("name", t.name());
        r.put("tableId", t.tableId());
        GenericRecord key = new GenericData.Record(AvroReference.TABLE_RECORD.getField("keySchema").schema());
        key.put("partitionKey", t.keySchema().partitionKey());
        key.put("partitionKeyType", t.keySchema().partitionKeyType().name());
        key.put("sortKey", t.keySchema().sortKey());
        key.put("sortKeyType", t.keySchema().sortKeyType() == null ? null : t.keySchema().sortKeyType().name());
        r.put("keySchema", key);
        List<GenericRecord> definitions = new ArrayList<>();
        for (AttributeDefinition d : t.attributeDefinitions()) {
            GenericRecord def = new GenericData.Record(AvroReference.TABLE_RECORD.getField("attributeDefinitions").schema().getElementType());
            def.put("name", d.name());
            def.put("type", d.type().name());
            definitions.add(def);
        }
        r.put("attributeDefinitions", definitions);
        r.put("billingMode", t.billingMode());
        r.put("readCapacityUnits", t.readCapacityUnits());
        r.put("writeCapacityUnits", t.writeCapacityUnits());
        r.put("partitionCount", t.partitionCount());
        r.put("creationTimeMs", t.creationTimeMs());
        r.put("status", t.status().name());
        r.put("walTopic", t.walTopic());
        r.put("replicas", t.replicas());
        org.apache.avro.Schema indexSchema = AvroReference.TABLE_RECORD.getField("indexes").schema().getElementType();
        List<GenericRecord> indexes = new ArrayList<>();
        for (IndexDescriptor index : t.indexes()) {
            GenericRecord g = new GenericData.Record(indexSchema);
            g.put("name", index.name());
            g.put("indexId", index.indexId());
            g.put("kind", index.kind().name());
            GenericRecord indexKey = new GenericData.Record(indexSchema.getField("keySchema").schema());
            indexKey.put("partitionKey", index.keySchema().partitionKey());
            indexKey.put("partitionKeyType", index.keySchema().partitionKeyType().name());
            indexKey.put("sortKey", index.keySchema().sortKey());
            indexKey.put("sortKeyType", index.keySchema().sortKeyType() == null ? null : index.keySchema().sortKeyType().name());
            g.put("keySchema", indexKey);
            g.put("projectionType", index.projection().type().name());
            g.put("nonKeyAttributes", index.projection().nonKeyAttributes());
            g.put("status", index.status().name());
            g.put("backfilling", index.backfilling());
            g.put("partitionCount", index.partitionCount());
            g.put("topic", index.topic());
            g.put("replicas", index.replicas());
            g.put("readCapacityUnits", index.readCapacityUnits());
            g.put("writeCapacityUnits", index.writeCapacityUnits());
            indexes.add(g);
        }
        r.put("indexes", indexes);
        if (t.stream() != null) {
            GenericRecord stream = new GenericData.Record(AvroReference.TABLE_RECORD.getField("stream").schema().getTypes().get(1));
            stream.put("streamId", t.stream().streamId());
            stream.put("viewType", t.stream().viewType().name());
            stream.put("createdAtMs", t.stream().createdAtMs());
            stream.put("disabledAtMs", t.stream().disabledAtMs());
            stream.put("topic", t.stream().topic());
            r.put("stream", stream);
        }
        org.apache.avro.Schema configurationSchema = AvroReference.TABLE_RECORD.getField("configurations").schema().getElementType();
        List<GenericRecord> configurations = new ArrayList<>();
        for (Configuration c : t.configurations()) {
            GenericRecord g = new GenericData.Record(configurationSchema);
            g.put("version", c.version());
            g.put("voters", c.voters());
            g.put("learners", c.learners());
            configurations.add(g);
        }
        r.put("configurations", configurations);
        return r;
    }

    static TableDescriptor streamedTable() {
        return hashTable().withStream(new TableStream(99L, TableStream.ViewType.NEW_AND_OLD_IMAGES, 1_795_587_919_304L, 0,
                "dynalog.changes.t.63"));
    }

    @Test
    void aStreamTravelsInVersionThreeAndVersionTwoRecordsAreStillRead() {
        for (TableDescriptor t : List.of(streamedTable(), streamedTable().withStream(streamedTable().stream().disabledAt(1_795_587_999_000L)),
                indexedTable().withStream(streamedTable().stream()))) {
            byte[] avroBytes = AvroReference.encode(AvroReference.TABLE_RECORD_V3, versionThree(generic(t)));
            assertThat(TableRecordCodec.encode(t)).as("written as version 3: no group changed configuration").isEqualTo(avroBytes);
            assertThat(TableRecordCodec.decode(avroBytes)).isEqualTo(t);
            assertThat(TableRecordCodec.decode(AvroReference.encode(AvroReference.TABLE_RECORD, generic(t)))).isEqualTo(t);
        }
        assertThat(streamedTable().stream().label()).isEqualTo("2026-11-25T06:25:19.304");
        assertThat(TableRecordCodec.decode(AvroReference.encode(AvroReference.TABLE_RECORD_V2, versionTwo(generic(indexedTable())))))
                .isEqualTo(indexedTable());
    }

    /**
     * Version 4 carries the configurations of partitions' groups once one of them changed: the
     * catalog then names a partition's replicas by its latest configuration, and keeps the first
     * placement (the first configuration every member agrees on).
     */
    @Test
    void groupConfigurationsTravelInVersionFour() {
        TableDescriptor moved = hashRangeTable().withConfiguration(2, new Configuration(3, List.of(1, 2, 4), List.of(5)));
        assertThat(moved.replicasOf(2)).containsExactly(1, 2, 4, 5);
        assertThat(moved.replicasOf(1)).containsExactly(2, 3, 1);
        assertThat(moved.firstConfigurationOf(2)).isEqualTo(Configuration.initial(List.of(1, 2, 3)));
        assertThat(moved.configurationOf(0)).isEqualTo(Configuration.initial(List.of(1, 2, 3)));
        for (TableDescriptor t : List.of(moved, indexedTable().withStream(streamedTable().stream()).withConfiguration(0,
                new Configuration(1, List.of(1, 2, 3), List.of(4))))) {
            byte[] avroBytes = AvroReference.encode(AvroReference.TABLE_RECORD, generic(t));
            assertThat(TableRecordCodec.encode(t)).isEqualTo(avroBytes);
            assertThat(TableRecordCodec.decode(avroBytes)).isEqualTo(t);
        }
        GenericRecord notItsPlacement = generic(moved);
        ((GenericRecord) ((List<?>) notItsPlacement.get("configurations")).get(0)).put("voters", List.of(7, 8, 9));
        assertThatThrownBy(() -> TableRecordCodec.decode(AvroReference.encode(AvroReference.TABLE_RECORD, notItsPlacement)))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("first configuration");
    }

    static GenericRecord versionThree(GenericRecord v4) {
        GenericRecord v3 = new GenericData.Record(AvroReference.TABLE_RECORD_V3);
        for (org.apache.avro.Schema.Field f : AvroReference.TABLE_RECORD_V3.getFields()) v3.put(f.name(), v4.get(f.name()));
        return v3;
    }

    /** Version 3's record without the stream; its nested records have version 2's shape, so Avro writes them alike. */
    static GenericRecord versionTwo(GenericRecord v3) {
        GenericRecord v2 = new GenericData.Record(AvroReference.TABLE_RECORD_V2);
        for (org.apache.avro.Schema.Field f : AvroReference.TABLE_RECORD_V2.getFields()) v2.put(f.name(), v3.get(f.name()));
        return v2;
    }
}
