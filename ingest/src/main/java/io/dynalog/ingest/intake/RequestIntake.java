package io.dynalog.ingest.intake;

import io.dynalog.topology.request.WriteReply;
import io.dynalog.topology.wire.WriteReplyCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CommitFailedException;
import io.dynalog.topology.time.Time;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
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
 * the {@link CommandExecutor} as soon as it is read; produce its reply, with the request's
 * correlation id header, to the reply topic the request names; commit offsets as replies settle.
 *
 * <p>Invariants:
 * <ul>
 *   <li>At least once: an offset is committed only once the replies of its record and of every
 *       earlier record of its partition were acknowledged by Kafka (or failed) ({@link SettledOffsets}),
 *       so a crash runs a request again (on another node, maybe) rather than losing it; the request
 *       token makes running it again take effect once. A partition taken away is committed as far
 *       as its requests settle within the settle timeout.</li>
 *   <li>A bad record never stops the intake: it gets an error reply when it names a reply topic,
 *       and is committed like the rest. A reply that cannot be delivered is dropped (the client
 *       resends on its timeout): nothing is retried forever. A Kafka error of the loop is logged
 *       and the loop goes on.</li>
 *   <li>A request is run only while its token is certain to be remembered: one produced longer
 *       ago than {@code maxRequestAgeMs} (shorter than the idempotency window) is refused with an
 *       error reply, since its token may have been forgotten and it may have run before.</li>
 *   <li>Replies may only go to topics of the client's: never to the cluster's own topics (a WAL,
 *       the catalog), except the reply topics under {@code <prefix>.replies.}.</li>
 *   <li>Bounded concurrency: once {@code maxInFlight} requests are running, the partitions are
 *       paused until fewer are (at most one poll's records more are in flight).</li>
 * </ul>
 *
 * <p>Threading: one thread of its own polls, commits and closes the consumer (the rebalance
 * callbacks run on it too); replies are produced on a thread of their own, so that a reply
 * waiting for its topic's metadata holds up neither the loop nor the threads writes complete on.
 */
public final class RequestIntake implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestIntake.class);
    static final Duration POLL_TIMEOUT = Duration.ofMillis(50);
    /** How long a wait for settling requests sleeps between looks, at most. */
    private static final long SETTLE_WAIT_STEP_MS = 10;

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> replies;
    private final String requestTopic;
    private final CommandExecutor executor;
    private final int maxInFlight;
    private final long settleTimeoutMs;
    private final Thread thread;
    private final long maxRequestAgeMs;
    private final String topicPrefix;
    private final ExecutorService replying = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "request-replies");
        t.setDaemon(true);
        return t;
    });
    /** Loop only: a commit is on its way (its callback clears this). */
    private boolean commitInFlight;
    /** Loop only. */
    private final SettledOffsets offsets = new SettledOffsets();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Notified whenever a request settles, for the waits of a revocation and of close. */
    private final Object settledSignal = new Object();
    /** Loop only: the partitions are paused because {@link #maxInFlight} requests run. */
    private boolean paused;
    private volatile boolean running = true;

    private final Time time;

    /**
     * @param consumer a consumer of the intake's group, auto commit off; closed by this intake
     * @param replies the producer of replies; the caller owns it
     * @param maxInFlight requests running at once before the intake stops reading more
     * @param settleTimeoutMs the longest a revocation or close waits for the requests in hand to
     *     settle before it commits what did (longer than a write's own deadline)
     * @param maxRequestAgeMs how long after it was produced a request is still run (shorter than
     *     the idempotency window, by more than clocks may differ)
     * @param time the wall clock (a request's age) and the monotonic one (how long to wait)
     */
    public RequestIntake(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> replies, String topicPrefix,
                         CommandExecutor executor, int maxInFlight, long settleTimeoutMs, long maxRequestAgeMs, Time time) {
        this.time = time;
        this.topicPrefix = topicPrefix;
        this.maxRequestAgeMs = maxRequestAgeMs;
        String requestTopic = requestTopic(topicPrefix);
        this.consumer = consumer;
        this.replies = replies;
        this.requestTopic = requestTopic;
        this.executor = executor;
        this.maxInFlight = maxInFlight;
        this.settleTimeoutMs = settleTimeoutMs;
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
            consumer.subscribe(List.of(requestTopic), new Rebalance());
            while (running) {
                try {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) start(record);
                    bound();
                    commitAsync();
                } catch (WakeupException e) {
                    throw e;
                } catch (KafkaException e) {
                    // A broker or coordinator failure (during a rebalance, say): the next poll retries.
                    log.warn("request intake: {}; going on", e.toString());
                }
            }
        } catch (WakeupException e) {
            if (running) log.error("request intake woken up while running", e);
        } catch (RuntimeException e) {
            log.error("request intake stopped", e);
        } finally {
            try {
                awaitSettled(consumer.assignment());
                commitSync();
            } catch (RuntimeException e) {
                log.info("request intake closed without committing its last offsets; the group runs those requests again", e);
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void start(ConsumerRecord<byte[], byte[]> record) {
        SettledOffsets.Ticket ticket = offsets.started(new TopicPartition(record.topic(), record.partition()), record.offset());
        inFlight.incrementAndGet();
        CompletableFuture<Void> settled;
        try {
            settled = handle(record);
        } catch (RuntimeException e) {
            log.error("request {}-{}@{} could not be handled; it is skipped", record.topic(), record.partition(), record.offset(), e);
            settled = CompletableFuture.completedFuture(null);
        }
        settled.whenComplete((v, e) -> {
            ticket.settle();
            inFlight.decrementAndGet();
            synchronized (settledSignal) {
                settledSignal.notifyAll();
            }
        });
    }

    /** Pauses reading while {@link #maxInFlight} requests run; resumes once fewer do. */
    private void bound() {
        if (inFlight.get() >= maxInFlight) {
            consumer.pause(consumer.assignment()); // again each time: a rebalance may have assigned more
            paused = true;
        } else if (paused) {
            consumer.resume(consumer.paused());
            paused = false;
        }
    }

    private void commitAsync() {
        if (commitInFlight) return;
        Map<TopicPartition, OffsetAndMetadata> settled = offsets.committable();
        if (settled.isEmpty()) return;
        commitInFlight = true;
        consumer.commitAsync(settled, (committed, error) -> {
            commitInFlight = false;
            if (error != null) {
                log.debug("committing request offsets failed; they are committed again", error);
            } else {
                offsets.committed(committed);
            }
        });
    }

    private void commitSync() {
        Map<TopicPartition, OffsetAndMetadata> settled = offsets.committable();
        if (settled.isEmpty()) return;
        try {
            consumer.commitSync(settled);
            offsets.committed(settled);
        } catch (CommitFailedException e) {
            // The partitions moved to another member, which runs these requests again: the tokens
            // make that take effect once.
            log.info("request intake lost its partitions before committing; their new owner runs the requests again");
        }
    }

    /** Waits, up to the settle timeout, until every request of {@code partitions} started so far has settled. */
    private void awaitSettled(Collection<TopicPartition> partitions) {
        long deadlineNs = time.monotonicNs() + TimeUnit.MILLISECONDS.toNanos(settleTimeoutMs);
        synchronized (settledSignal) {
            while (!offsets.allSettled(partitions)) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - time.monotonicNs());
                if (leftMs <= 0) {
                    log.warn("requests of {} did not settle within {} ms; committing what did", partitions, settleTimeoutMs);
                    return;
                }
                try {
                    settledSignal.wait(Math.min(leftMs, SETTLE_WAIT_STEP_MS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Partitions leave this member only with their settled requests committed (on the loop, inside poll). */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            awaitSettled(partitions);
            commitSync();
            offsets.forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            offsets.forget(partitions);
        }
    }

    /** Runs one record's request (or rejects it) and produces the reply; completes when that settled. */
    private CompletableFuture<Void> handle(ConsumerRecord<byte[], byte[]> record) {
        IntakeDecoder.Decoded decoded = IntakeDecoder.decode(record, topicPrefix);
        long ageMs = time.wallClockMs() - record.timestamp();
        if (decoded.rejection() == null && ageMs > maxRequestAgeMs) {
            decoded = IntakeDecoder.expired(decoded, ageMs, maxRequestAgeMs);
        }
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
        IntakeDecoder.Decoded answered = decoded;
        return reply.thenComposeAsync(r -> send(answered, r), replying);
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

    /**
     * Stops polling, waits (up to the settle timeout) for the requests in hand to settle and
     * commits them; what stays uncommitted the group runs again, to the same effect. Idempotent.
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
            thread.join(settleTimeoutMs + 10_000);
            replying.shutdown();
            replying.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
