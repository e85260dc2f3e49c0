package io.dynalog.topology.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.request.WriteCommand;
import io.dynalog.topology.request.WriteCommand.BatchEntry;
import io.dynalog.topology.request.WriteReply;
import io.dynalog.topology.request.WriteRequest;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class WriteRequestCodecTest {
    private static final Map<String, AttributeValue> KEY = Map.of("pk", AttributeValue.s("a"));

    static List<WriteRequest> requests() {
        return List.of(
                new WriteRequest("t-put", "replies", new WriteCommand.Put("T", ItemCodecTest.everyType(),
                        "attribute_not_exists(#p)", Map.of("#p", "pk"), null, "ALL_OLD")),
                new WriteRequest("t-put-bare", "replies", new WriteCommand.Put("T", KEY, null, null, null, null)),
                new WriteRequest("t-update", "r2", new WriteCommand.Update("T", KEY, "ADD n :one", "n < :max", null,
                        Map.of(":one", AttributeValue.n("1"), ":max", AttributeValue.n("10")), "UPDATED_NEW")),
                new WriteRequest("t-delete", "r3", new WriteCommand.Delete("T", KEY, null, null, null, "ALL_OLD")),
                new WriteRequest("t-batch", "r4", new WriteCommand.BatchWrite(List.of(
                        BatchEntry.put("T", KEY), BatchEntry.delete("U", Map.of("id", AttributeValue.n("7")))))));
    }

    @Test
    void roundTripsEveryCommand() {
        for (WriteRequest r : requests()) {
            assertThat(WriteRequestCodec.decode(WriteRequestCodec.encode(r))).isEqualTo(r);
        }
    }

    @Test
    void plainAvroDecodesEveryCommand() {
        for (WriteRequest r : requests()) {
            GenericRecord g = AvroReference.decode(AvroReference.WRITE_REQUEST, WriteRequestCodec.encode(r));
            assertThat(g.get("requestToken").toString()).isEqualTo(r.requestToken());
            assertThat(g.get("replyTopic").toString()).isEqualTo(r.replyTopic());
            GenericRecord command = (GenericRecord) g.get("command");
            String expected = switch (r.requestToken()) {
                case "t-put", "t-put-bare" -> "PutCommand";
                case "t-update" -> "UpdateCommand";
                case "t-delete" -> "DeleteCommand";
                default -> "BatchWriteCommand";
            };
            assertThat(command.getSchema().getName()).isEqualTo(expected);
            if (r.command() instanceof WriteCommand.Update u) {
                assertThat(command.get("updateExpression").toString()).isEqualTo(u.updateExpression());
                assertThat(AvroReference.modelItem(command.get("expressionAttributeValues"))).isEqualTo(u.values());
            }
            if (r.command() instanceof WriteCommand.BatchWrite b) {
                List<?> entries = (List<?>) command.get("requests");
                assertThat(entries).hasSize(b.requests().size());
                assertThat(((GenericRecord) ((GenericRecord) entries.get(1)).get("request")).getSchema().getName()).isEqualTo("BatchDelete");
            }
        }
    }

    @Test
    void repliesRoundTripAndPlainAvroReadsAndWritesThem() {
        List<WriteReply> replies = List.of(
                WriteReply.success("a", null),
                WriteReply.success("b", ItemCodecTest.everyType()),
                new WriteReply("c", new WriteReply.Success(null, List.of(BatchEntry.put("T", KEY)))),
                WriteReply.failure("d", "ConditionalCheckFailedException", "The conditional request failed"));
        for (WriteReply reply : replies) {
            byte[] bytes = WriteReplyCodec.encode(reply);
            assertThat(WriteReplyCodec.decode(bytes)).isEqualTo(reply);
            GenericRecord g = AvroReference.decode(AvroReference.WRITE_REPLY, bytes);
            assertThat(g.get("requestToken").toString()).isEqualTo(reply.requestToken());
            // Avro's generic maps do not keep the entry order: compare what the bytes mean.
            assertThat(WriteReplyCodec.decode(AvroReference.encode(AvroReference.WRITE_REPLY, g))).isEqualTo(reply);
        }
        GenericRecord failure = (GenericRecord) AvroReference.decode(AvroReference.WRITE_REPLY,
                WriteReplyCodec.encode(replies.get(3))).get("outcome");
        assertThat(failure.get("errorType").toString()).isEqualTo("ConditionalCheckFailedException");
    }

    @Test
    void theCodecReadsWhatPlainAvroWrites() {
        for (WriteRequest r : requests()) {
            byte[] ours = WriteRequestCodec.encode(r);
            byte[] avros = AvroReference.encode(AvroReference.WRITE_REQUEST, AvroReference.decode(AvroReference.WRITE_REQUEST, ours));
            assertThat(WriteRequestCodec.decode(avros)).isEqualTo(r);
        }
    }

    @Test
    void rejectsGarbageAndOtherMessages() {
        assertThatThrownBy(() -> WriteRequestCodec.decode(new byte[] {1, 2, 3})).isInstanceOf(WireFormatException.class);
        assertThatThrownBy(() -> WriteRequestCodec.decode(WriteReplyCodec.encode(WriteReply.success("a", null))))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("WriteRequest");
        byte[] truncated = java.util.Arrays.copyOf(WriteRequestCodec.encode(requests().get(0)), 20);
        assertThatThrownBy(() -> WriteRequestCodec.decode(truncated)).isInstanceOf(WireFormatException.class);
    }
}
