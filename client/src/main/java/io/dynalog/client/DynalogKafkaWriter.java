package io.dynalog.client;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.request.WriteCommand;
import io.dynalog.topology.request.WriteReply;
import io.dynalog.topology.request.WriteRequest;
import io.dynalog.topology.wire.WireFormatException;
import io.dynalog.topology.wire.WriteReplyCodec;
import io.dynalog.topology.wire.WriteRequestCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to Dynalog through Kafka: produces write commands to the cluster's request topic
 * ({@code <prefix>.requests}) and completes each with the reply a node produces to this writer's
 * reply topic.
 *
 * <pre>{@code
 * try (DynalogKafkaWriter writer = DynalogKafkaWriter.builder()
 *         .bootstrapServers("localhost:9092")
 *         .topicPrefix("dynalog")
 *         .build()) {
 *     writer.put("Music", Map.of("Artist", AttributeValue.s("Nina"), "Song", AttributeValue.s("Sinnerman")));
 *     WriteResult r = writer.update(new WriteCommand.Update("Music", key, "ADD plays :one", null, null,
 *             Map.of(":one", AttributeValue.n("1")), "UPDATED_NEW"));
 *     writer.putAsync("Music", item).thenAccept(result -> ...);   // or asynchronously
 * } catch (DynalogWriteException e) {
 *     e.errorType();   // DynamoDB's error, e.g. "ConditionalCheckFailedException"
 * }
 * }</pre>
 *
 * <p>Every request has a request token (random unless given): a request whose reply does not come
 * within the request timeout is produced again with the same token and correlation id, until the
 * deadline; the node makes a token take effect once within its idempotency window (10 minutes by
 * default), so a resent request never writes twice, and its reply is the first one's.
 *
 * <p>Threading: thread-safe. One thread of its own consumes the reply topic; futures are completed
 * on it, so continuations should not block. Close it to stop the thread and the Kafka clients;
 * requests still waiting fail.
 */
public final class DynalogKafkaWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DynalogKafkaWriter.class);
    private static final Duration REPLY_POLL_TIMEOUT = Duration.ofMillis(100);

    private final String requestTopic;
    private final String replyTopic;
    private final long requestTimeoutMs;
    private final long deadlineMs;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ScheduledExecutorService resender;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Thread replyThread;
    private volatile boolean running = true;

    /** A request waiting for its reply: what to produce again, and until when. */
    private record Pending(String token, ProducerRecord<byte[], byte[]> record, long deadlineAtMs,
                           CompletableFuture<WriteResult> result) {}

    private DynalogKafkaWriter(Builder b) {
        this.requestTopic = b.topicPrefix + ".requests";
        this.replyTopic = b.replyTopic != null ? b.replyTopic : b.topicPrefix + ".replies." + UUID.randomUUID();
        this.requestTimeoutMs = b.requestTimeout.toMillis();
        this.deadlineMs = b.deadline.toMillis();
        ensureReplyTopic(b.bootstrapServers, replyTopic);
        this.producer = new KafkaProducer<>(producerConfig(b.bootstrapServers), new ByteArraySerializer(), new ByteArraySerializer());
        this.consumer = new KafkaConsumer<>(consumerConfig(b.bootstrapServers), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        // Replies to requests sent from now on: start at the end, and fix the position before the
        // first request can be sent (a lazily looked-up end could pass a fast reply).
        TopicPartition tp = new TopicPartition(replyTopic, 0);
        consumer.assign(List.of(tp));
        consumer.seekToEnd(List.of(tp));
        consumer.position(tp, Duration.ofSeconds(30));
        this.resender = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "dynalog-writer-resend"));
        this.replyThread = daemon(this::consumeReplies, "dynalog-writer-replies");
        replyThread.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The topic this writer reads its replies from. */
    public String replyTopic() {
        return replyTopic;
    }

    // ---- asynchronous API ----------------------------------------------------------------

    /** Sends a command with a new random request token. */
    public CompletableFuture<WriteResult> submitAsync(WriteCommand command) {
        return submitAsync(UUID.randomUUID().toString(), command);
    }

    /**
     * Sends a command with the caller's request token: sending it again with the same token (after
     * a crash of the caller, say) takes effect once within the node's idempotency window.
     */
    public CompletableFuture<WriteResult> submitAsync(String requestToken, WriteCommand command) {
        Objects.requireNonNull(requestToken, "requestToken");
        Objects.requireNonNull(command, "command");
        if (!running) return CompletableFuture.failedFuture(new IllegalStateException("the writer is closed"));
        String correlationId = UUID.randomUUID().toString();
        RecordHeaders headers = new RecordHeaders();
        headers.add(WriteRequest.REPLY_TOPIC_HEADER, replyTopic.getBytes(StandardCharsets.UTF_8));
        headers.add(WriteRequest.CORRELATION_ID_HEADER, correlationId.getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(requestTopic, null,
                requestToken.getBytes(StandardCharsets.UTF_8),
                WriteRequestCodec.encode(new WriteRequest(requestToken, replyTopic, command)), headers);
        Pending p = new Pending(requestToken, record, System.currentTimeMillis() + deadlineMs, new CompletableFuture<>());
        pending.put(correlationId, p);
        p.result.whenComplete((r, e) -> pending.remove(correlationId));
        send(correlationId, p);
        return p.result;
    }

    public CompletableFuture<WriteResult> putAsync(String tableName, Map<String, AttributeValue> item) {
        return submitAsync(new WriteCommand.Put(tableName, item, null, null, null, null));
    }

    public CompletableFuture<WriteResult> putAsync(WriteCommand.Put put) {
        return submitAsync(put);
    }

    public CompletableFuture<WriteResult> updateAsync(WriteCommand.Update update) {
        return submitAsync(update);
    }

    public CompletableFuture<WriteResult> deleteAsync(String tableName, Map<String, AttributeValue> key) {
        return submitAsync(new WriteCommand.Delete(tableName, key, null, null, null, null));
    }

    public CompletableFuture<WriteResult> deleteAsync(WriteCommand.Delete delete) {
        return submitAsync(delete);
    }

    public CompletableFuture<WriteResult> batchWriteAsync(List<WriteCommand.BatchEntry> requests) {
        return submitAsync(new WriteCommand.BatchWrite(requests));
    }

    // ---- blocking API --------------------------------------------------------------------

    /** @throws DynalogWriteException with DynamoDB's error type when the write failed or timed out */
    public WriteResult submit(String requestToken, WriteCommand command) {
        return await(submitAsync(requestToken, command));
    }

    public WriteResult put(String tableName, Map<String, AttributeValue> item) {
        return await(putAsync(tableName, item));
    }

    public WriteResult put(WriteCommand.Put put) {
        return await(putAsync(put));
    }

    public WriteResult update(WriteCommand.Update update) {
        return await(updateAsync(update));
    }

    public WriteResult delete(String tableName, Map<String, AttributeValue> key) {
        return await(deleteAsync(tableName, key));
    }

    public WriteResult delete(WriteCommand.Delete delete) {
        return await(deleteAsync(delete));
    }

    public WriteResult batchWrite(List<WriteCommand.BatchEntry> requests) {
        return await(batchWriteAsync(requests));
    }

    private static WriteResult await(CompletableFuture<WriteResult> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DynalogWriteException(null, "Interrupted", "interrupted while waiting for the reply");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DynalogWriteException d) throw d;
            throw new CompletionException(e.getCause());
        }
    }

    // ---- sending and resending -----------------------------------------------------------

    private void send(String correlationId, Pending p) {
        try {
            producer.send(p.record, (metadata, error) -> {
                if (error != null) log.debug("request {} not produced; it is sent again", p.token, error);
            });
        } catch (RuntimeException e) {
            p.result.completeExceptionally(e);
            return;
        }
        long waitMs = Math.min(requestTimeoutMs, Math.max(0, p.deadlineAtMs - System.currentTimeMillis()));
        resender.schedule(() -> resendIfUnanswered(correlationId, p), waitMs, TimeUnit.MILLISECONDS);
    }

    /** No reply within the request timeout: the same request again (same token), or a timeout past the deadline. */
    private void resendIfUnanswered(String correlationId, Pending p) {
        if (p.result.isDone() || !running) return;
        if (System.currentTimeMillis() >= p.deadlineAtMs) {
            p.result.completeExceptionally(new DynalogWriteException(p.token, DynalogWriteException.REQUEST_TIMEOUT,
                    "no reply within " + deadlineMs + " ms; the write may or may not have taken effect"));
            return;
        }
        log.debug("no reply to request {} within {} ms; sending it again", p.token, requestTimeoutMs);
        send(correlationId, p);
    }

    private void consumeReplies() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(REPLY_POLL_TIMEOUT)) complete(record);
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("the reply consumer of {} stopped", replyTopic, e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void complete(ConsumerRecord<byte[], byte[]> record) {
        Header h = record.headers().lastHeader(WriteRequest.CORRELATION_ID_HEADER);
        if (h == null) return;
        Pending p = pending.get(new String(h.value(), StandardCharsets.UTF_8));
        if (p == null) return; // answered already (a resent request's second reply), or not ours
        WriteReply reply;
        try {
            reply = WriteReplyCodec.decode(record.value());
        } catch (WireFormatException e) {
            p.result.completeExceptionally(new DynalogWriteException(p.token, "SerializationException",
                    "the reply could not be read: " + e.getMessage()));
            return;
        }
        if (reply.outcome() instanceof WriteReply.Success s) {
            p.result.complete(new WriteResult(p.token, s.attributes(), s.unprocessed()));
        } else {
            WriteReply.Failure f = (WriteReply.Failure) reply.outcome();
            p.result.completeExceptionally(new DynalogWriteException(p.token, f.errorType(), f.message()));
        }
    }

    @Override
    public void close() {
        if (!running) return;
        running = false;
        consumer.wakeup();
        try {
            replyThread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        resender.shutdownNow();
        producer.close(Duration.ofSeconds(5));
        IllegalStateException closed = new IllegalStateException("the writer was closed before the reply came");
        for (Pending p : pending.values()) p.result.completeExceptionally(closed);
    }

    // ---- setup ---------------------------------------------------------------------------

    private static void ensureReplyTopic(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw new IllegalStateException("cannot create reply topic " + topic, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating reply topic " + topic, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("creating reply topic " + topic + " timed out", e);
        }
    }

    private static Properties producerConfig(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        return p;
    }

    private static Properties consumerConfig(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        return p;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Settings of a {@link DynalogKafkaWriter}; only the bootstrap servers are required. */
    public static final class Builder {
        private String bootstrapServers;
        private String topicPrefix = "dynalog";
        private String replyTopic;
        private Duration requestTimeout = Duration.ofSeconds(5);
        private Duration deadline = Duration.ofSeconds(60);

        private Builder() {}

        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        /** The cluster's topic prefix (default {@code dynalog}): requests go to {@code <prefix>.requests}. */
        public Builder topicPrefix(String prefix) {
            this.topicPrefix = prefix;
            return this;
        }

        /** The topic replies come to (created if absent; default {@code <prefix>.replies.<random>}). */
        public Builder replyTopic(String topic) {
            this.replyTopic = topic;
            return this;
        }

        /** How long to wait for a reply before the request is sent again with its token (default 5 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** How long a request is tried in all before it fails with {@code RequestTimeout} (default 60 s). */
        public Builder deadline(Duration deadline) {
            this.deadline = deadline;
            return this;
        }

        public DynalogKafkaWriter build() {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            if (requestTimeout.isNegative() || requestTimeout.isZero()) throw new IllegalArgumentException("requestTimeout must be positive");
            return new DynalogKafkaWriter(this);
        }
    }
}
