package io.dynalog.node.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.placement.NodeInfo;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ClusterStatusCollectorTest {
    static final List<Integer> VOTERS = List.of(1, 2, 3);

    static NodeInfo node(int id) {
        return new NodeInfo(id, "az" + id, "127.0.0.1", 8000 + id, "127.0.0.1", 9000 + id);
    }

    static NodeStatus.Member member(String role, int leader, long version, long chosenUpTo) {
        return new NodeStatus.Member("Orders", 0x2a, 1, role, leader, "LEADER".equals(role), version, VOTERS, List.of(),
                chosenUpTo, chosenUpTo - 5, Map.of(), chosenUpTo - 10);
    }

    /**
     * Node 1 leads partition 1 of Orders at slot 120, node 2 follows at 100 and knows a later
     * configuration; node 3 does not answer: it is unreachable, its member missing.
     */
    @Test
    void answersAreMergedAndASilentNodeIsUnreachable() {
        Map<Integer, NodeStatus> answers = Map.of(
                1, new NodeStatus(1, "az1", List.of(member("LEADER", 1, 0, 120)), 0),
                2, new NodeStatus(2, "az2", List.of(member("FOLLOWER", 1, 1, 100)), 2));
        ClusterStatusCollector collector = new ClusterStatusCollector(n -> answers.containsKey(n.nodeId())
                ? CompletableFuture.completedFuture(answers.get(n.nodeId()))
                : new CompletableFuture<>(), 200);

        ClusterStatus status = collector.collect(List.of(node(3), node(1), node(2))).join();

        assertThat(status.nodes()).extracting(ClusterStatus.Node::nodeId, ClusterStatus.Node::state, ClusterStatus.Node::replicas,
                ClusterStatus.Node::leaders).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, "up", 1, 1),
                        org.assertj.core.groups.Tuple.tuple(2, "up", 1, 0),
                        org.assertj.core.groups.Tuple.tuple(3, "unreachable", 0, 0));
        assertThat(status.nodes().get(2).error()).contains("Timeout");
        assertThat(status.groups()).hasSize(1);
        ClusterStatus.Group g = status.groups().get(0);
        assertThat(g.table()).isEqualTo("Orders");
        assertThat(g.partition()).isEqualTo(1);
        assertThat(g.leader()).isEqualTo(1);
        assertThat(g.configurationVersion()).as("the newest any member knows").isEqualTo(1);
        assertThat(g.members()).containsExactly(new ClusterStatus.GroupMember(1, "LEADER", 120, 0, 10),
                new ClusterStatus.GroupMember(2, "FOLLOWER", 100, 20, 30));
        assertThat(status.moves()).isEmpty();
    }

    /** A learner of the newest configuration is a replica being copied in: a move, with how much of the log it holds. */
    @Test
    void eachLearnerIsAMoveWithItsProgress() {
        NodeStatus.Member leading = new NodeStatus.Member("Orders", 0x2a, 1, "LEADER", 1, true, 3, VOTERS, List.of(4, 5), 120, 115,
                Map.of(2, 120L, 3, 120L, 4, 90L), 118);
        ClusterStatusCollector collector = new ClusterStatusCollector(n -> CompletableFuture.completedFuture(
                new NodeStatus(n.nodeId(), n.zone(), n.nodeId() == 1 ? List.of(leading) : List.of(), 0)), 200);
        ClusterStatus status = collector.collect(List.of(node(1), node(2))).join();
        assertThat(status.moves()).containsExactly(
                new ClusterStatus.Move("Orders", 1, "node 4 joins as a learner (configuration 3)", "holds the log through slot 90 of 120"),
                new ClusterStatus.Move("Orders", 1, "node 5 joins as a learner (configuration 3)", "not answering yet"));
        assertThat(ClusterStatusText.render(status)).contains("node 4 joins as a learner (configuration 3)  holds the log through slot 90 of 120");
    }

    @Test
    void aGroupWithoutALeaderHasNoLag() {
        ClusterStatusCollector collector = new ClusterStatusCollector(n -> CompletableFuture.completedFuture(
                new NodeStatus(n.nodeId(), n.zone(), List.of(member("CANDIDATE", -1, 0, 10)), 0)), 200);
        ClusterStatus.Group g = collector.collect(List.of(node(1))).join().groups().get(0);
        assertThat(g.leader()).isEqualTo(-1);
        assertThat(g.members()).extracting(ClusterStatus.GroupMember::lagSlots).containsExactly(-1L);
    }

    @Test
    void theStatusTravelsAsJsonAndPrintsAsTables() {
        ClusterStatus status = new ClusterStatus(
                List.of(new ClusterStatus.Node(1, "az1", "127.0.0.1:8001", "up", 1, 1, null, 0),
                        new ClusterStatus.Node(2, "az2", "127.0.0.1:8002", "unreachable", 0, 0, "ConnectException", 0)),
                List.of(new ClusterStatus.Group("Orders", 0x2a, 1, 1, 2, VOTERS, List.of(4),
                        List.of(new ClusterStatus.GroupMember(1, "LEADER", 120, 0, 0), new ClusterStatus.GroupMember(4, "FOLLOWER", 90, 30, -1)))),
                List.of());
        assertThat(StatusEndpoints.fromJson(StatusEndpoints.toJson(status), ClusterStatus.class)).isEqualTo(status);
        NodeStatus node = new NodeStatus(1, "az1", List.of(new NodeStatus.Member("Orders", 0x2a, 1, "LEADER", 1, true, 2, VOTERS,
                List.of(4), 120, 115, Map.of(2, 120L, 4, 90L), 119)), 3);
        assertThat(StatusEndpoints.fromJson(StatusEndpoints.toJson(node), NodeStatus.class)).isEqualTo(node);

        String text = ClusterStatusText.render(status);
        assertThat(text).contains("NODE  ZONE  ADDRESS         STATE")
                .contains("2     az2   127.0.0.1:8002  unreachable (ConnectException)")
                .contains("Orders  1          1       2        1,2,3   4         1:0 4:30          1:0 4:?")
                .contains("MOVES: none in progress");
    }
}
