package io.dynalog.node;

import io.dynalog.node.status.ClusterStatus;
import io.dynalog.node.status.NodeAdminEndpoints;
import io.dynalog.node.status.StatusEndpoints;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dynalog node ...}: takes a node out of a running cluster, through any of its nodes. */
@Command(name = "node", mixinStandardHelpOptions = true, description = "Drain or remove a node of a running cluster.",
        subcommands = {NodeCommand.Drain.class, NodeCommand.Remove.class})
final class NodeCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Options both subcommands share. */
    static final class Target {
        @Option(names = "--node-id", required = true, description = "The node to act on.")
        int nodeId;

        @Option(names = "--endpoint", defaultValue = "http://127.0.0.1:8000",
                description = "Any node's DynamoDB endpoint (default: ${DEFAULT-VALUE}).")
        URI endpoint;

        @Option(names = "--timeout-ms", defaultValue = "10000", description = "How long to wait for each answer (default: ${DEFAULT-VALUE}).")
        long timeoutMs;

        HttpClient http() {
            return HttpClient.newBuilder().connectTimeout(Duration.ofMillis(timeoutMs)).build();
        }

        /** POSTs {@code {"nodeId": N, "cancel": cancel}} to {@code path}; the answer's body, or null after printing why not. */
        String post(String path, boolean cancel, PrintWriter err) throws InterruptedException {
            URI uri = endpoint.resolve(path);
            String body = "{\"nodeId\": " + nodeId + ", \"cancel\": " + cancel + "}";
            try {
                HttpResponse<String> response = http().send(HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(timeoutMs))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) return response.body();
                err.println("dynalog: " + response.body());
            } catch (IOException e) {
                err.println("dynalog: cannot reach " + uri + ": " + e);
            }
            return null;
        }
    }

    /**
     * {@code dynalog node drain}: marks the node draining, then (unless {@code --no-wait}) follows
     * the cluster's status until the node holds no replica and no leadership, and says it may be
     * stopped.
     */
    @Command(name = "drain", mixinStandardHelpOptions = true,
            description = "Move every replica and leadership off a node; waits until it holds none and may be stopped.")
    static final class Drain implements Callable<Integer> {
        @CommandLine.Mixin
        Target target = new Target();

        @Option(names = "--cancel", description = "Stop draining the node: it takes replicas again.")
        boolean cancel;

        @Option(names = "--no-wait", description = "Return once the node is draining, without waiting until it is drained.")
        boolean noWait;

        @Option(names = "--wait", defaultValue = "30m", converter = DurationMs.class, paramLabel = "DURATION",
                description = "How long to wait until the node is drained (default: ${DEFAULT-VALUE}).")
        long waitMs;

        @Option(names = "--poll", defaultValue = "2s", converter = DurationMs.class, paramLabel = "DURATION",
                description = "How often to look at the cluster while waiting (default: ${DEFAULT-VALUE}).")
        long pollMs;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (target.post(NodeAdminEndpoints.DRAIN_PATH, cancel, err) == null) return 1;
            if (cancel) {
                out.println("node " + target.nodeId + " is no longer draining");
                return 0;
            }
            out.println("node " + target.nodeId + " is draining");
            out.flush();
            if (noWait) return 0;
            long deadlineNs = System.nanoTime() + waitMs * 1_000_000;
            String last = null;
            while (System.nanoTime() < deadlineNs) {
                ClusterStatus.Node node = nodeStatus(err);
                if (node != null) {
                    if (node.replicas() == 0 && node.leaders() == 0 && node.indexReplicas() == 0) {
                        out.println("node " + target.nodeId + " holds no replica: it may be stopped (then: dynalog node remove --node-id "
                                + target.nodeId + ")");
                        return 0;
                    }
                    String now = "node " + target.nodeId + " still holds " + node.replicas() + " replicas and " + node.indexReplicas()
                            + " index replicas, leads " + node.leaders();
                    if (!now.equals(last)) out.println(now);
                    out.flush();
                    last = now;
                }
                Thread.sleep(pollMs);
            }
            err.println("dynalog: node " + target.nodeId + " is not drained after " + waitMs + " ms (it keeps draining; "
                    + "dynalog cluster status shows what is left)");
            return 1;
        }

        private ClusterStatus.Node nodeStatus(PrintWriter err) throws InterruptedException {
            URI uri = target.endpoint.resolve(StatusEndpoints.CLUSTER_PATH);
            try {
                HttpResponse<String> response = target.http().send(HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofMillis(target.timeoutMs)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) return null;
                for (ClusterStatus.Node n : StatusEndpoints.fromJson(response.body(), ClusterStatus.class).nodes()) {
                    if (n.nodeId() == target.nodeId && !"unreachable".equals(n.state())) return n;
                }
            } catch (IOException e) {
                err.println("dynalog: cannot reach " + uri + " (" + e + "); trying again");
            }
            return null;
        }
    }

    /** {@code dynalog node remove}: forgets a node that is gone (silent): its replicas are replaced at once. */
    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Forget a node that is gone for good; its replicas are replaced on other nodes at once.")
    static final class Remove implements Callable<Integer> {
        @CommandLine.Mixin
        Target target = new Target();

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            if (target.post(NodeAdminEndpoints.REMOVE_PATH, false, spec.commandLine().getErr()) == null) return 1;
            spec.commandLine().getOut().println("node " + target.nodeId + " is removed; its replicas are being replaced");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
