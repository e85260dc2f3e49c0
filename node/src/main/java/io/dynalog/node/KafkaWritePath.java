package io.dynalog.node;

import io.dynalog.ingest.WalTopics;
import io.dynalog.ingest.intake.CommandExecutor;
import io.dynalog.ingest.intake.RequestIntake;
import io.dynalog.replica.ReplicaStore;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part of the Kafka write path: it creates the request topic
 * ({@code <prefix>.requests}) if absent, runs this node's member of the intake group, and drops
 * the request tokens the local replica recorded once they are older than the idempotency window.
 * Started once the API serves; closed before anything it uses (first).
 */
final class KafkaWritePath implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaWritePath.class);
    /** The longest a revocation or close waits for the requests in hand (longer than a write's own deadline). */
    static final long INTAKE_SETTLE_TIMEOUT_MS = 30_000;
    /** Requests one node's intake runs at once. */
    static final int INTAKE_MAX_IN_FLIGHT = 512;
    /** The most often expired tokens are looked for. */
    static final long MAX_SWEEP_INTERVAL_MS = 60_000;

    private final RequestIntake intake;
    private final KafkaProducer<byte[], byte[]> replies;
    private final ScheduledExecutorService sweeper;

    private KafkaWritePath(RequestIntake intake, KafkaProducer<byte[], byte[]> replies, ScheduledExecutorService sweeper) {
        this.intake = intake;
        this.replies = replies;
        this.sweeper = sweeper;
    }

    static KafkaWritePath start(NodeConfig config, WalTopics topics, CommandExecutor commands, ReplicaStore store,
                                LongSupplier clockMs) {
        String topic = RequestIntake.requestTopic(config.topicPrefix());
        topics.ensureRequestTopic(topic, config.requestPartitions());
        KafkaProducer<byte[], byte[]> replies = KafkaClients.replyProducer(config);
        RequestIntake intake = new RequestIntake(KafkaClients.intakeConsumer(config, RequestIntake.groupId(config.topicPrefix())),
                replies, config.topicPrefix(), commands, INTAKE_MAX_IN_FLIGHT, INTAKE_SETTLE_TIMEOUT_MS,
                maxRequestAgeMs(config.idempotencyWindowMs()), io.dynalog.topology.time.Time.SYSTEM);
        ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "request-token-sweep");
            t.setDaemon(true);
            return t;
        });
        long windowMs = config.idempotencyWindowMs();
        long intervalMs = Math.max(1, Math.min(MAX_SWEEP_INTERVAL_MS, windowMs / 4));
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                int dropped = store.dropRequestTokensBefore(clockMs.getAsLong() - windowMs);
                if (dropped > 0) log.debug("dropped {} request tokens older than {} ms", dropped, windowMs);
            } catch (RuntimeException e) {
                log.warn("dropping expired request tokens failed; trying again in {} ms", intervalMs, e);
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        intake.start();
        log.info("Kafka write path: intake of {} started (idempotency window {} ms)", topic, windowMs);
        return new KafkaWritePath(intake, replies, sweeper);
    }

    /**
     * How long after it was produced a request is still run: the idempotency window, less a margin
     * for the time it takes to run and for clocks that differ (a quarter of the window, at most a minute).
     */
    static long maxRequestAgeMs(long idempotencyWindowMs) {
        return idempotencyWindowMs - Math.min(60_000, idempotencyWindowMs / 4);
    }

    @Override
    public void close() throws InterruptedException {
        intake.close();
        sweeper.shutdownNow();
        sweeper.awaitTermination(5, TimeUnit.SECONDS);
        replies.close(Duration.ofSeconds(5));
    }
}
