package io.dynalog.topology.wire;

import io.dynalog.topology.request.WriteReply;
import java.io.IOException;
import java.util.List;
import org.apache.avro.io.Encoder;

/** Records of reply topics: single-object messages of {@code WriteReply.avsc}. Stateless and thread-safe. */
public final class WriteReplyCodec {
    private static final SingleObject FORMAT = new SingleObject(WireSchemas.writeReply());
    private static final int INITIAL_CAPACITY_BYTES = 128;
    private static final int BRANCH_SUCCESS = 0;
    private static final int BRANCH_FAILURE = 1;

    private WriteReplyCodec() {}

    public static byte[] encode(WriteReply reply) {
        return FORMAT.encode(reply, INITIAL_CAPACITY_BYTES, WriteReplyCodec::write);
    }

    /** @throws WireFormatException when the bytes are not a WriteReply message */
    public static WriteReply decode(byte[] bytes) {
        return FORMAT.decode(bytes, WriteReplyCodec::read);
    }

    public static long fingerprint() {
        return FORMAT.fingerprint();
    }

    private static void write(WriteReply r, Encoder out) throws IOException {
        out.writeString(r.requestToken());
        if (r.outcome() instanceof WriteReply.Success s) {
            out.writeIndex(BRANCH_SUCCESS);
            OptionalFields.writeItem(s.attributes(), out);
            if (s.unprocessed().isEmpty()) {
                out.writeIndex(0);
            } else {
                out.writeIndex(1);
                WriteRequestCodec.writeEntries(s.unprocessed(), out);
            }
        } else {
            WriteReply.Failure f = (WriteReply.Failure) r.outcome();
            out.writeIndex(BRANCH_FAILURE);
            out.writeString(f.errorType());
            out.writeString(f.message());
        }
    }

    private static WriteReply read(WireReader in) throws IOException {
        String token = in.readString();
        int branch = in.readIndex();
        WriteReply.Outcome outcome = switch (branch) {
            case BRANCH_SUCCESS -> new WriteReply.Success(OptionalFields.readItem(in),
                    OptionalFields.present(in, "unprocessed") ? WriteRequestCodec.readEntries(in) : List.of());
            case BRANCH_FAILURE -> new WriteReply.Failure(in.readString(), in.readString());
            default -> throw new WireFormatException("unknown outcome union branch " + branch);
        };
        return new WriteReply(token, outcome);
    }
}
