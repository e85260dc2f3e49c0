package io.dynalog.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.control.ReplicaRepair.Group;
import io.dynalog.control.ReplicaRepair.Node;
import io.dynalog.control.ReplicaRepair.Step;
import io.dynalog.topology.wal.Configuration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicaRepairTest {
    private static final ReplicaRepair.Settings SETTINGS = new ReplicaRepair.Settings(3, 60_000, 10_000, 120_000);
    private static final Configuration FIRST = Configuration.initial(List.of(1, 2, 3));

    /** Nodes 1 to 5: 1-3 in zones a, b, c; 4 in c; 5 in a. All heard from just now. */
    private static Map<Integer, Node> nodes() {
        Map<Integer, Node> nodes = new HashMap<>();
        String[] zones = {"", "a", "b", "c", "c", "a"};
        for (int id = 1; id <= 5; id++) nodes.put(id, new Node(id, zones[id], 100));
        return nodes;
    }

    private static Map<Integer, Node> silent(Map<Integer, Node> nodes, int id, long forMs) {
        nodes.put(id, new Node(id, nodes.get(id).zone(), forMs));
        return nodes;
    }

    private static Group group(Configuration chosen, long chosenUpTo, Map<Integer, Long> matchSlots, Map<Integer, Long> learnerForMs) {
        return new Group(chosen, chosen, chosenUpTo, matchSlots, learnerForMs);
    }

    @Test
    void aGroupWhoseVotersAreAllHeardFromIsLeftAlone() {
        assertThat(ReplicaRepair.next(group(FIRST, 10, Map.of(2, 10L, 3, 10L), Map.of()), nodes(), Map.of(), SETTINGS))
                .isInstanceOf(Step.None.class);
        Map<Integer, Node> briefly = silent(nodes(), 3, 59_000);
        assertThat(ReplicaRepair.next(group(FIRST, 10, Map.of(), Map.of()), briefly, Map.of(), SETTINGS))
                .as("silent, but not for --replace-after yet").isInstanceOf(Step.None.class);
    }

    @Test
    void aDeadVoterGetsALearnerInTheZoneItLeftAndIsThenReplacedByIt() {
        Map<Integer, Node> nodes = silent(nodes(), 3, 60_000);
        Step add = ReplicaRepair.next(group(FIRST, 10, Map.of(), Map.of()), nodes, Map.of(4, 9, 5, 0), SETTINGS);
        assertThat(add).isEqualTo(new Step.Propose(new Configuration(1, List.of(1, 2, 3), List.of(4)),
                "node 4 becomes a learner: voter 3 is silent for 60000 ms", Step.Move.REPAIR));

        Configuration withLearner = ((Step.Propose) add).next();
        assertThat(ReplicaRepair.next(group(withLearner, 10, Map.of(4, 7L), Map.of(4, 1_000L)), nodes, Map.of(), SETTINGS))
                .as("the learner still copies").isInstanceOf(Step.None.class);
        Step swap = ReplicaRepair.next(group(withLearner, 10, Map.of(4, 10L), Map.of(4, 1_000L)), nodes, Map.of(), SETTINGS);
        assertThat(((Step.Propose) swap).next()).isEqualTo(new Configuration(2, List.of(1, 2, 4), List.of()));
        assertThat(((Step.Propose) swap).move()).isEqualTo(Step.Move.NONE);
    }

    @Test
    void withoutANodeInTheMissingZoneTheLeastLoadedLiveNodeIsChosen() {
        Map<Integer, Node> nodes = silent(silent(nodes(), 3, 70_000), 4, 20_000);
        Step add = ReplicaRepair.next(group(FIRST, 10, Map.of(), Map.of()), nodes, Map.of(5, 3), SETTINGS);
        assertThat(((Step.Propose) add).next().learners()).as("4 is in zone c but silent").containsExactly(5);
        nodes.remove(5);
        assertThat(ReplicaRepair.next(group(FIRST, 10, Map.of(), Map.of()), nodes, Map.of(), SETTINGS))
                .as("no live node left to grow onto").isInstanceOf(Step.None.class);
    }

    @Test
    void theCatalogIsToldOfEveryChosenConfigurationFirst() {
        Configuration chosen = new Configuration(2, List.of(1, 2, 4), List.of());
        Group group = new Group(chosen, new Configuration(1, List.of(1, 2, 3), List.of(4)), 10, Map.of(), Map.of());
        assertThat(ReplicaRepair.next(group, silent(nodes(), 3, 90_000), Map.of(), SETTINGS)).isEqualTo(new Step.Record(chosen));
    }

    @Test
    void aLearnerThatDoesNotCatchUpOrGoesSilentIsDroppedSoThatAnotherCanBeTried() {
        Configuration withLearner = FIRST.withLearner(4);
        Map<Integer, Node> nodes = silent(nodes(), 3, 60_000);
        Step slow = ReplicaRepair.next(group(withLearner, 10, Map.of(4, 2L), Map.of(4, 121_000L)), nodes, Map.of(), SETTINGS);
        assertThat(((Step.Propose) slow).next()).isEqualTo(new Configuration(2, List.of(1, 2, 3), List.of()));
        Step gone = ReplicaRepair.next(group(withLearner, 10, Map.of(4, 10L), Map.of(4, 1_000L)), silent(nodes, 4, 11_000),
                Map.of(), SETTINGS);
        assertThat(((Step.Propose) gone).reason()).contains("learner 4 went silent");
        assertThat(((Step.Propose) slow).abandonedLearner()).isEqualTo(4);
        assertThat(((Step.Propose) gone).abandonedLearner()).isEqualTo(4);
    }

    @Test
    void aLearnerNoLongerNeededIsRemovedAndOneThatMakesTheGroupWholeIsPromoted() {
        Configuration withLearner = FIRST.withLearner(4);
        Step notNeeded = ReplicaRepair.next(group(withLearner, 10, Map.of(4, 10L), Map.of()), nodes(), Map.of(), SETTINGS);
        assertThat(((Step.Propose) notNeeded).next()).as("voter 3 came back").isEqualTo(new Configuration(2, List.of(1, 2, 3), List.of()));
        assertThat(((Step.Propose) notNeeded).abandonedLearner()).as("not a failure: it may be tried again").isEqualTo(-1);

        Configuration two = new Configuration(4, List.of(1, 2), List.of(4));
        Step whole = ReplicaRepair.next(group(two, 10, Map.of(4, 10L), Map.of()), nodes(), Map.of(), SETTINGS);
        assertThat(((Step.Propose) whole).next()).isEqualTo(new Configuration(5, List.of(1, 2, 4), List.of()));
    }

    @Test
    void aNodeGivenUpOnIsNotTriedAgainWhileAvoided() {
        Map<Integer, Node> nodes = silent(nodes(), 3, 60_000);
        Group avoiding4 = new Group(FIRST, FIRST, 10, Map.of(), Map.of(), java.util.Set.of(4));
        assertThat(((Step.Propose) ReplicaRepair.next(avoiding4, nodes, Map.of(), SETTINGS)).next().learners()).containsExactly(5);
    }

    @Test
    void aDrainingVoterIsReplacedAtOnceAndADrainingNodeGetsNoReplica() {
        Map<Integer, Node> nodes = nodes();
        nodes.put(2, new Node(2, "b", 100, true));
        nodes.put(4, new Node(4, "c", 100, true));
        Step add = ReplicaRepair.next(group(FIRST, 10, Map.of(), Map.of()), nodes, Map.of(), SETTINGS);
        assertThat(add).isEqualTo(new Step.Propose(FIRST.withLearner(5), "node 5 becomes a learner: voter 2 is draining", Step.Move.REPAIR));
        Step swap = ReplicaRepair.next(group(FIRST.withLearner(5), 10, Map.of(5, 10L), Map.of()), nodes, Map.of(), SETTINGS);
        assertThat(((Step.Propose) swap).next()).isEqualTo(new Configuration(2, List.of(1, 3, 5), List.of()));
        assertThat(ReplicaRepair.next(group(FIRST.withLearner(4), 10, Map.of(4, 10L), Map.of()), nodes, Map.of(), SETTINGS))
                .as("a learner on a draining node").isEqualTo(new Step.Propose(new Configuration(2, List.of(1, 2, 3), List.of()),
                        "learner 4 is draining"));
    }

    /**
     * A node added to the cluster fills up: a group moves its replica from the most loaded node to
     * the least loaded one that keeps its zones distinct, once the two differ by two or more.
     */
    @Test
    void replicasMoveFromCrowdedNodesToEmptyOnesKeepingZonesDistinct() {
        Map<Integer, Node> nodes = nodes();
        Map<Integer, Integer> loads = Map.of(1, 6, 2, 6, 3, 6, 4, 0, 5, 1);
        Step add = ReplicaRepair.next(group(FIRST, 10, Map.of(), Map.of()), nodes, loads, SETTINGS);
        assertThat(add).as("4 is in zone c: it may take 3's place only (5, in zone a, 1's)").isEqualTo(new Step.Propose(
                FIRST.withLearner(4), "node 4 becomes a learner to take over from voter 3 (they hold 0 and 6 replicas)", Step.Move.REBALANCE));
        Map<Integer, Integer> during = Map.of(1, 6, 2, 6, 3, 6, 4, 1, 5, 1);
        Step swap = ReplicaRepair.next(group(FIRST.withLearner(4), 10, Map.of(4, 10L), Map.of()), nodes, during, SETTINGS);
        assertThat(((Step.Propose) swap).next()).isEqualTo(new Configuration(2, List.of(1, 2, 4), List.of()));

        assertThat(ReplicaRepair.next(group(FIRST, 10, Map.of(), Map.of()), nodes, Map.of(1, 4, 2, 4, 3, 4, 4, 3, 5, 3), SETTINGS))
                .as("within one of each other").isInstanceOf(Step.None.class);
        Map<Integer, Integer> evenAgain = Map.of(1, 5, 2, 5, 3, 4, 4, 5, 5, 4);
        assertThat(ReplicaRepair.next(group(FIRST.withLearner(4), 10, Map.of(4, 10L), Map.of()), nodes, evenAgain, SETTINGS))
                .as("the move is no longer needed").isEqualTo(new Step.Propose(new Configuration(2, List.of(1, 2, 3), List.of()),
                        "learner 4 is no longer needed"));
    }

    /**
     * Two leaders that added learners on one node at the same moment both swap them in (an
     * overshoot of one move), instead of both finding the node full, dropping them, and trying again
     * in step for ever.
     */
    @Test
    void twoMovesOntoOneNodeAtOnceBothComplete() {
        Map<Integer, Node> nodes = nodes();
        Map<Integer, Integer> loads = Map.of(1, 6, 2, 6, 3, 6, 4, 2, 5, 4);
        Map<Integer, Integer> learners = Map.of(4, 2);
        Step swap = ReplicaRepair.next(group(FIRST.withLearner(4), 10, Map.of(4, 10L), Map.of()), nodes, loads, learners, SETTINGS);
        assertThat(((Step.Propose) swap).next()).isEqualTo(new Configuration(2, List.of(1, 2, 4), List.of()));
    }

    @Test
    void aGroupShortOfVotersGrowsToTheReplicationFactor() {
        Configuration one = Configuration.initial(List.of(1));
        Step add = ReplicaRepair.next(group(one, 10, Map.of(), Map.of()), nodes(), Map.of(), SETTINGS);
        assertThat(((Step.Propose) add).next().learners()).as("zone b first, the lowest id of those").containsExactly(2);
        Step promote = ReplicaRepair.next(group(one.withLearner(2), 10, Map.of(2, 10L), Map.of()), nodes(), Map.of(), SETTINGS);
        assertThat(((Step.Propose) promote).next()).isEqualTo(new Configuration(2, List.of(1, 2), List.of()));
    }

    @Test
    void indexPartitionsMoveOffDeadAndDrainingNodesInOneStep() {
        Map<Integer, Node> nodes = silent(nodes(), 3, 60_000);
        assertThat(ReplicaRepair.nextIndexReplicas(List.of(1, 2, 3), nodes, Map.of(4, 2, 5, 0), SETTINGS))
                .as("zone c again, though 4 holds more").containsExactly(1, 2, 4);
        nodes.put(1, new Node(1, "a", 100, true));
        assertThat(ReplicaRepair.nextIndexReplicas(List.of(1, 2, 4), nodes, Map.of(), SETTINGS)).containsExactly(2, 4, 5);
        assertThat(ReplicaRepair.nextIndexReplicas(List.of(2, 4, 5), nodes, Map.of(), SETTINGS)).as("nothing to do").isNull();
        nodes.remove(5);
        assertThat(ReplicaRepair.nextIndexReplicas(List.of(1, 2, 4), nodes, Map.of(), SETTINGS))
                .as("a draining node with nowhere to go keeps its replica").isNull();
    }

    @Test
    void aNodeNeverHeardOfIsDead() {
        Map<Integer, Node> nodes = nodes();
        nodes.remove(3);
        Step add = ReplicaRepair.next(group(FIRST, 10, Map.of(), Map.of()), nodes, Map.of(), SETTINGS);
        assertThat(((Step.Propose) add).next().learners()).containsExactly(4);
    }
}
