package io.dynalog.node;

import io.dynalog.node.status.ClusterStatus;
import io.dynalog.node.status.ClusterStatusText;
import io.dynalog.node.status.StatusEndpoints;
import java.io.IOException;
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

/** {@code dynalog cluster ...}: looks at a running cluster through any of its nodes. */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Look at a running cluster.",
        subcommands = ClusterCommand.Status.class)
final class ClusterCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code dynalog cluster status}: nodes, replica groups and moves, as the node asked gathers them. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show every node (zone, state, load), every replica group (members, leader, configuration version, lag) "
                    + "and the moves in progress.")
    static final class Status implements Callable<Integer> {
        @Option(names = "--endpoint", defaultValue = "http://127.0.0.1:8000",
                description = "Any node's DynamoDB endpoint (default: ${DEFAULT-VALUE}).")
        URI endpoint;

        @Option(names = "--json", description = "Print the status as JSON, as the node serves it.")
        boolean json;

        @Option(names = "--timeout-ms", defaultValue = "10000", description = "How long to wait for the answer (default: ${DEFAULT-VALUE}).")
        long timeoutMs;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            URI uri = endpoint.resolve(StatusEndpoints.CLUSTER_PATH);
            HttpResponse<String> response;
            try {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(timeoutMs)).build();
                response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(timeoutMs)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                spec.commandLine().getErr().println("dynalog: cannot reach " + uri + ": " + e);
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
            if (response.statusCode() != 200) {
                spec.commandLine().getErr().println("dynalog: " + uri + " answered " + response.statusCode() + ": " + response.body());
                return 1;
            }
            spec.commandLine().getOut().print(json ? response.body() + "\n"
                    : ClusterStatusText.render(StatusEndpoints.fromJson(response.body(), ClusterStatus.class)));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
