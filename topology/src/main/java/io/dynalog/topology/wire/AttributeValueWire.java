package io.dynalog.topology.wire;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.Numbers;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.io.Encoder;

/**
 * The body encoding of {@code AttributeValue.avsc} and of items ({@code map<AttributeValue>}),
 * written and read field by field. The union branch indexes below are the schema's order and,
 * like the schema, never change.
 *
 * <p>Decoding rejects what an encoder of the model cannot have written (duplicate set members,
 * number text that is not a number, an unknown branch) and values nested deeper than
 * {@link #MAX_DECODE_DEPTH} levels (an attribute being level 1), so that corrupt bytes cannot
 * exhaust the stack.
 */
final class AttributeValueWire {
    static final int BRANCH_NULL = 0;
    static final int BRANCH_BOOL = 1;
    static final int BRANCH_S = 2;
    static final int BRANCH_B = 3;
    static final int BRANCH_N = 4;
    static final int BRANCH_M = 5;
    static final int BRANCH_L = 6;
    static final int BRANCH_SS = 7;
    static final int BRANCH_NS = 8;
    static final int BRANCH_BS = 9;

    /** Far above DynamoDB's 32 levels, far below what the stack holds. */
    static final int MAX_DECODE_DEPTH = 256;

    private AttributeValueWire() {}

    // ---- writing ---------------------------------------------------------------------------

    static void writeItem(Map<String, AttributeValue> item, Encoder out) throws IOException {
        out.writeMapStart();
        out.setItemCount(item.size());
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            out.startItem();
            out.writeString(e.getKey());
            writeValue(e.getValue(), out);
        }
        out.writeMapEnd();
    }

    static void writeValue(AttributeValue v, Encoder out) throws IOException {
        switch (v.type()) {
            case NULL -> out.writeIndex(BRANCH_NULL);
            case BOOL -> {
                out.writeIndex(BRANCH_BOOL);
                out.writeBoolean(((AttributeValue.Bool) v).value());
            }
            case S -> {
                out.writeIndex(BRANCH_S);
                out.writeString(((AttributeValue.S) v).value());
            }
            case B -> {
                out.writeIndex(BRANCH_B);
                out.writeBytes(((AttributeValue.B) v).bytes());
            }
            case N -> {
                out.writeIndex(BRANCH_N);
                out.writeString(((AttributeValue.N) v).text());
            }
            case M -> {
                out.writeIndex(BRANCH_M);
                writeItem(((AttributeValue.M) v).value(), out);
            }
            case L -> {
                out.writeIndex(BRANCH_L);
                List<AttributeValue> items = ((AttributeValue.L) v).value();
                out.writeArrayStart();
                out.setItemCount(items.size());
                for (AttributeValue item : items) {
                    out.startItem();
                    writeValue(item, out);
                }
                out.writeArrayEnd();
            }
            case SS -> {
                out.writeIndex(BRANCH_SS);
                Set<String> members = ((AttributeValue.SS) v).value();
                out.writeArrayStart();
                out.setItemCount(members.size());
                for (String member : members) {
                    out.startItem();
                    out.writeString(member);
                }
                out.writeArrayEnd();
            }
            case NS -> {
                out.writeIndex(BRANCH_NS);
                Set<BigDecimal> members = ((AttributeValue.NS) v).value();
                out.writeArrayStart();
                out.setItemCount(members.size());
                for (BigDecimal member : members) {
                    out.startItem();
                    out.writeString(Numbers.format(member));
                }
                out.writeArrayEnd();
            }
            case BS -> {
                out.writeIndex(BRANCH_BS);
                Set<AttributeValue.B> members = ((AttributeValue.BS) v).value();
                out.writeArrayStart();
                out.setItemCount(members.size());
                for (AttributeValue.B member : members) {
                    out.startItem();
                    out.writeBytes(member.bytes());
                }
                out.writeArrayEnd();
            }
        }
    }

    // ---- reading ---------------------------------------------------------------------------

    /** Reads an item, or the entries of a map at level {@code depth}; the map is the caller's. */
    static Map<String, AttributeValue> readItem(WireReader in, int depth) throws IOException {
        long count = in.readMapStart();
        Map<String, AttributeValue> item = new LinkedHashMap<>(Math.max(4, in.sizeHint(count) * 4 / 3 + 1));
        while (count > 0) {
            for (long i = 0; i < count; i++) {
                String name = in.readString();
                if (item.put(name, readValue(in, depth + 1)) != null) {
                    throw new WireFormatException("duplicate map key " + abbreviate(name));
                }
            }
            count = in.mapNext();
        }
        return item;
    }

    /** Reads a value at nesting level {@code depth} (an item's attributes are level 1). */
    static AttributeValue readValue(WireReader in, int depth) throws IOException {
        if (depth > MAX_DECODE_DEPTH) throw new WireFormatException("values nested deeper than " + MAX_DECODE_DEPTH + " levels");
        int branch = in.readIndex();
        return switch (branch) {
            case BRANCH_NULL -> AttributeValue.Null.INSTANCE;
            case BRANCH_BOOL -> AttributeValue.Bool.of(in.readBoolean());
            case BRANCH_S -> new AttributeValue.S(in.readString());
            case BRANCH_B -> AttributeValue.B.wrap(in.readBytes());
            case BRANCH_N -> new AttributeValue.N(readNumber(in));
            case BRANCH_M -> new AttributeValue.M(readItem(in, depth));
            case BRANCH_L -> new AttributeValue.L(readList(in, depth));
            case BRANCH_SS -> {
                Set<String> members = new LinkedHashSet<>();
                for (long count = in.readArrayStart(); count > 0; count = in.arrayNext()) {
                    for (long i = 0; i < count; i++) addMember(members, in.readString());
                }
                yield new AttributeValue.SS(members);
            }
            case BRANCH_NS -> {
                Set<BigDecimal> members = new LinkedHashSet<>();
                for (long count = in.readArrayStart(); count > 0; count = in.arrayNext()) {
                    for (long i = 0; i < count; i++) addMember(members, readNumber(in));
                }
                yield new AttributeValue.NS(members);
            }
            case BRANCH_BS -> {
                Set<AttributeValue.B> members = new LinkedHashSet<>();
                for (long count = in.readArrayStart(); count > 0; count = in.arrayNext()) {
                    for (long i = 0; i < count; i++) addMember(members, AttributeValue.B.wrap(in.readBytes()));
                }
                yield new AttributeValue.BS(members);
            }
            default -> throw new WireFormatException("unknown AttributeValue union branch " + branch);
        };
    }

    private static List<AttributeValue> readList(WireReader in, int depth) throws IOException {
        long count = in.readArrayStart();
        List<AttributeValue> items = new ArrayList<>(in.sizeHint(count));
        while (count > 0) {
            for (long i = 0; i < count; i++) items.add(readValue(in, depth + 1));
            count = in.arrayNext();
        }
        return items;
    }

    private static BigDecimal readNumber(WireReader in) throws IOException {
        String text = in.readString();
        BigDecimal n = Numbers.parse(text);
        if (n == null) throw new WireFormatException("number text " + abbreviate(text) + " is not a number");
        return n;
    }

    private static <T> void addMember(Set<T> members, T member) {
        // Canonical numbers make numerically equal members equal, so this also catches "1" and "1.0".
        if (!members.add(member)) throw new WireFormatException("duplicate set member " + abbreviate(String.valueOf(member)));
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? '"' + s + '"' : '"' + s.substring(0, 64) + "...\"";
    }
}
