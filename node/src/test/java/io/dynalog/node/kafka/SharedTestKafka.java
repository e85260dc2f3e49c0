package io.dynalog.node.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One real Kafka broker shared by every test class of a test JVM, so that integration tests pay
 * the broker's start (about two seconds) once rather than per class.
 *
 * <p>Responsibilities: start an {@link EmbeddedKafka} lazily on first use, in a fresh temporary
 * log directory and on a free port; stop it and delete the directory when the JVM exits (a
 * shutdown hook). Tests that share it must not depend on a clean broker: give topics and groups
 * unique names.
 */
public final class SharedTestKafka {

    /** Guarded by the class lock. */
    private static EmbeddedKafka broker;

    private SharedTestKafka() {
    }

    /** The shared broker's {@code bootstrap.servers}; starts the broker on first call. */
    public static String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /** The shared broker; starts it on first call. Callers must not close it. */
    public static synchronized EmbeddedKafka broker() {
        if (broker == null) {
            Path logDir = createTempDirectory();
            EmbeddedKafka started = EmbeddedKafka.start(logDir, 0);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                deleteRecursively(logDir);
            }, "shared-test-kafka-shutdown"));
            broker = started;
        }
        return broker;
    }

    private static Path createTempDirectory() {
        try {
            return Files.createTempDirectory("dynalog-test-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a log directory for the shared test broker", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // At JVM exit there is nobody left to tell but stderr; the OS cleans temp eventually.
            System.err.println("Cannot delete the shared test broker's log directory " + dir + ": " + e);
        }
    }
}
