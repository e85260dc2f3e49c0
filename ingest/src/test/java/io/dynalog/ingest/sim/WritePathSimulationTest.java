package io.dynalog.ingest.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The main test of the write path under faults: {@link WritePathSimulation} runs a table's
 * partitions on three nodes from a seed and checks linearizability and the WAL (see its class
 * comment). The seeds are shared out between the profiles.
 *
 * <p>By default {@value #DEFAULT_SEEDS} seeds (under a minute on two cores); more with a system
 * property, say 10,000 (six minutes; switch timeouts off for more; the Maven profile {@code soak}
 * does both, for this simulation and the Paxos one: {@code ./mvnw -B -pl ingest -Psoak test}):
 * <pre>
 * mvn -B -o -q -pl ingest test \
 *     -Dtest='io.dynalog.ingest.sim.WritePathSimulationTest' -Dwritepath.sim.seeds=10000 \
 *     -Djunit.jupiter.execution.timeout.mode=disabled
 * </pre>
 * {@code -Dwritepath.sim.firstSeed=N} starts elsewhere; {@code -Dwritepath.sim.profile=zombies} runs
 * one profile's share only. A failure lists every failing seed of its
 * profile and the first one's report; replay it with one line in {@link WritePathSimulationSeedTest}.
 */
class WritePathSimulationTest {
    static final int DEFAULT_SEEDS = 1_000;
    private static final int SEEDS = Integer.getInteger("writepath.sim.seeds", DEFAULT_SEEDS);
    private static final long FIRST_SEED = Long.getLong("writepath.sim.firstSeed", 0);
    private static final String ONLY_PROFILE = System.getProperty("writepath.sim.profile", "");

    static Stream<Arguments> profiles() {
        return Stream.of(
                Arguments.of(SimProfile.LIGHT, 0.2),
                Arguments.of(SimProfile.HEAVY, 0.25),
                Arguments.of(SimProfile.PAUSES, 0.2),
                Arguments.of(SimProfile.CHAINED, 0.2),
                Arguments.of(SimProfile.ZOMBIES, 0.15));
    }

    @ParameterizedTest(name = "{0}, {1} of the seeds")
    @MethodSource("profiles")
    @Timeout(value = 20, unit = TimeUnit.MINUTES) 
    void everySeedIsLinearizableAndLosesNothing(SimProfile profile, double shareOfSeeds) {
        org.junit.jupiter.api.Assumptions.assumeTrue(ONLY_PROFILE.isEmpty() || ONLY_PROFILE.equals(profile.name()),
                "only the " + ONLY_PROFILE + " profile runs");
        int seeds = Math.max(1, (int) Math.round(SEEDS * shareOfSeeds));
        List<Long> failed = new ArrayList<>();
        AssertionError first = null;
        long operations = 0;
        long acknowledged = 0;
        long conditionFailures = 0;
        java.util.Map<String, Integer> faults = new java.util.TreeMap<>();
        for (long seed = FIRST_SEED; seed < FIRST_SEED + seeds; seed++) {
            try {
                WritePathSimulation.Result r = WritePathSimulation.run(seed, profile);
                operations += r.operations();
                acknowledged += r.acknowledgedWrites();
                conditionFailures += r.conditionFailures();
                r.faults().forEach((kind, n) -> faults.merge(kind, n, Integer::sum));
            } catch (AssertionError e) {
                failed.add(seed);
                if (first == null) first = e;
            }
        }
        if (first != null) {
            throw new AssertionError(failed.size() + " of " + seeds + " seeds failed (" + profile.name() + "): " + failed
                    + "\nfirst failure:\n" + first.getMessage(), first);
        }
        System.out.printf("write path simulation, %s: %d seeds, %d operations, %d writes acknowledged, %d conditions failed; faults %s%n",
                profile.name(), seeds, operations, acknowledged, conditionFailures, faults);
        assertThat(acknowledged).isGreaterThan(20L * seeds);
        assertThat(conditionFailures).isGreaterThan(seeds);
    }

    @Test
    void aRunIsAFunctionOfItsSeed() {
        assertThat(WritePathSimulation.run(42, SimProfile.HEAVY)).isEqualTo(WritePathSimulation.run(42, SimProfile.HEAVY));
    }
}
