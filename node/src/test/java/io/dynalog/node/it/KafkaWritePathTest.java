package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.client.DynalogKafkaWriter;
import io.dynalog.client.DynalogWriteException;
import io.dynalog.client.WriteResult;
import io.dynalog.node.kafka.SharedTestKafka;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.request.WriteCommand;
import io.dynalog.topology.request.WriteCommand.BatchEntry;
import io.dynalog.topology.request.WriteReply;
import io.dynalog.topology.request.WriteRequest;
import io.dynalog.topology.wire.WriteReplyCodec;
import io.dynalog.topology.wire.WriteRequestCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The Kafka write path end to end: a real node on the shared broker, the client library producing
 * to the request topic, results checked through the AWS SDK; retried request tokens (through the
 * client, as raw duplicate records, and across a restart of the node) take effect once; bad
 * records on the topic get error replies and the intake goes on.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaWritePathTest {
    static final String TABLE = "Counters";
    TestNode node;
    DynalogKafkaWriter writer;

    @BeforeEach
    void start() {
        node = TestNode.start(2);
        node.createTable(TABLE, "pk", ScalarAttributeType.S, null, null);
        writer = DynalogKafkaWriter.builder().bootstrapServers(SharedTestKafka.bootstrapServers())
                .topicPrefix(node.topicPrefix).requestTimeout(Duration.ofSeconds(3)).deadline(Duration.ofSeconds(40)).build();
    }

    @AfterEach
    void stop() {
        if (writer != null) writer.close();
        node.close();
    }

    static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", AttributeValue.s(pk));
    }

    static WriteCommand.Update addOne(String pk, String returnValues) {
        return new WriteCommand.Update(TABLE, key(pk), "ADD n :one", null, null, Map.of(":one", AttributeValue.n("1")), returnValues);
    }

    Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> sdkGet(String pk) {
        return node.client.getItem(r -> r.tableName(TABLE).consistentRead(true)
                .key(Map.of("pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(pk)))).item();
    }

    @Test
    void putUpdateDeleteAndBatchTakeEffectAndReturnWhatReturnValuesAskFor() {
        Map<String, AttributeValue> item = Map.of("pk", AttributeValue.s("a"), "n", AttributeValue.n("5"), "s", AttributeValue.s("x"));
        assertThat(writer.put(TABLE, item).attributes()).isNull();
        assertThat(sdkGet("a")).containsEntry("s", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("x"));

        WriteResult replaced = writer.put(new WriteCommand.Put(TABLE, Map.of("pk", AttributeValue.s("a"), "n", AttributeValue.n("7")),
                null, null, null, "ALL_OLD"));
        assertThat(replaced.attributes()).isEqualTo(item);

        WriteResult updated = writer.update(addOne("a", "UPDATED_NEW"));
        assertThat(updated.attributes()).isEqualTo(Map.of("n", AttributeValue.n("8")));
        assertThat(sdkGet("a").get("n").n()).isEqualTo("8");

        WriteResult deleted = writer.delete(new WriteCommand.Delete(TABLE, key("a"), "n = :eight", null,
                Map.of(":eight", AttributeValue.n("8")), "ALL_OLD"));
        assertThat(deleted.attributes()).containsEntry("n", AttributeValue.n("8"));
        assertThat(sdkGet("a")).isEmpty();

        writer.put(TABLE, Map.of("pk", AttributeValue.s("gone")));
        WriteResult batch = writer.batchWrite(List.of(BatchEntry.put(TABLE, Map.of("pk", AttributeValue.s("b1"))),
                BatchEntry.put(TABLE, Map.of("pk", AttributeValue.s("b2"), "v", AttributeValue.Bool.TRUE)),
                BatchEntry.delete(TABLE, key("gone"))));
        assertThat(batch.unprocessed()).isEmpty();
        assertThat(sdkGet("b1")).isNotEmpty();
        assertThat(sdkGet("b2")).containsKey("v");
        assertThat(sdkGet("gone")).isEmpty();
    }

    @Test
    void aFailedConditionComesBackAsConditionalCheckFailedException() {
        writer.put(TABLE, Map.of("pk", AttributeValue.s("c")));
        assertThatThrownBy(() -> writer.put(new WriteCommand.Put(TABLE, Map.of("pk", AttributeValue.s("c"), "n", AttributeValue.n("1")),
                "attribute_not_exists(pk)", null, null, null)))
                .isInstanceOfSatisfying(DynalogWriteException.class,
                        e -> assertThat(e.errorType()).isEqualTo("ConditionalCheckFailedException"));
        assertThat(sdkGet("c")).doesNotContainKey("n");
    }

    @Test
    void anUpdateRetriedWithItsTokenTakesEffectOnceAndRepliesAsTheFirstTime() {
        String token = "retry-" + UUID.randomUUID();
        WriteResult first = writer.submit(token, addOne("r", "ALL_NEW"));
        WriteResult second = writer.submit(token, addOne("r", "ALL_NEW"));
        assertThat(first.attributes()).isEqualTo(Map.of("pk", AttributeValue.s("r"), "n", AttributeValue.n("1")));
        assertThat(second.attributes()).isEqualTo(first.attributes());
        assertThat(sdkGet("r").get("n").n()).isEqualTo("1");
        // Another token is another request.
        writer.update(addOne("r", "NONE"));
        assertThat(sdkGet("r").get("n").n()).isEqualTo("2");
    }

    @Test
    void aRawDuplicateRecordTakesEffectOnce() throws Exception {
        try (RawClient raw = new RawClient(node.topicPrefix)) {
            byte[] body = WriteRequestCodec.encode(new WriteRequest("dup-1", raw.replyTopic, addOne("d", "UPDATED_NEW")));
            raw.send("dup-1".getBytes(StandardCharsets.UTF_8), body, "c1", true);
            raw.send("dup-1".getBytes(StandardCharsets.UTF_8), body, "c2", true);
            Map<String, WriteReply> replies = raw.replies(2);
            assertThat(replies.get("c1").outcome()).isEqualTo(new WriteReply.Success(Map.of("n", AttributeValue.n("1")), List.of()));
            assertThat(replies.get("c2")).isEqualTo(replies.get("c1"));
        }
        assertThat(sdkGet("d").get("n").n()).isEqualTo("1");
    }

    @Test
    void aDeleteOfAnAbsentItemRetriedAfterTheItemWasCreatedDeletesNothing() {
        String token = "delete-" + UUID.randomUUID();
        WriteCommand.Delete delete = new WriteCommand.Delete(TABLE, key("late"), null, null, null, "ALL_OLD");
        assertThat(writer.submit(token, delete).attributes()).isNull();
        writer.put(TABLE, Map.of("pk", AttributeValue.s("late"), "v", AttributeValue.n("1")));
        assertThat(writer.submit(token, delete).attributes()).isNull();
        assertThat(sdkGet("late")).containsKey("v");
    }

    @Test
    void aTokenSurvivesARestartOfTheNode() {
        String token = "restart-" + UUID.randomUUID();
        WriteResult first = writer.submit(token, addOne("s", "ALL_NEW"));
        node.restart();
        WriteResult again = writer.submit(token, addOne("s", "ALL_NEW"));
        assertThat(again.attributes()).isEqualTo(first.attributes());
        assertThat(sdkGet("s").get("n").n()).isEqualTo("1");
    }

    @Test
    void aRequestWithoutAReplyIsResentWithItsTokenAndTakesEffectOnce() throws Exception {
        String token = "resent-" + UUID.randomUUID();
        try (DynalogKafkaWriter impatient = DynalogKafkaWriter.builder().bootstrapServers(SharedTestKafka.bootstrapServers())
                .topicPrefix(node.topicPrefix).requestTimeout(Duration.ofMillis(200)).deadline(Duration.ofSeconds(60)).build();
             KafkaConsumer<byte[], byte[]> requests = requestReader(node.topicPrefix)) {
            java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<WriteResult>> pending =
                    new java.util.concurrent.atomic.AtomicReference<>();
            // No node runs while the request waits: the writer sends it again, with the same token.
            node.restart(() -> {
                pending.set(impatient.submitAsync(token, addOne("resent", "ALL_NEW")));
                int copies = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (copies < 3 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : requests.poll(Duration.ofMillis(100))) {
                        if (token.equals(new String(r.key(), StandardCharsets.UTF_8))) copies++;
                    }
                }
                assertThat(copies).as("copies of the request on the topic").isGreaterThanOrEqualTo(3);
            });
            WriteResult result = pending.get().get(60, TimeUnit.SECONDS);
            assertThat(result.attributes()).containsEntry("n", AttributeValue.n("1"));
        }
        assertThat(sdkGet("resent").get("n").n()).isEqualTo("1");
    }

    /** A consumer of every partition of the request topic, from the start. */
    private static KafkaConsumer<byte[], byte[]> requestReader(String topicPrefix) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedTestKafka.bootstrapServers());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        String topic = topicPrefix + ".requests";
        consumer.assign(consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList());
        return consumer;
    }

    @Test
    void badRecordsGetErrorRepliesAndTheIntakeGoesOn() throws Exception {
        try (RawClient raw = new RawClient(node.topicPrefix)) {
            raw.send("g".getBytes(StandardCharsets.UTF_8), "not avro at all".getBytes(StandardCharsets.UTF_8), "garbage", true);
            raw.send("t1".getBytes(StandardCharsets.UTF_8), WriteRequestCodec.encode(new WriteRequest("t1", raw.replyTopic,
                    new WriteCommand.Put("NoSuchTable", key("x"), null, null, null, null))), "unknown-table", false);
            raw.send("t2".getBytes(StandardCharsets.UTF_8), WriteRequestCodec.encode(new WriteRequest("t2", raw.replyTopic,
                    new WriteCommand.Update(TABLE, key("x"), "SET = oops", null, null, null, null))), "bad-expression", false);
            raw.send(null, WriteRequestCodec.encode(new WriteRequest("", raw.replyTopic,
                    new WriteCommand.Put(TABLE, key("x"), null, null, null, null))), "no-token", false);
            // Replies never go to the cluster's own topics (here its membership topic): refused, answered on the header's topic.
            raw.send("t4".getBytes(StandardCharsets.UTF_8), WriteRequestCodec.encode(new WriteRequest("t4", node.topicPrefix + ".nodes",
                    new WriteCommand.Put(TABLE, key("internal"), null, null, null, null))), "internal-reply-topic", true);
            raw.send("t#5".getBytes(StandardCharsets.UTF_8), WriteRequestCodec.encode(new WriteRequest("t#5", raw.replyTopic,
                    new WriteCommand.Put(TABLE, key("hash"), null, null, null, null))), "batch-separator", false);
            // Produced longer ago than the idempotency window allows: its token may be forgotten, so it is not run.
            raw.send("t6".getBytes(StandardCharsets.UTF_8), WriteRequestCodec.encode(new WriteRequest("t6", raw.replyTopic,
                    new WriteCommand.Put(TABLE, key("stale"), null, null, null, null))), "stale", false,
                    System.currentTimeMillis() - Duration.ofMinutes(20).toMillis());
            raw.send("t3".getBytes(StandardCharsets.UTF_8), WriteRequestCodec.encode(new WriteRequest("t3", raw.replyTopic,
                    new WriteCommand.Put(TABLE, key("ok"), null, null, null, null))), "valid", false);
            Map<String, WriteReply> replies = raw.replies(8);
            assertThat(errorType(replies.get("garbage"))).isEqualTo("SerializationException");
            assertThat(errorType(replies.get("unknown-table"))).isEqualTo("ResourceNotFoundException");
            assertThat(errorType(replies.get("bad-expression"))).isEqualTo("ValidationException");
            assertThat(errorType(replies.get("no-token"))).isEqualTo("ValidationException");
            assertThat(errorType(replies.get("internal-reply-topic"))).isEqualTo("ValidationException");
            assertThat(errorType(replies.get("batch-separator"))).isEqualTo("ValidationException");
            assertThat(errorType(replies.get("stale"))).isEqualTo("ValidationException");
            assertThat(((WriteReply.Failure) replies.get("stale").outcome()).message()).contains("it was not run");
            assertThat(replies.get("valid").outcome()).isInstanceOf(WriteReply.Success.class);
        }
        assertThat(sdkGet("ok")).isNotEmpty();
        for (String refused : List.of("x", "internal", "hash", "stale")) assertThat(sdkGet(refused)).as(refused).isEmpty();
        // The client library goes on working too.
        writer.put(TABLE, key("after"));
        assertThat(sdkGet("after")).isNotEmpty();
    }

    private static String errorType(WriteReply reply) {
        assertThat(reply.outcome()).isInstanceOf(WriteReply.Failure.class);
        return ((WriteReply.Failure) reply.outcome()).errorType();
    }

    /** A plain Kafka producer of request records and a consumer of a reply topic of its own. */
    static final class RawClient implements AutoCloseable {
        final String requestTopic;
        final String replyTopic = "it-raw-replies-" + UUID.randomUUID();
        final KafkaProducer<byte[], byte[]> producer;
        final KafkaConsumer<byte[], byte[]> consumer;

        RawClient(String topicPrefix) throws Exception {
            this.requestTopic = topicPrefix + ".requests";
            Properties a = new Properties();
            a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedTestKafka.bootstrapServers());
            try (Admin admin = Admin.create(a)) {
                admin.createTopics(List.of(new NewTopic(replyTopic, Optional.of(1), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
            }
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedTestKafka.bootstrapServers());
            producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedTestKafka.bootstrapServers());
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer.assign(List.of(new TopicPartition(replyTopic, 0)));
        }

        /** Produces one request record; {@code headerOnly}: the reply topic is also named by the header. */
        void send(byte[] key, byte[] value, String correlationId, boolean replyTopicHeader) throws Exception {
            send(key, value, correlationId, replyTopicHeader, System.currentTimeMillis());
        }

        /** As {@link #send(byte[], byte[], String, boolean)}, produced with the given timestamp. */
        void send(byte[] key, byte[] value, String correlationId, boolean replyTopicHeader, long timestampMs) throws Exception {
            RecordHeaders headers = new RecordHeaders();
            headers.add(WriteRequest.CORRELATION_ID_HEADER, correlationId.getBytes(StandardCharsets.UTF_8));
            if (replyTopicHeader) headers.add(WriteRequest.REPLY_TOPIC_HEADER, replyTopic.getBytes(StandardCharsets.UTF_8));
            producer.send(new ProducerRecord<>(requestTopic, null, timestampMs, key, value, headers)).get(10, TimeUnit.SECONDS);
        }

        /** The first {@code count} replies, by correlation id. */
        Map<String, WriteReply> replies(int count) {
            Map<String, WriteReply> replies = new HashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (replies.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Header h = r.headers().lastHeader(WriteRequest.CORRELATION_ID_HEADER);
                    replies.put(new String(h.value(), StandardCharsets.UTF_8), WriteReplyCodec.decode(r.value()));
                }
            }
            assertThat(replies).hasSize(count);
            return replies;
        }

        @Override
        public void close() {
            producer.close();
            consumer.close();
        }
    }
}
