package io.dynalog.ingest.testing;

import io.dynalog.topology.time.Time;

/**
 * Clocks a test moves by hand: the wall clock and the monotonic clock are one count of
 * milliseconds (a test that needs them apart, or drifting, uses the simulation's clocks).
 */
public final class ManualTime implements Time {
    private long nowMs;

    public ManualTime(long startMs) {
        this.nowMs = startMs;
    }

    public long nowMs() {
        return nowMs;
    }

    public void advance(long ms) {
        if (ms < 0) throw new IllegalArgumentException("time does not go back: " + ms + " ms");
        nowMs += ms;
    }

    @Override
    public long wallClockMs() {
        return nowMs;
    }

    @Override
    public long monotonicNs() {
        return nowMs * 1_000_000;
    }
}
