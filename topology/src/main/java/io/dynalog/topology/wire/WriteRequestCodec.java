package io.dynalog.topology.wire;

import io.dynalog.topology.request.WriteCommand;
import io.dynalog.topology.request.WriteCommand.BatchEntry;
import io.dynalog.topology.request.WriteRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.io.Encoder;

/**
 * Records of the request topic: single-object messages of {@code WriteRequest.avsc}. The command
 * union's branches are the {@link WriteCommand} kinds in the order of the schema. Stateless and
 * thread-safe.
 */
public final class WriteRequestCodec {
    private static final SingleObject FORMAT = new SingleObject(WireSchemas.writeRequest());
    private static final int INITIAL_CAPACITY_BYTES = 256;
    private static final int BRANCH_PUT = 0;
    private static final int BRANCH_UPDATE = 1;
    private static final int BRANCH_DELETE = 2;
    private static final int BRANCH_BATCH = 3;
    private static final int ENTRY_PUT = 0;
    private static final int ENTRY_DELETE = 1;

    private WriteRequestCodec() {}

    public static byte[] encode(WriteRequest request) {
        return FORMAT.encode(request, INITIAL_CAPACITY_BYTES, WriteRequestCodec::write);
    }

    /** @throws WireFormatException when the bytes are not a WriteRequest message */
    public static WriteRequest decode(byte[] bytes) {
        return FORMAT.decode(bytes, WriteRequestCodec::read);
    }

    public static long fingerprint() {
        return FORMAT.fingerprint();
    }

    private static void write(WriteRequest r, Encoder out) throws IOException {
        out.writeString(r.requestToken());
        out.writeString(r.replyTopic());
        WriteCommand c = r.command();
        if (c instanceof WriteCommand.Put p) {
            out.writeIndex(BRANCH_PUT);
            out.writeString(p.tableName());
            AttributeValueWire.writeItem(p.item(), out);
            writeConditionAndRest(p.conditionExpression(), p.names(), p.values(), p.returnValues(), out);
        } else if (c instanceof WriteCommand.Update u) {
            out.writeIndex(BRANCH_UPDATE);
            out.writeString(u.tableName());
            AttributeValueWire.writeItem(u.key(), out);
            OptionalFields.writeString(u.updateExpression(), out);
            writeConditionAndRest(u.conditionExpression(), u.names(), u.values(), u.returnValues(), out);
        } else if (c instanceof WriteCommand.Delete d) {
            out.writeIndex(BRANCH_DELETE);
            out.writeString(d.tableName());
            AttributeValueWire.writeItem(d.key(), out);
            writeConditionAndRest(d.conditionExpression(), d.names(), d.values(), d.returnValues(), out);
        } else {
            out.writeIndex(BRANCH_BATCH);
            writeEntries(((WriteCommand.BatchWrite) c).requests(), out);
        }
    }

    private static void writeConditionAndRest(String condition, java.util.Map<String, String> names,
                                              java.util.Map<String, io.dynalog.topology.model.AttributeValue> values,
                                              String returnValues, Encoder out) throws IOException {
        OptionalFields.writeString(condition, out);
        OptionalFields.writeStringMap(names, out);
        OptionalFields.writeItem(values, out);
        OptionalFields.writeString(returnValues, out);
    }

    private static WriteRequest read(WireReader in) throws IOException {
        String token = in.readString();
        String replyTopic = in.readString();
        int branch = in.readIndex();
        WriteCommand command = switch (branch) {
            case BRANCH_PUT -> new WriteCommand.Put(in.readString(), AttributeValueWire.readItem(in, 0),
                    OptionalFields.readString(in), OptionalFields.readStringMap(in), OptionalFields.readItem(in),
                    OptionalFields.readString(in));
            case BRANCH_UPDATE -> new WriteCommand.Update(in.readString(), AttributeValueWire.readItem(in, 0),
                    OptionalFields.readString(in), OptionalFields.readString(in), OptionalFields.readStringMap(in),
                    OptionalFields.readItem(in), OptionalFields.readString(in));
            case BRANCH_DELETE -> new WriteCommand.Delete(in.readString(), AttributeValueWire.readItem(in, 0),
                    OptionalFields.readString(in), OptionalFields.readStringMap(in), OptionalFields.readItem(in),
                    OptionalFields.readString(in));
            case BRANCH_BATCH -> new WriteCommand.BatchWrite(readEntries(in));
            default -> throw new WireFormatException("unknown command union branch " + branch);
        };
        return new WriteRequest(token, replyTopic, command);
    }

    /** An array of {@code BatchWriteEntry} (also a reply's unprocessed writes). */
    static void writeEntries(List<BatchEntry> entries, Encoder out) throws IOException {
        out.writeArrayStart();
        out.setItemCount(entries.size());
        for (BatchEntry e : entries) {
            out.startItem();
            out.writeString(e.tableName());
            out.writeIndex(e.isPut() ? ENTRY_PUT : ENTRY_DELETE);
            AttributeValueWire.writeItem(e.isPut() ? e.item() : e.key(), out);
        }
        out.writeArrayEnd();
    }

    static List<BatchEntry> readEntries(WireReader in) throws IOException {
        List<BatchEntry> entries = new ArrayList<>();
        for (long count = in.readArrayStart(); count > 0; count = in.arrayNext()) {
            for (long i = 0; i < count; i++) {
                String table = in.readString();
                int branch = in.readIndex();
                entries.add(switch (branch) {
                    case ENTRY_PUT -> BatchEntry.put(table, AttributeValueWire.readItem(in, 0));
                    case ENTRY_DELETE -> BatchEntry.delete(table, AttributeValueWire.readItem(in, 0));
                    default -> throw new WireFormatException("unknown batch request union branch " + branch);
                });
            }
        }
        return entries;
    }
}
