package io.dynalog.node.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Writes at a fixed rate (open loop: a slow write does not delay the next), for a warm-up and then
 * a measured interval, noting when each write was acknowledged, so that a reader can measure how
 * long after its acknowledgement each write became visible somewhere else.
 */
final class FixedRateWrites {
    private static final int WRITER_THREADS = 8;

    /** When each write (by sequence number) was acknowledged, in {@link System#nanoTime()}; taken by the reader. */
    final Map<Long, Long> ackedAtNs = new ConcurrentHashMap<>();
    /** Writes acknowledged so far, and those acknowledged inside the measured interval; writes that failed. */
    final AtomicLong written = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong writtenMeasured = new AtomicLong();
    final long measureFromNs;
    final long endNs;
    private final int ratePerSecond;

    FixedRateWrites(int ratePerSecond, int warmupSeconds, int durationSeconds) {
        this.ratePerSecond = ratePerSecond;
        this.measureFromNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        this.endNs = measureFromNs + TimeUnit.SECONDS.toNanos(durationSeconds);
    }

    /** Whether an acknowledgement at {@code ackNs} is inside the measured interval. */
    boolean measured(long ackNs) {
        return ackNs >= measureFromNs && ackNs < endNs;
    }

    /** Runs {@code write} for sequence numbers 0, 1, ... at the rate until the end; returns once all have ended. */
    void run(LongConsumer write) throws InterruptedException {
        ExecutorService writers = Executors.newFixedThreadPool(WRITER_THREADS);
        long intervalNs = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
        long next = System.nanoTime();
        for (long seq = 0; System.nanoTime() < endNs; seq++) {
            long s = seq;
            writers.execute(() -> {
                try {
                    write.accept(s);
                } catch (RuntimeException e) {
                    // Reported as a count: the write is neither acknowledged nor measured.
                    failed.incrementAndGet();
                    return;
                }
                long ackNs = System.nanoTime();
                ackedAtNs.putIfAbsent(s, ackNs);
                if (measured(ackNs)) writtenMeasured.incrementAndGet();
                written.incrementAndGet();
            });
            next += intervalNs;
            long wait = next - System.nanoTime();
            if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
        }
        writers.shutdown();
        writers.awaitTermination(30, TimeUnit.SECONDS);
    }
}
