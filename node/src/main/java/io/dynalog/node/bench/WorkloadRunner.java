package io.dynalog.node.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Runs one operation in a closed loop on a fixed number of threads for a warm-up and then a
 * measured interval, and returns the latencies of the measured interval's successful calls.
 *
 * <p>Responsibilities: the loop (each thread issues its next call when the previous one returns,
 * and starts none after the end), the latency record (an HdrHistogram {@link Recorder} in
 * microseconds, three significant digits; the warm-up's interval is taken out and discarded),
 * counting failed calls, and bounding the whole run by its durations plus one call timeout.
 */
final class WorkloadRunner {

    /** One call of the workload. Throws on a failed call; returns normally on a correct answer. */
    @FunctionalInterface
    interface Operation {
        void call(SplittableRandom random);
    }

    /** The measured interval of one run. */
    record Measurement(Histogram latencyMicros, long errors, double measuredSeconds, String firstError) {
    }

    /** Thrown by an {@link Operation} whose call succeeded but whose answer was wrong; counted as an error. */
    static final class UnexpectedResultException extends RuntimeException {
        UnexpectedResultException(String message) {
            super(message, null, false, false);
        }
    }

    private static final int SIGNIFICANT_DIGITS = 3;

    private final ExecutorService executor;
    private final int threads;
    private final Duration warmup;
    private final Duration measured;
    private final Duration callTimeout;

    /**
     * @param executor    runs the {@code threads} loops; must have at least that many threads
     * @param callTimeout the longest a single call may take (the client's API call timeout): how
     *                    long after the end we wait for the last calls to return
     */
    WorkloadRunner(ExecutorService executor, int threads, Duration warmup, Duration measured, Duration callTimeout) {
        this.executor = executor;
        this.threads = threads;
        this.warmup = warmup;
        this.measured = measured;
        this.callTimeout = callTimeout;
    }

    Measurement run(Operation operation, long seed) throws InterruptedException {
        Recorder recorder = new Recorder(SIGNIFICANT_DIGITS);
        LongAdder errors = new LongAdder();
        AtomicReference<String> firstError = new AtomicReference<>();
        long startNanos = System.nanoTime();
        long measureStartNanos = startNanos + warmup.toNanos();
        long endNanos = measureStartNanos + measured.toNanos();

        SplittableRandom seeds = new SplittableRandom(seed);
        List<Future<?>> loops = new ArrayList<>(threads);
        for (int i = 0; i < threads; i++) {
            SplittableRandom random = seeds.split();
            loops.add(executor.submit(() -> loop(operation, random, endNanos, recorder, errors, firstError)));
        }
        try {
            // One timed wait for the end of the warm-up, then its interval is thrown away.
            long untilMeasureNanos = measureStartNanos - System.nanoTime();
            if (untilMeasureNanos > 0) {
                TimeUnit.NANOSECONDS.sleep(untilMeasureNanos);
            }
            Histogram discarded = new Histogram(SIGNIFICANT_DIGITS);
            recorder.getIntervalHistogramInto(discarded);
            errors.reset();
            long measuringSinceNanos = System.nanoTime();

            awaitLoops(loops, endNanos + callTimeout.toNanos());
            double measuredSeconds = (System.nanoTime() - measuringSinceNanos) / 1e9;
            Histogram latencyMicros = new Histogram(SIGNIFICANT_DIGITS);
            recorder.getIntervalHistogramInto(latencyMicros);
            return new Measurement(latencyMicros, errors.sum(), measuredSeconds, firstError.get());
        } finally {
            loops.forEach(loop -> loop.cancel(true));
        }
    }

    private static void loop(Operation operation, SplittableRandom random, long endNanos, Recorder recorder,
                             LongAdder errors, AtomicReference<String> firstError) {
        while (true) {
            long callStartNanos = System.nanoTime();
            if (callStartNanos - endNanos >= 0) {
                return;
            }
            try {
                operation.call(random);
                recorder.recordValue(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - callStartNanos));
            } catch (SdkException | UnexpectedResultException e) {
                errors.increment();
                firstError.compareAndSet(null, describe(e));
            }
        }
    }

    private static void awaitLoops(List<Future<?>> loops, long deadlineNanos) throws InterruptedException {
        for (Future<?> loop : loops) {
            try {
                loop.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException("A bench thread failed: " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("A bench thread was still in a call one call timeout after the end");
            }
        }
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message.strip());
    }
}
