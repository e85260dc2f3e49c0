package io.dynalog.node.fault;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Injects faults into a running cluster, one at a time, chosen by a seeded {@link Random}, with a
 * few seconds of healthy time between them, until stopped:
 * <ul>
 *   <li>{@link Fault#KILL}: SIGKILL a node, then restart it on its data directory;</li>
 *   <li>{@link Fault#PAUSE}: SIGSTOP a node for 1-3 s (longer than the 400 ms leader lease and the
 *       500-1000 ms election timeout), then SIGCONT;</li>
 *   <li>{@link Fault#PARTITION}: cut one node off from the other two, both ways, for 2-5 s
 *       (clients and Kafka still reach it);</li>
 *   <li>{@link Fault#ONE_WAY}: for 2-5 s, one node's packets to the other two are dropped, or
 *       theirs to it;</li>
 *   <li>{@link Fault#PAUSE_KAFKA}: SIGSTOP the Kafka broker for 1-5 s, then SIGCONT;</li>
 *   <li>{@link Fault#PAUSE_KAFKA_LONG} (asked for by name only): SIGSTOP the broker for 12-20 s,
 *       past the WAL producer's delivery timeout (10 s), so appends that failed on the nodes may
 *       still be in the broker's socket buffers when it resumes.</li>
 * </ul>
 * Faults are drawn by weight ({@link Fault#weight}). Two times in three the victim is the leader
 * of one of the table's partitions (from the nodes' logs), else any node. Every
 * fault is undone in a finally block; {@link #healAll} undoes whatever may be left. The timeline
 * (ms since the run's origin) is kept for the report.
 */
final class Nemesis implements Runnable {

    /**
     * The faults, with weights: a KILL costs 20-30 s of a run (the restart), so it is drawn less
     * often than the faults that last a few seconds, and not again within {@link #KILL_COOLDOWN_NS}
     * of the last restart.
     */
    enum Fault {
        KILL("kill", 1), PAUSE("pause", 3), PARTITION("partition", 3), ONE_WAY("one-way", 2), PAUSE_KAFKA("pause-kafka", 2),
        PAUSE_KAFKA_LONG("pause-kafka-long", 1);

        final String id;
        final int weight;

        Fault(String id, int weight) {
            this.id = id;
            this.weight = weight;
        }

        static Fault of(String id) {
            for (Fault f : values()) if (f.id.equals(id.trim())) return f;
            throw new IllegalArgumentException("no fault '" + id + "'; known: kill, pause, partition, one-way, pause-kafka, pause-kafka-long, or none");
        }
    }

    /** What the nemesis acts on. */
    interface Cluster {
        int nodes();

        /** SIGKILLs node {@code id} and waits until it is gone. */
        void kill(int id) throws Exception;

        /** Starts node {@code id} again on its data directory and waits until it is ready. */
        void restart(int id) throws Exception;

        boolean isAlive(int id);

        /** The pid of node {@code id}'s JVM (not of a wrapper). */
        long nodePid(int id);

        long kafkaPid();

        NetworkNamespaces network();

        /** The current leader (by the nodes' logs) of one of the table's partitions, picked at random, or 0 if none is known. */
        int someLeader(Random random);
    }

    private static final long KILL_COOLDOWN_NS = TimeUnit.SECONDS.toNanos(60);

    private final Cluster cluster;
    private final Random random;
    private final List<Fault> enabled;
    private final long originNs;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
    private final ConcurrentLinkedQueue<String> timeline = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Window> windows = new ConcurrentLinkedQueue<>();
    private volatile Throwable failure;
    private long lastKillEndNs = Long.MIN_VALUE;

    Nemesis(Cluster cluster, Random random, Set<Fault> enabled, long originNs) {
        this.cluster = cluster;
        this.random = random;
        this.enabled = new ArrayList<>(enabled);
        this.enabled.sort(null); // a seed replays the same choices whatever the set's order
        this.originNs = originNs;
    }

    void stop() {
        stop.set(true);
    }

    /** Faults injected so far, by kind. */
    synchronized Map<Fault, Integer> injected() {
        return new EnumMap<>(injected);
    }

    List<String> timeline() {
        return List.copyOf(timeline);
    }

    /** When a fault was in force (a KILL: from the kill until the restarted node was ready). */
    record Window(Fault fault, long startNs, long endNs) {}

    List<Window> windows() {
        return List.copyOf(windows);
    }

    /** The exception that stopped the nemesis early, or null. */
    Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            while (!stop.get() && !enabled.isEmpty()) {
                if (!pause(2000 + random.nextInt(2000))) break;
                Fault fault = draw();
                long startNs = System.nanoTime();
                try {
                    inject(fault);
                } finally {
                    windows.add(new Window(fault, startNs, System.nanoTime()));
                }
                synchronized (this) {
                    injected.merge(fault, 1, Integer::sum);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
            note("nemesis failed: " + t);
        }
    }

    private Fault draw() {
        boolean killCooling = lastKillEndNs != Long.MIN_VALUE && System.nanoTime() - lastKillEndNs < KILL_COOLDOWN_NS;
        List<Fault> candidates = new ArrayList<>(enabled);
        if (killCooling && candidates.size() > 1) candidates.remove(Fault.KILL);
        int total = 0;
        for (Fault f : candidates) total += f.weight;
        int r = random.nextInt(total);
        for (Fault f : candidates) {
            r -= f.weight;
            if (r < 0) return f;
        }
        throw new IllegalStateException("unreachable");
    }

    private void inject(Fault fault) throws Exception {
        int n = cluster.nodes();
        int leader = cluster.someLeader(random);
        int victim = random.nextInt(3) < 2 && leader > 0 ? leader : 1 + random.nextInt(n);
        switch (fault) {
            case KILL -> {
                note("SIGKILL node " + victim + (victim == leader ? " (a leader)" : ""));
                cluster.kill(victim);
                Thread.sleep(random.nextInt(1000));
                note("restarting node " + victim);
                cluster.restart(victim);
                lastKillEndNs = System.nanoTime();
                note("node " + victim + " is ready again");
            }
            case PAUSE -> {
                long pid = cluster.nodePid(victim);
                int ms = 1000 + random.nextInt(2000);
                note("SIGSTOP node " + victim + (victim == leader ? " (a leader)" : "") + " for " + ms + " ms");
                signal("STOP", pid);
                try {
                    Thread.sleep(ms);
                } finally {
                    signal("CONT", pid);
                    note("SIGCONT node " + victim);
                }
            }
            case PARTITION -> {
                int ms = 2000 + random.nextInt(3000);
                note("partition: node " + victim + (victim == leader ? " (a leader)" : "") + " cut off from the others for " + ms + " ms");
                try {
                    for (int other = 1; other <= n; other++) {
                        if (other == victim) continue;
                        cluster.network().cut(victim, other);
                        cluster.network().cut(other, victim);
                    }
                    Thread.sleep(ms);
                } finally {
                    cluster.network().healAll();
                    note("partition healed");
                }
            }
            case ONE_WAY -> {
                int ms = 2000 + random.nextInt(3000);
                boolean mute = random.nextBoolean();
                note("one-way partition: node " + victim + (victim == leader ? " (a leader)" : "")
                        + (mute ? " cannot send to" : " cannot hear from") + " the others for " + ms + " ms");
                try {
                    for (int other = 1; other <= n; other++) {
                        if (other == victim) continue;
                        if (mute) cluster.network().cut(victim, other);
                        else cluster.network().cut(other, victim);
                    }
                    Thread.sleep(ms);
                } finally {
                    cluster.network().healAll();
                    note("one-way partition healed");
                }
            }
            case PAUSE_KAFKA, PAUSE_KAFKA_LONG -> {
                long pid = cluster.kafkaPid();
                int ms = fault == Fault.PAUSE_KAFKA ? 1000 + random.nextInt(4000) : 12_000 + random.nextInt(8000);
                note("SIGSTOP Kafka for " + ms + " ms");
                signal("STOP", pid);
                try {
                    Thread.sleep(ms);
                } finally {
                    signal("CONT", pid);
                    note("SIGCONT Kafka");
                }
            }
        }
    }

    /** Undoes every fault: heals the network, resumes every process, restarts dead nodes. */
    void healAll() throws Exception {
        cluster.network().healAll();
        signal("CONT", cluster.kafkaPid());
        for (int id = 1; id <= cluster.nodes(); id++) {
            if (cluster.isAlive(id)) {
                signal("CONT", cluster.nodePid(id));
            } else {
                note("restarting node " + id + " (found dead at the end)");
                cluster.restart(id);
            }
        }
    }

    /** Sends a signal with kill(1): Java cannot send SIGSTOP/SIGCONT itself. */
    static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("kill -" + signal + " " + pid + " timed out");
        }
    }

    void note(String event) {
        String line = String.format(Locale.ROOT, "%10.3f ms  %s", (System.nanoTime() - originNs) / 1e6, event);
        timeline.add(line);
        System.out.println("nemesis " + line);
    }

    /** Sleeps up to {@code ms}, in short steps so that {@link #stop} is prompt; false if stopped. */
    private boolean pause(long ms) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (System.nanoTime() < end) {
            if (stop.get()) return false;
            Thread.sleep(Math.min(100, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
        }
        return !stop.get();
    }
}
