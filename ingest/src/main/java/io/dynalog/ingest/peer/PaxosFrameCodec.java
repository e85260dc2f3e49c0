package io.dynalog.ingest.peer;

import io.dynalog.ingest.paxos.AcceptedEntry;
import io.dynalog.ingest.paxos.PaxosMessage;
import io.dynalog.ingest.paxos.SlotRange;
import io.dynalog.ingest.paxos.SlotValue;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * Paxos messages on the wire: Avro single-object encoding of {@code io.dynalog.avro.peer.PaxosFrame}
 * (schema in {@code /avro/PaxosFrame.avsc}, version 3), which wraps one message with its group and
 * sender.
 *
 * <p>The union branch of the body is the message kind; branches are only ever appended, and
 * fields only added with defaults, so a frame from an older node still decodes (version 1,
 * {@code /avro/PaxosFrame.v1.avsc}: its promises are complete reports; version 2,
 * {@code /avro/PaxosFrame.v2.avsc}: its archived configuration is the group's first). A frame that does not decode is the sender's or the
 * network's fault: {@link #decode} throws and the receiver drops it, as if it were lost.
 */
public final class PaxosFrameCodec {
    private static final Schema FRAME = load("/avro/PaxosFrame.avsc");
    private static final Schema BODY = FRAME.getField("body").schema();
    private static final Schema BALLOT = BODY.getTypes().get(0).getField("ballot").schema();
    private static final Schema CONFIGURATION = BODY.getTypes().get(1).getField("archivedConfiguration").schema().getTypes().get(1);
    private static final BinaryMessageEncoder<GenericRecord> ENCODER = new BinaryMessageEncoder<>(GenericData.get(), FRAME);
    private static final BinaryMessageDecoder<GenericRecord> DECODER = decoder();

    private static BinaryMessageDecoder<GenericRecord> decoder() {
        BinaryMessageDecoder<GenericRecord> d = new BinaryMessageDecoder<>(GenericData.get(), FRAME);
        d.addSchema(load("/avro/PaxosFrame.v1.avsc"));
        d.addSchema(load("/avro/PaxosFrame.v2.avsc"));
        return d;
    }

    private PaxosFrameCodec() {}

    /** A decoded frame: the group it belongs to, its sender, and the message. */
    public record Frame(long tableId, int partition, int fromNode, PaxosMessage message) {}

    public static byte[] encode(long tableId, int partition, int fromNode, PaxosMessage message) {
        GenericRecord frame = new GenericData.Record(FRAME);
        frame.put("tableId", tableId);
        frame.put("partition", partition);
        frame.put("fromNode", fromNode);
        frame.put("body", body(message));
        try {
            ByteBuffer encoded = ENCODER.encode(frame);
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Frame decode(byte[] bytes) {
        GenericRecord frame;
        try {
            frame = DECODER.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a Paxos frame: " + e.getMessage(), e);
        }
        return new Frame((Long) frame.get("tableId"), (Integer) frame.get("partition"),
                (Integer) frame.get("fromNode"), message((GenericRecord) frame.get("body")));
    }

    private static GenericRecord body(PaxosMessage message) {
        Schema schema = BODY.getTypes().get(branch(message.type()));
        GenericRecord r = new GenericData.Record(schema);
        r.put("ballot", ballot(message.ballot()));
        if (message instanceof PaxosMessage.Prepare p) {
            r.put("fromSlot", p.fromSlot());
        } else if (message instanceof PaxosMessage.Promise p) {
            r.put("archivedSlot", p.archivedSlot());
            Schema entrySchema = schema.getField("accepted").schema().getElementType();
            List<GenericRecord> entries = new ArrayList<>(p.accepted().size());
            for (AcceptedEntry e : p.accepted()) {
                GenericRecord er = new GenericData.Record(entrySchema);
                er.put("slot", e.slot());
                er.put("acceptedBallot", ballot(e.acceptedBallot()));
                er.put("value", ByteBuffer.wrap(e.value()));
                entries.add(er);
            }
            r.put("accepted", entries);
            r.put("continueFromSlot", p.continueFromSlot());
            r.put("archivedMaxOrigin", ballot(p.archivedMaxOrigin()));
            r.put("archivedConfiguration", configuration(p.archivedConfiguration()));
        } else if (message instanceof PaxosMessage.Reject p) {
            r.put("promisedBallot", ballot(p.promisedBallot()));
            r.put("leaderHint", p.leaderHint());
        } else if (message instanceof PaxosMessage.Accept p) {
            r.put("sentAtMs", p.sentAtMs());
            Schema entrySchema = schema.getField("entries").schema().getElementType();
            List<GenericRecord> entries = new ArrayList<>(p.entries().size());
            for (SlotValue e : p.entries()) {
                GenericRecord er = new GenericData.Record(entrySchema);
                er.put("slot", e.slot());
                er.put("value", ByteBuffer.wrap(e.value()));
                entries.add(er);
            }
            r.put("entries", entries);
            r.put("chosenUpTo", p.chosenUpTo());
            r.put("archivedSlot", p.archivedSlot());
            r.put("archivedMaxOrigin", ballot(p.archivedMaxOrigin()));
            r.put("archivedConfiguration", configuration(p.archivedConfiguration()));
        } else if (message instanceof PaxosMessage.Accepted p) {
            r.put("acceptSentAtMs", p.acceptSentAtMs());
            Schema rangeSchema = schema.getField("acceptedSlots").schema().getElementType();
            List<GenericRecord> ranges = new ArrayList<>(p.acceptedSlots().size());
            for (SlotRange range : p.acceptedSlots()) {
                GenericRecord rr = new GenericData.Record(rangeSchema);
                rr.put("firstSlot", range.firstSlot());
                rr.put("lastSlot", range.lastSlot());
                ranges.add(rr);
            }
            r.put("acceptedSlots", ranges);
            r.put("contiguousSlot", p.contiguousSlot());
        } else if (message instanceof PaxosMessage.PreVoteReply p) {
            r.put("granted", p.granted());
            r.put("promisedBallot", ballot(p.promisedBallot()));
            r.put("leaderHint", p.leaderHint());
        } else if (message instanceof PaxosMessage.Relinquish p) {
            r.put("successor", p.successor());
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    private static PaxosMessage message(GenericRecord r) {
        Ballot ballot = ballot((GenericRecord) r.get("ballot"));
        return switch (r.getSchema().getName()) {
            case "Prepare" -> new PaxosMessage.Prepare(ballot, (Long) r.get("fromSlot"));
            case "Promise" -> {
                List<AcceptedEntry> accepted = new ArrayList<>();
                for (GenericRecord e : (List<GenericRecord>) r.get("accepted")) {
                    accepted.add(new AcceptedEntry((Long) e.get("slot"), ballot((GenericRecord) e.get("acceptedBallot")),
                            bytes(e.get("value"))));
                }
                yield new PaxosMessage.Promise(ballot, (Long) r.get("archivedSlot"), accepted, (Long) r.get("continueFromSlot"),
                        ballot((GenericRecord) r.get("archivedMaxOrigin")), configuration((GenericRecord) r.get("archivedConfiguration")));
            }
            case "Reject" -> new PaxosMessage.Reject(ballot, ballot((GenericRecord) r.get("promisedBallot")),
                    (Integer) r.get("leaderHint"));
            case "Accept" -> {
                List<SlotValue> entries = new ArrayList<>();
                for (GenericRecord e : (List<GenericRecord>) r.get("entries")) {
                    entries.add(new SlotValue((Long) e.get("slot"), bytes(e.get("value"))));
                }
                yield new PaxosMessage.Accept(ballot, (Long) r.get("sentAtMs"), entries,
                        (Long) r.get("chosenUpTo"), (Long) r.get("archivedSlot"), ballot((GenericRecord) r.get("archivedMaxOrigin")),
                        configuration((GenericRecord) r.get("archivedConfiguration")));
            }
            case "Accepted" -> {
                List<SlotRange> ranges = new ArrayList<>();
                for (GenericRecord e : (List<GenericRecord>) r.get("acceptedSlots")) {
                    ranges.add(new SlotRange((Long) e.get("firstSlot"), (Long) e.get("lastSlot")));
                }
                yield new PaxosMessage.Accepted(ballot, (Long) r.get("acceptSentAtMs"), ranges, (Long) r.get("contiguousSlot"));
            }
            case "PreVote" -> new PaxosMessage.PreVote(ballot);
            case "PreVoteReply" -> new PaxosMessage.PreVoteReply(ballot, (Boolean) r.get("granted"),
                    ballot((GenericRecord) r.get("promisedBallot")), (Integer) r.get("leaderHint"));
            case "Relinquish" -> new PaxosMessage.Relinquish(ballot, (Integer) r.get("successor"));
            default -> throw new IllegalArgumentException("unknown Paxos message " + r.getSchema().getName());
        };
    }

    /** The union branch of each message kind: the schema's order, which never changes. */
    private static int branch(PaxosMessage.Type type) {
        return switch (type) {
            case PREPARE -> 0;
            case PROMISE -> 1;
            case REJECT -> 2;
            case ACCEPT -> 3;
            case ACCEPTED -> 4;
            case PRE_VOTE -> 5;
            case PRE_VOTE_REPLY -> 6;
            case RELINQUISH -> 7;
        };
    }

    private static GenericRecord ballot(Ballot b) {
        GenericRecord r = new GenericData.Record(BALLOT);
        r.put("round", b.round());
        r.put("nodeId", b.nodeId());
        return r;
    }

    private static Ballot ballot(GenericRecord r) {
        return new Ballot((Long) r.get("round"), (Integer) r.get("nodeId"));
    }

    private static GenericRecord configuration(Configuration c) {
        if (c == null) return null;
        GenericRecord r = new GenericData.Record(CONFIGURATION);
        r.put("version", c.version());
        r.put("voters", c.voters());
        r.put("learners", c.learners());
        return r;
    }

    @SuppressWarnings("unchecked")
    private static Configuration configuration(GenericRecord r) {
        if (r == null) return null;
        return new Configuration((Long) r.get("version"), (List<Integer>) r.get("voters"), (List<Integer>) r.get("learners"));
    }

    private static byte[] bytes(Object value) {
        ByteBuffer b = ((ByteBuffer) value).duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static Schema load(String resource) {
        try (InputStream in = PaxosFrameCodec.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is not on the class path");
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
