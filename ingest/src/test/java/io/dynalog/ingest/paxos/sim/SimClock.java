package io.dynalog.ingest.paxos.sim;

/**
 * A member's clock in the simulation: {@code offsetMs + floor(trueMs * rate)}, read at
 * millisecond granularity like a real one. The rate differs from 1 by at most half the group's
 * drift bound, so any two clocks differ in rate by at most about the bound.
 */
public final class SimClock {
    private final long offsetMs;
    private final double rate;

    public SimClock(long offsetMs, double rate) {
        if (rate <= 0) throw new IllegalArgumentException("rate " + rate);
        this.offsetMs = offsetMs;
        this.rate = rate;
    }

    public long localMs(long trueMs) {
        return offsetMs + (long) Math.floor(trueMs * rate);
    }

    /** The first true time at which this clock reads {@code localMs} or more. */
    public long trueMsWhenLocalReaches(long localMs) {
        long t = Math.max(0, (long) Math.floor((localMs - offsetMs) / rate) - 2);
        while (localMs(t) < localMs) t++;
        while (t > 0 && localMs(t - 1) >= localMs) t--;
        return t;
    }

    @Override
    public String toString() {
        return "SimClock[offset=" + offsetMs + "ms, rate=" + rate + "]";
    }
}
