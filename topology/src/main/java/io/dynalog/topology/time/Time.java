package io.dynalog.topology.time;

/**
 * The clocks a component reads, injected (as Kafka's {@code Time}) so that a seeded simulation
 * can drive it. Two clocks, named apart because they answer different questions:
 * <ul>
 *   <li>{@link #wallClockMs()}: the date, for what leaves the process (an entry's timestamp, a
 *       record's age, an expiry a client sees). It may jump, backwards too.</li>
 *   <li>{@link #monotonicMs()} / {@link #monotonicNs()}: never goes back, from an arbitrary origin,
 *       for every timeout, lease, deadline and delay. Values mean nothing across processes.</li>
 * </ul>
 */
public interface Time {
    long wallClockMs();

    long monotonicNs();

    default long monotonicMs() {
        return monotonicNs() / 1_000_000;
    }

    /** The process's clocks: {@link System#currentTimeMillis()} and {@link System#nanoTime()}. */
    Time SYSTEM = new Time() {
        @Override
        public long wallClockMs() {
            return System.currentTimeMillis();
        }

        @Override
        public long monotonicNs() {
            return System.nanoTime();
        }

        @Override
        public String toString() {
            return "Time.SYSTEM";
        }
    };
}
