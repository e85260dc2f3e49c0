package io.dynalog.topology.wire;

import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;

/**
 * Catalog records: single-object messages of {@code TableRecord.avsc}, one per
 * {@link TableDescriptor}. Enumerations (key types, status) travel as their names.
 * Stateless and thread-safe.
 */
public final class TableRecordCodec {
    private static final SingleObject FORMAT = new SingleObject(WireSchemas.tableRecord());
    private static final int INITIAL_CAPACITY_BYTES = 256;
    private static final int BRANCH_NULL = 0;
    private static final int BRANCH_STRING = 1;

    private TableRecordCodec() {}

    public static byte[] encode(TableDescriptor table) {
        return FORMAT.encode(table, INITIAL_CAPACITY_BYTES, TableRecordCodec::write);
    }

    /** @throws WireFormatException when the bytes are not a TableRecord message or not a valid table */
    public static TableDescriptor decode(byte[] bytes) {
        return FORMAT.decode(bytes, TableRecordCodec::read);
    }

    /** The fingerprint in the header of every message this codec writes. */
    public static long fingerprint() {
        return FORMAT.fingerprint();
    }

    private static void write(TableDescriptor t, BinaryEncoder out) throws IOException {
        out.writeString(t.name());
        out.writeLong(t.tableId());
        KeySchema key = t.keySchema();
        out.writeString(key.partitionKey());
        out.writeString(key.partitionKeyType().name());
        writeOptionalString(key.sortKey(), out);
        writeOptionalString(key.sortKeyType() == null ? null : key.sortKeyType().name(), out);
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
        out.writeArrayStart();
        out.setItemCount(t.replicas().size());
        for (List<Integer> nodes : t.replicas()) {
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

    private static TableDescriptor read(WireReader in) throws IOException {
        String name = in.readString();
        long tableId = in.readLong();
        String partitionKey = in.readString();
        ScalarType partitionKeyType = scalarType(in.readString());
        String sortKey = readOptionalString(in);
        String sortKeyTypeName = readOptionalString(in);
        ScalarType sortKeyType = sortKeyTypeName == null ? null : scalarType(sortKeyTypeName);
        KeySchema keySchema = new KeySchema(partitionKey, partitionKeyType, sortKey, sortKeyType);
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
        return new TableDescriptor(name, tableId, keySchema, definitions, billingMode, readCapacityUnits,
                writeCapacityUnits, partitionCount, creationTimeMs, status, walTopic, replicas);
    }

    private static void writeOptionalString(String s, BinaryEncoder out) throws IOException {
        if (s == null) {
            out.writeIndex(BRANCH_NULL);
        } else {
            out.writeIndex(BRANCH_STRING);
            out.writeString(s);
        }
    }

    private static String readOptionalString(WireReader in) throws IOException {
        int branch = in.readIndex();
        return switch (branch) {
            case BRANCH_NULL -> null;
            case BRANCH_STRING -> in.readString();
            default -> throw new WireFormatException("unknown optional string union branch " + branch);
        };
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
