package io.dynalog.node.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB Local (its Maven Central artifact, fetched by the {@code dynamodb-local} module) in a
 * process of its own, shared by every test class of a test JVM: the reference the differential
 * tests hold Dynalog to.
 *
 * <p>It runs in memory ({@code -inMemory}), so each start is empty; tests give their tables unique
 * names. The process is stopped by a shutdown hook. Its output goes to a file in its working
 * directory, named in the failure message when it does not come up.
 */
final class DynamoDbLocal {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** Guarded by the class lock. */
    private static DynamoDbLocal shared;
    /** Why the first start failed, so later test classes fail at once rather than wait again. Guarded by the class lock. */
    private static RuntimeException startFailure;

    final int port;
    private final Process process;

    private DynamoDbLocal(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** The shared instance; started on first call. */
    static synchronized DynamoDbLocal shared() {
        if (startFailure != null) throw startFailure;
        if (shared == null) {
            try {
                shared = start();
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
            DynamoDbLocal started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started.process::destroyForcibly, "dynamodb-local-shutdown"));
        }
        return shared;
    }

    /** A new client of the shared instance (callers close it). */
    DynamoDbClient client() {
        return TestNode.client(port);
    }

    private static DynamoDbLocal start() {
        Path lib = libraryDirectory();
        Path nativeLibrary = nativeLibrary(lib);
        try {
            Path workDir = Files.createTempDirectory("dynamodb-local-");
            Path log = workDir.resolve("dynamodb-local.log");
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-Djava.library.path=" + nativeLibrary.getParent(),
                    "-cp", lib + File.separator + "*",
                    "com.amazonaws.services.dynamodbv2.local.main.ServerRunner",
                    "-inMemory", "-port", Integer.toString(port), "-disableTelemetry"));
            Process process = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            DynamoDbLocal local = new DynamoDbLocal(port, process);
            try {
                local.awaitServing(log);
            } catch (RuntimeException | Error e) {
                process.destroyForcibly();
                throw e;
            }
            return local;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start DynamoDB Local", e);
        }
    }

    private void awaitServing(Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (DynamoDbClient client = client()) {
            while (true) {
                try {
                    client.listTables();
                    return;
                } catch (RuntimeException notYet) {
                    boolean alive = process.isAlive();
                    if (!alive || System.nanoTime() > deadline) {
                        throw new IllegalStateException("DynamoDB Local did not start on port " + port
                                + (alive ? " within " + START_TIMEOUT : ", it exited") + "; its output: " + log, notYet);
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("Interrupted while DynamoDB Local starts", e);
                    }
                }
            }
        }
    }

    private static Path libraryDirectory() {
        String configured = System.getProperty("dynalog.dynamodbLocal.lib");
        if (configured == null || !Files.isDirectory(Path.of(configured))) {
            throw new IllegalStateException("DynamoDB Local's jars are not there (" + configured + "): build the "
                    + "dynamodb-local module first (./mvnw -pl dynamodb-local package), or run the whole build");
        }
        return Path.of(configured);
    }

    private static Path nativeLibrary(Path lib) {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String prefix;
        if (os.contains("linux")) {
            prefix = arch.contains("aarch64") || arch.contains("arm64") ? "libsqlite4java-linux-aarch64" : "libsqlite4java-linux-amd64";
        } else if (os.contains("mac")) {
            prefix = "libsqlite4java-osx";
        } else {
            prefix = arch.contains("64") ? "sqlite4java-win32-x64" : "sqlite4java-win32-x86";
        }
        try (Stream<Path> files = Files.list(lib)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("No sqlite4java native library " + prefix + "* in " + lib
                            + " for " + os + " " + arch));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
