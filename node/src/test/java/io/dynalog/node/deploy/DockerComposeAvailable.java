package io.dynalog.node.deploy;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs a test class only where a Docker engine answers and the Compose v2 CLI plugin
 * ({@code docker compose}, which Testcontainers' {@code ComposeContainer} runs) is installed;
 * elsewhere its tests are reported as skipped, with the reason.
 *
 * <p>A condition rather than an assumption in {@code @BeforeAll}: Surefire counts a class aborted
 * there as zero tests run, which reads like a pass; a disabled class counts its tests as skipped.
 * Without an engine, Testcontainers gives up within a second or two (it tries DOCKER_HOST, the
 * socket, ~/.testcontainers.properties).
 */
final class DockerComposeAvailable implements ExecutionCondition {
    /** Evaluated once per JVM: the condition is asked for the class and again for every test. */
    private static volatile ConditionEvaluationResult result;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        ConditionEvaluationResult r = result;
        if (r == null) result = r = evaluate();
        return r;
    }

    private static ConditionEvaluationResult evaluate() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return ConditionEvaluationResult.disabled("Docker is not available: no Docker engine answered "
                    + "(DOCKER_HOST, /var/run/docker.sock, ~/.testcontainers.properties), so the docker-compose "
                    + "deployment cannot be started");
        }
        if (!composePluginAvailable()) {
            return ConditionEvaluationResult.disabled("Docker Compose v2 is not available: `docker compose version` "
                    + "failed, so docker-compose.yml cannot be run");
        }
        return ConditionEvaluationResult.enabled("a Docker engine and docker compose are available");
    }

    private static boolean composePluginAvailable() {
        try {
            Process p = new ProcessBuilder("docker", "compose", "version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
