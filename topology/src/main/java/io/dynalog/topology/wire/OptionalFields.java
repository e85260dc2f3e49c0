package io.dynalog.topology.wire;

import io.dynalog.topology.model.AttributeValue;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.io.Encoder;

/** Optional fields ({@code ["null", T]} unions, branch 0 null) of every wire message. */
final class OptionalFields {
    private static final int BRANCH_NULL = 0;
    private static final int BRANCH_VALUE = 1;

    private OptionalFields() {}

    static void writeString(String s, Encoder out) throws IOException {
        if (s == null) {
            out.writeIndex(BRANCH_NULL);
        } else {
            out.writeIndex(BRANCH_VALUE);
            out.writeString(s);
        }
    }

    static String readString(WireReader in) throws IOException {
        return present(in, "string") ? in.readString() : null;
    }

    static void writeItem(Map<String, AttributeValue> item, Encoder out) throws IOException {
        if (item == null) {
            out.writeIndex(BRANCH_NULL);
        } else {
            out.writeIndex(BRANCH_VALUE);
            AttributeValueWire.writeItem(item, out);
        }
    }

    static Map<String, AttributeValue> readItem(WireReader in) throws IOException {
        return present(in, "item") ? AttributeValueWire.readItem(in, 0) : null;
    }

    static void writeStringMap(Map<String, String> map, Encoder out) throws IOException {
        if (map == null) {
            out.writeIndex(BRANCH_NULL);
            return;
        }
        out.writeIndex(BRANCH_VALUE);
        out.writeMapStart();
        out.setItemCount(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            out.startItem();
            out.writeString(e.getKey());
            out.writeString(e.getValue());
        }
        out.writeMapEnd();
    }

    static Map<String, String> readStringMap(WireReader in) throws IOException {
        if (!present(in, "string map")) return null;
        Map<String, String> map = new LinkedHashMap<>();
        for (long count = in.readMapStart(); count > 0; count = in.mapNext()) {
            for (long i = 0; i < count; i++) {
                String key = in.readString();
                if (map.put(key, in.readString()) != null) throw new WireFormatException("duplicate map key " + key);
            }
        }
        return map;
    }

    /** Reads an optional field's union branch: true when a value follows. */
    static boolean present(WireReader in, String what) throws IOException {
        int branch = in.readIndex();
        return switch (branch) {
            case BRANCH_NULL -> false;
            case BRANCH_VALUE -> true;
            default -> throw new WireFormatException("unknown optional " + what + " union branch " + branch);
        };
    }
}
