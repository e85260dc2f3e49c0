package io.dynalog.topology.wire;

import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.IndexProjection;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.topology.model.TableStream;
import io.dynalog.topology.wal.Configuration;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;

/**
 * Catalog records: single-object messages of {@code TableRecord.avsc}, one per
 * {@link TableDescriptor}. Enumerations (key types, status, index kinds) travel as their names.
 * Reads version 4 (with the configurations of the partitions' replica groups), version 3
 * ({@code TableRecord.v3.avsc}, with indexes and a stream), version 2 ({@code TableRecord.v2.avsc},
 * without a stream) and version 1 ({@code TableRecord.v1.avsc}, without indexes either). Writes the
 * oldest version that holds the table (1 without indexes, stream or configurations, 2 without a
 * stream or configurations, 3 without configurations, 4 otherwise), so that a node of an earlier
 * version can still read every table it could serve during a rolling upgrade.
 * Stateless and thread-safe.
 */
public final class TableRecordCodec {
    private static final SingleObject FORMAT = new SingleObject(WireSchemas.tableRecord());
    private static final SingleObject FORMAT_V1 = new SingleObject(WireSchemas.tableRecordV1());
    private static final SingleObject FORMAT_V2 = new SingleObject(WireSchemas.tableRecordV2());
    private static final SingleObject FORMAT_V3 = new SingleObject(WireSchemas.tableRecordV3());
    private static final int INITIAL_CAPACITY_BYTES = 256;
    private static final int BRANCH_NULL = 0;
    private static final int BRANCH_STREAM = 1;

    private TableRecordCodec() {}

    public static byte[] encode(TableDescriptor table) {
        if (!table.configurations().isEmpty()) return FORMAT.encode(table, INITIAL_CAPACITY_BYTES, TableRecordCodec::write);
        if (table.stream() != null) return FORMAT_V3.encode(table, INITIAL_CAPACITY_BYTES, TableRecordCodec::writeVersion3);
        return table.indexes().isEmpty() ? FORMAT_V1.encode(table, INITIAL_CAPACITY_BYTES, TableRecordCodec::writeTable)
                : FORMAT_V2.encode(table, INITIAL_CAPACITY_BYTES, TableRecordCodec::writeVersion2);
    }

    /** @throws WireFormatException when the bytes are not a TableRecord message or not a valid table */
    public static TableDescriptor decode(byte[] bytes) {
        if (FORMAT_V1.matches(bytes)) return FORMAT_V1.decode(bytes, in -> read(in, 1));
        if (FORMAT_V2.matches(bytes)) return FORMAT_V2.decode(bytes, in -> read(in, 2));
        if (FORMAT_V3.matches(bytes)) return FORMAT_V3.decode(bytes, in -> read(in, 3));
        return FORMAT.decode(bytes, in -> read(in, 4));
    }

    /** The fingerprint in the header of the version 4 messages this codec writes (tables whose groups changed configuration). */
    public static long fingerprint() {
        return FORMAT.fingerprint();
    }

    /** Version 4: version 3's fields, then the groups' configurations. */
    private static void write(TableDescriptor t, BinaryEncoder out) throws IOException {
        writeVersion3(t, out);
        out.writeArrayStart();
        out.setItemCount(t.configurations().size());
        for (Configuration c : t.configurations()) {
            out.startItem();
            WalEntryCodec.writeConfiguration(c, out);
        }
        out.writeArrayEnd();
    }

    /** Version 3: version 2's fields, then the stream. */
    private static void writeVersion3(TableDescriptor t, BinaryEncoder out) throws IOException {
        writeVersion2(t, out);
        TableStream stream = t.stream();
        if (stream == null) {
            out.writeIndex(BRANCH_NULL);
        } else {
            out.writeIndex(BRANCH_STREAM);
            out.writeLong(stream.streamId());
            out.writeString(stream.viewType().name());
            out.writeLong(stream.createdAtMs());
            out.writeLong(stream.disabledAtMs());
            out.writeString(stream.topic());
        }
    }

    /** Version 2: version 1's fields, then the indexes. */
    private static void writeVersion2(TableDescriptor t, BinaryEncoder out) throws IOException {
        writeTable(t, out);
        out.writeArrayStart();
        out.setItemCount(t.indexes().size());
        for (IndexDescriptor index : t.indexes()) {
            out.startItem();
            writeIndex(index, out);
        }
        out.writeArrayEnd();
    }

    /** Version 1: the table without its indexes. */
    private static void writeTable(TableDescriptor t, BinaryEncoder out) throws IOException {
        out.writeString(t.name());
        out.writeLong(t.tableId());
        writeKeySchema(t.keySchema(), out);
        out.writeArrayStart();
        out.setItemCount(t.attributeDefinitions().size());
        for (TableDescriptor.AttributeDefinition d : t.attributeDefinitions()) {
            out.startItem();
            out.writeString(d.name());
            out.writeString(d.type().name());
        }
        out.writeArrayEnd();
        out.writeString(t.billingMode());
        out.writeLong(t.readCapacityUnits());
        out.writeLong(t.writeCapacityUnits());
        out.writeInt(t.partitionCount());
        out.writeLong(t.creationTimeMs());
        out.writeString(t.status().name());
        out.writeString(t.walTopic());
        writeReplicas(t.replicas(), out);
    }

    private static void writeIndex(IndexDescriptor index, BinaryEncoder out) throws IOException {
        out.writeString(index.name());
        out.writeLong(index.indexId());
        out.writeString(index.kind().name());
        writeKeySchema(index.keySchema(), out);
        out.writeString(index.projection().type().name());
        out.writeArrayStart();
        out.setItemCount(index.projection().nonKeyAttributes().size());
        for (String attribute : index.projection().nonKeyAttributes()) {
            out.startItem();
            out.writeString(attribute);
        }
        out.writeArrayEnd();
        out.writeString(index.status().name());
        out.writeBoolean(index.backfilling());
        out.writeInt(index.partitionCount());
        OptionalFields.writeString(index.topic(), out);
        writeReplicas(index.replicas(), out);
        out.writeLong(index.readCapacityUnits());
        out.writeLong(index.writeCapacityUnits());
    }

    private static void writeKeySchema(KeySchema key, BinaryEncoder out) throws IOException {
        out.writeString(key.partitionKey());
        out.writeString(key.partitionKeyType().name());
        OptionalFields.writeString(key.sortKey(), out);
        OptionalFields.writeString(key.sortKeyType() == null ? null : key.sortKeyType().name(), out);
    }

    private static void writeReplicas(List<List<Integer>> replicas, BinaryEncoder out) throws IOException {
        out.writeArrayStart();
        out.setItemCount(replicas.size());
        for (List<Integer> nodes : replicas) {
            out.startItem();
            out.writeArrayStart();
            out.setItemCount(nodes.size());
            for (int node : nodes) {
                out.startItem();
                out.writeInt(node);
            }
            out.writeArrayEnd();
        }
        out.writeArrayEnd();
    }

    /** Version 4 ends with the configurations, 3 with the indexes and the stream, 2 with the indexes, 1 has neither. */
    private static TableDescriptor read(WireReader in, int version) throws IOException {
        String name = in.readString();
        long tableId = in.readLong();
        KeySchema keySchema = readKeySchema(in);
        List<TableDescriptor.AttributeDefinition> definitions = new ArrayList<>();
        for (long count = in.readArrayStart(); count > 0; count = in.arrayNext()) {
            for (long i = 0; i < count; i++) {
                definitions.add(new TableDescriptor.AttributeDefinition(in.readString(), scalarType(in.readString())));
            }
        }
        String billingMode = in.readString();
        long readCapacityUnits = in.readLong();
        long writeCapacityUnits = in.readLong();
        int partitionCount = in.readInt();
        long creationTimeMs = in.readLong();
        TableStatus status = tableStatus(in.readString());
        String walTopic = in.readString();
        List<List<Integer>> replicas = readReplicas(in);
        List<IndexDescriptor> indexes = new ArrayList<>();
        if (version >= 2) {
            for (long count = in.readArrayStart(); count > 0; count = in.arrayNext()) {
                for (long i = 0; i < count; i++) indexes.add(readIndex(in));
            }
        }
        TableStream stream = null;
        if (version >= 3 && OptionalFields.present(in, "stream")) {
            stream = new TableStream(in.readLong(), named(TableStream.ViewType.class, in.readString(), "stream view type"),
                    in.readLong(), in.readLong(), in.readString());
        }
        List<Configuration> configurations = new ArrayList<>();
        if (version >= 4) {
            for (long count = in.readArrayStart(); count > 0; count = in.arrayNext()) {
                for (long i = 0; i < count; i++) configurations.add(WalEntryCodec.readConfiguration(in));
            }
        }
        try {
            return new TableDescriptor(name, tableId, keySchema, definitions, billingMode, readCapacityUnits,
                    writeCapacityUnits, partitionCount, creationTimeMs, status, walTopic, replicas, indexes, stream, configurations);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException("not a valid table record: " + e.getMessage());
        }
    }

    private static IndexDescriptor readIndex(WireReader in) throws IOException {
        String name = in.readString();
        long indexId = in.readLong();
        IndexDescriptor.Kind kind = named(IndexDescriptor.Kind.class, in.readString(), "index kind");
        KeySchema keySchema = readKeySchema(in);
        IndexProjection.Type projectionType = named(IndexProjection.Type.class, in.readString(), "projection type");
        List<String> nonKeyAttributes = new ArrayList<>();
        for (long count = in.readArrayStart(); count > 0; count = in.arrayNext()) {
            for (long i = 0; i < count; i++) nonKeyAttributes.add(in.readString());
        }
        IndexDescriptor.IndexStatus status = named(IndexDescriptor.IndexStatus.class, in.readString(), "index status");
        boolean backfilling = in.readBoolean();
        int partitionCount = in.readInt();
        String topic = OptionalFields.readString(in);
        List<List<Integer>> replicas = readReplicas(in);
        long rcu = in.readLong();
        long wcu = in.readLong();
        return new IndexDescriptor(name, indexId, kind, keySchema, new IndexProjection(projectionType, nonKeyAttributes), status,
                backfilling, partitionCount, topic, replicas, rcu, wcu);
    }

    private static KeySchema readKeySchema(WireReader in) throws IOException {
        String partitionKey = in.readString();
        ScalarType partitionKeyType = scalarType(in.readString());
        String sortKey = OptionalFields.readString(in);
        String sortKeyTypeName = OptionalFields.readString(in);
        ScalarType sortKeyType = sortKeyTypeName == null ? null : scalarType(sortKeyTypeName);
        return new KeySchema(partitionKey, partitionKeyType, sortKey, sortKeyType);
    }

    private static List<List<Integer>> readReplicas(WireReader in) throws IOException {
        List<List<Integer>> replicas = new ArrayList<>();
        for (long count = in.readArrayStart(); count > 0; count = in.arrayNext()) {
            for (long i = 0; i < count; i++) {
                List<Integer> nodes = new ArrayList<>();
                for (long n = in.readArrayStart(); n > 0; n = in.arrayNext()) {
                    for (long j = 0; j < n; j++) nodes.add(in.readInt());
                }
                replicas.add(nodes);
            }
        }
        return replicas;
    }

    /** The constant of an enum named on the wire; an unknown name is a format error naming {@code what}. */
    static <E extends Enum<E>> E named(Class<E> type, String name, String what) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(name)) return e;
        }
        throw new WireFormatException("unknown " + what + " \"" + name + "\"");
    }

    private static ScalarType scalarType(String name) {
        ScalarType type = ScalarType.parse(name);
        if (type == null) throw new WireFormatException("unknown scalar type \"" + name + "\"");
        return type;
    }

    private static TableStatus tableStatus(String name) {
        for (TableStatus status : TableStatus.values()) {
            if (status.name().equals(name)) return status;
        }
        throw new WireFormatException("unknown table status \"" + name + "\"");
    }
}
