package io.dynalog.node.status;

import io.dynalog.topology.placement.NodeInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Gathers the cluster's status: asks every known node for its own ({@link NodeStatus}), at once
 * and each within a timeout, and puts the answers together. A node that does not answer is
 * listed as unreachable; its members are missing from their groups. Stateless; thread-safe.
 */
public final class ClusterStatusCollector {
    private final Function<NodeInfo, CompletableFuture<NodeStatus>> fetch;
    private final long timeoutMs;

    /**
     * @param fetch     asks one node for its status (over the network, in production)
     * @param timeoutMs how long a node has to answer
     */
    public ClusterStatusCollector(Function<NodeInfo, CompletableFuture<NodeStatus>> fetch, long timeoutMs) {
        this.fetch = fetch;
        this.timeoutMs = timeoutMs;
    }

    public CompletableFuture<ClusterStatus> collect(List<NodeInfo> known) {
        List<NodeInfo> nodes = new ArrayList<>(known);
        nodes.sort(Comparator.comparingInt(NodeInfo::nodeId));
        List<CompletableFuture<NodeStatus>> answers = new ArrayList<>();
        for (NodeInfo n : nodes) {
            CompletableFuture<NodeStatus> answer;
            try {
                answer = fetch.apply(n);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answers.add(answer.orTimeout(timeoutMs, TimeUnit.MILLISECONDS));
        }
        return CompletableFuture.allOf(answers.stream().map(a -> a.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
                .thenApply(v -> assemble(nodes, answers));
    }

    private static ClusterStatus assemble(List<NodeInfo> nodes, List<CompletableFuture<NodeStatus>> answers) {
        List<ClusterStatus.Node> nodeViews = new ArrayList<>();
        Map<String, List<Reported>> byGroup = new TreeMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            NodeInfo info = nodes.get(i);
            String address = info.apiHost() + ":" + info.apiPort();
            CompletableFuture<NodeStatus> answer = answers.get(i);
            if (answer.isCompletedExceptionally()) {
                nodeViews.add(new ClusterStatus.Node(info.nodeId(), info.zone(), address, "unreachable", 0, 0, failure(answer), 0));
                continue;
            }
            NodeStatus status = answer.join();
            int leaders = 0;
            for (NodeStatus.Member m : status.groups()) {
                if ("LEADER".equals(m.role())) leaders++;
                byGroup.computeIfAbsent(groupKey(m), k -> new ArrayList<>()).add(new Reported(status.nodeId(), m));
            }
            String state = !info.draining() ? "up" : status.groups().isEmpty() && status.indexReplicas() == 0 ? "drained" : "draining";
            nodeViews.add(new ClusterStatus.Node(info.nodeId(), info.zone(), address, state, status.groups().size(), leaders, null,
                    status.indexReplicas()));
        }
        List<ClusterStatus.Group> groups = new ArrayList<>();
        List<ClusterStatus.Move> moves = new ArrayList<>();
        for (List<Reported> members : byGroup.values()) {
            ClusterStatus.Group group = group(members);
            groups.add(group);
            moves.addAll(moves(group, members));
        }
        return new ClusterStatus(nodeViews, groups, moves);
    }

    /**
     * A group's moves: each learner of its newest configuration is a replica being copied in, and
     * its progress is how much of the log it holds by the leader's count.
     */
    private static List<ClusterStatus.Move> moves(ClusterStatus.Group group, List<Reported> members) {
        NodeStatus.Member leader = null;
        for (Reported r : members) {
            if (r.nodeId() == group.leader()) leader = r.member();
        }
        List<ClusterStatus.Move> moves = new ArrayList<>();
        for (int learner : group.learners()) {
            String progress;
            Long match = leader == null ? null : leader.followerMatchSlots().get(learner);
            if (leader == null) {
                progress = "no leader";
            } else if (match == null || match < 0) {
                progress = "not answering yet";
            } else {
                progress = "holds the log through slot " + match + " of " + leader.chosenUpTo();
            }
            moves.add(new ClusterStatus.Move(group.table(), group.partition(),
                    "node " + learner + " joins as a learner (configuration " + group.configurationVersion() + ")", progress));
        }
        return moves;
    }

    /** Groups sort by table name, then table id, then partition. */
    private static String groupKey(NodeStatus.Member m) {
        return m.table() + "\u0000" + String.format("%016x", m.tableId()) + "\u0000" + String.format("%08d", m.partition());
    }

    /** A group's member as the node holding it reported it. */
    private record Reported(int nodeId, NodeStatus.Member member) {}

    private static ClusterStatus.Group group(List<Reported> members) {
        NodeStatus.Member newest = members.get(0).member();
        Reported leader = null;
        for (Reported r : members) {
            NodeStatus.Member m = r.member();
            if (m.configurationVersion() > newest.configurationVersion()) newest = m;
            if ("LEADER".equals(m.role()) && (leader == null || m.chosenUpTo() > leader.member().chosenUpTo())) leader = r;
        }
        long leaderChosen = leader == null ? -1 : leader.member().chosenUpTo();
        List<ClusterStatus.GroupMember> views = new ArrayList<>();
        for (Reported r : members) {
            NodeStatus.Member m = r.member();
            long learned = Math.max(m.chosenUpTo(), m.archivedSlot());
            long lag = leaderChosen < 0 ? -1 : Math.max(0, leaderChosen - learned);
            long replicaLag = leaderChosen < 0 || m.replicaAppliedSlot() < 0 ? -1 : Math.max(0, leaderChosen - m.replicaAppliedSlot());
            views.add(new ClusterStatus.GroupMember(r.nodeId(), m.role(), m.chosenUpTo(), lag, replicaLag));
        }
        views.sort(Comparator.comparingInt(ClusterStatus.GroupMember::nodeId));
        return new ClusterStatus.Group(newest.table(), newest.tableId(), newest.partition(), leader == null ? -1 : leader.nodeId(),
                newest.configurationVersion(), newest.voters(), newest.learners(), views);
    }

    private static String failure(CompletableFuture<?> answer) {
        try {
            answer.join();
            return null;
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        }
    }
}
