package io.dynalog.ingest.intake;

import io.dynalog.topology.request.WriteReply;
import io.dynalog.topology.wire.WriteReplyCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request topic's intake on this node: one member of the consumer group
 * {@code <prefix>.request-intake}, which every node runs, so the topic's partitions are spread over
 * the cluster and move to the survivors when a node goes.
 *
 * <p>Responsibilities: read the records of the partitions assigned here; run each request through
 * the {@link CommandExecutor}; produce its reply, with the request's correlation id header, to the
 * reply topic the request names; commit the offsets of a poll's records once all their replies
 * were acknowledged by Kafka (or failed).
 *
 * <p>Invariants:
 * <ul>
 *   <li>At least once: an offset is committed only after its record's reply was sent and settled,
 *       so a crash runs a request again (on another node, maybe) rather than losing it; the
 *       request token makes running it again take effect once.</li>
 *   <li>A bad record never stops the intake: it gets an error reply when it names a reply topic,
 *       and its offset is committed with the rest. A reply that cannot be delivered is dropped
 *       (the client resends on its timeout): nothing is retried forever.</li>
 *   <li>Bounded concurrency: the requests of one poll (at most {@code max.poll.records}) run at
 *       once; the next poll waits for them.</li>
 * </ul>
 *
 * <p>Threading: one thread of its own polls, commits and closes the consumer; replies are produced
 * from whichever thread completes a request (the producer is thread-safe).
 */
public final class RequestIntake implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestIntake.class);
    static final Duration POLL_TIMEOUT = Duration.ofMillis(200);

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> replies;
    private final String requestTopic;
    private final CommandExecutor executor;
    private final long batchTimeoutMs;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param consumer a consumer of the intake's group, auto commit off; closed by this intake
     * @param replies the producer of replies; the caller owns it
     * @param batchTimeoutMs the longest a poll's requests and replies are waited for before their
     *     offsets are committed anyway (longer than a write's own deadline)
     */
    public RequestIntake(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> replies, String requestTopic,
                         CommandExecutor executor, long batchTimeoutMs) {
        this.consumer = consumer;
        this.replies = replies;
        this.requestTopic = requestTopic;
        this.executor = executor;
        this.batchTimeoutMs = batchTimeoutMs;
        this.thread = new Thread(this::run, "request-intake");
        this.thread.setDaemon(true);
    }

    /** The request topic of a cluster. */
    public static String requestTopic(String topicPrefix) {
        return topicPrefix + ".requests";
    }

    /** The consumer group every node's intake joins. */
    public static String groupId(String topicPrefix) {
        return topicPrefix + ".request-intake";
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(requestTopic));
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
                if (records.isEmpty()) continue;
                List<CompletableFuture<Void>> settled = new ArrayList<>(records.count());
                for (ConsumerRecord<byte[], byte[]> record : records) settled.add(handle(record));
                awaitSettled(settled);
                commit(records);
            }
        } catch (WakeupException e) {
            if (running) log.error("request intake woken up while running", e);
        } catch (RuntimeException e) {
            log.error("request intake stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Runs one record's request (or rejects it) and produces the reply; completes when that settled. */
    private CompletableFuture<Void> handle(ConsumerRecord<byte[], byte[]> record) {
        IntakeDecoder.Decoded decoded = IntakeDecoder.decode(record);
        CompletableFuture<WriteReply> reply;
        if (decoded.rejection() != null) {
            log.debug("request {}-{}@{} rejected: {}", record.topic(), record.partition(), record.offset(), decoded.rejection());
            reply = CompletableFuture.completedFuture(decoded.rejection());
        } else {
            reply = run(decoded);
        }
        if (decoded.replyTopic() == null) {
            log.warn("request {}-{}@{} names no reply topic; it is not answered", record.topic(), record.partition(), record.offset());
            return reply.thenApply(r -> null);
        }
        return reply.thenCompose(r -> send(decoded, r));
    }

    private CompletableFuture<WriteReply> run(IntakeDecoder.Decoded decoded) {
        try {
            return executor.execute(decoded.request()).exceptionally(e -> internalError(decoded, e));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(internalError(decoded, e));
        }
    }

    private static WriteReply internalError(IntakeDecoder.Decoded decoded, Throwable e) {
        log.warn("request {} failed inside the node", decoded.request().requestToken(), e);
        return WriteReply.failure(decoded.request().requestToken(), "InternalServerError", "Internal server error");
    }

    private CompletableFuture<Void> send(IntakeDecoder.Decoded decoded, WriteReply reply) {
        RecordHeaders headers = new RecordHeaders();
        if (decoded.correlationId() != null) {
            headers.add(io.dynalog.topology.request.WriteRequest.CORRELATION_ID_HEADER, decoded.correlationId());
        }
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(decoded.replyTopic(), null,
                reply.requestToken().getBytes(StandardCharsets.UTF_8), WriteReplyCodec.encode(reply), headers);
        CompletableFuture<Void> acked = new CompletableFuture<>();
        try {
            replies.send(out, (metadata, error) -> {
                if (error != null) log.warn("the reply to request {} could not be produced to {}", reply.requestToken(), decoded.replyTopic(), error);
                acked.complete(null);
            });
        } catch (RuntimeException e) {
            log.warn("the reply to request {} could not be produced to {}", reply.requestToken(), decoded.replyTopic(), e);
            acked.complete(null);
        }
        return acked;
    }

    private void awaitSettled(List<CompletableFuture<Void>> settled) {
        try {
            CompletableFuture.allOf(settled.toArray(CompletableFuture[]::new)).get(batchTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("requests of one poll did not settle within {} ms; committing their offsets anyway", batchTimeoutMs);
        } catch (ExecutionException e) {
            log.warn("a request failed unexpectedly", e); // handle() never fails; kept for safety
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    private void commit(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        try {
            consumer.commitSync(offsets);
        } catch (CommitFailedException e) {
            // The partitions moved to another member, which runs these requests again: the tokens
            // make that take effect once.
            log.info("request intake lost its partitions before committing; their new owner runs the requests again");
        }
    }

    /**
     * Stops polling and waits for the requests in hand to settle (their offsets may stay
     * uncommitted: the group runs them again, to the same effect). Idempotent.
     */
    @Override
    public void close() {
        running = false;
        if (!thread.isAlive() && thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ZERO);
            return;
        }
        consumer.wakeup();
        try {
            thread.join(batchTimeoutMs + 10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
