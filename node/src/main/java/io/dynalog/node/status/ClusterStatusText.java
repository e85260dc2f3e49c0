package io.dynalog.node.status;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** {@link ClusterStatus} as the plain-text tables {@code dynalog cluster status} prints. */
public final class ClusterStatusText {
    private ClusterStatusText() {}

    public static String render(ClusterStatus status) {
        StringBuilder out = new StringBuilder();
        List<List<String>> nodes = new ArrayList<>();
        nodes.add(List.of("NODE", "ZONE", "ADDRESS", "STATE", "REPLICAS", "LEADERS", "INDEX REPLICAS"));
        for (ClusterStatus.Node n : status.nodes()) {
            nodes.add(List.of(Integer.toString(n.nodeId()), n.zone(), n.address(),
                    n.error() == null ? n.state() : n.state() + " (" + n.error() + ")",
                    Integer.toString(n.replicas()), Integer.toString(n.leaders()), Integer.toString(n.indexReplicas())));
        }
        table(nodes, out);
        out.append('\n');
        List<List<String>> groups = new ArrayList<>();
        groups.add(List.of("TABLE", "PARTITION", "LEADER", "VERSION", "VOTERS", "LEARNERS", "LAG (node:slots)",
                "REPLICA LAG (node:slots)"));
        for (ClusterStatus.Group g : status.groups()) {
            String lag = g.members().stream().map(m -> m.nodeId() + ":" + slots(m.lagSlots())).collect(Collectors.joining(" "));
            String replicaLag = g.members().stream().map(m -> m.nodeId() + ":" + slots(m.replicaLagSlots()))
                    .collect(Collectors.joining(" "));
            groups.add(List.of(g.table(), Integer.toString(g.partition()), g.leader() < 0 ? "none" : Integer.toString(g.leader()),
                    Long.toString(g.configurationVersion()), ids(g.voters()), ids(g.learners()), lag, replicaLag));
        }
        table(groups, out);
        out.append('\n');
        if (status.moves().isEmpty()) {
            out.append("MOVES: none in progress\n");
        } else {
            List<List<String>> moves = new ArrayList<>();
            moves.add(List.of("TABLE", "PARTITION", "MOVE", "PROGRESS"));
            for (ClusterStatus.Move m : status.moves()) {
                moves.add(List.of(m.table(), Integer.toString(m.partition()), m.description(), m.progress()));
            }
            table(moves, out);
        }
        return out.toString();
    }

    private static String slots(long lag) {
        return lag < 0 ? "?" : Long.toString(lag);
    }

    private static String ids(List<Integer> ids) {
        return ids.isEmpty() ? "-" : ids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** Left-aligned columns, two spaces apart. */
    private static void table(List<List<String>> rows, StringBuilder out) {
        int[] widths = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) widths[i] = Math.max(widths[i], row.get(i).length());
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(row.get(i));
                if (i < row.size() - 1) line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
