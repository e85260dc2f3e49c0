package io.dynalog.node.fault;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * What the process-level fault tests share: launching {@code DynalogCli} in a JVM of its own
 * (optionally behind a wrapper such as {@code ip netns exec NS}), waiting for a line in its log,
 * killing it with its descendants, and small file and time helpers.
 */
final class Processes {

    private Processes() {}

    /**
     * Starts {@code java ... io.dynalog.node.DynalogCli args}, after {@code wrapper} (e.g.
     * {@code ip netns exec NS}, which execs java in its place), appending its output to {@code log}.
     */
    static Process launch(List<String> wrapper, String classPath, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx512m",
                // GC pauses beside the node's log: a pause past the election timeout explains an election
                "-Xlog:gc:file=" + log + ".gc:time,uptime",
                "-cp", classPath, "io.dynalog.node.DynalogCli"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /**
     * A private copy of the test class path's jars: other builds may re-install the project's
     * modules in ~/.m2 while this test runs, and a node restarted onto a half-written or newer jar
     * fails with NoClassDefFoundError (seen). Directories (this build's classes) are used in place.
     */
    static String snapshotClassPath(Path dir) throws Exception {
        Files.createDirectories(dir);
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path src = Path.of(e);
            if (!Files.isRegularFile(src)) {
                entries.add(e);
                continue;
            }
            Path dst = dir.resolve((i++) + "-" + src.getFileName());
            for (int attempt = 0; ; attempt++) {
                Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
                try (JarFile jar = new JarFile(dst.toFile())) {
                    jar.size();
                    break;
                } catch (IOException broken) {
                    if (attempt >= 10) throw broken;
                    Thread.sleep(300);
                }
            }
            entries.add(dst.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Waits for a line containing {@code marker} after byte {@code offset} of the log; fails if the process exits. */
    static void awaitLine(Process p, Path log, long offset, String marker, int timeoutS) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
        while (System.nanoTime() < deadline) {
            String text = read(log);
            if (text.length() > offset && text.substring((int) offset).contains(marker)) return;
            if (!p.isAlive()) fail("process exited (" + p.exitValue() + ") before '" + marker + "':\n" + tail(text));
            Thread.sleep(100);
        }
        fail("no '" + marker + "' in " + log + " after " + timeoutS + " s:\n" + tail(read(log)));
    }

    /** SIGKILLs the process and its descendants and waits (10 s at most) for it to go. */
    static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static long msSince(long startNs) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String tail(String text) {
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A condition polled by {@link #awaitTrue}; an exception counts as not yet. */
    interface Check {
        boolean ok() throws Exception;
    }

    /** Polls {@code check} every 100 ms until it holds, failing after {@code timeoutS} with the last exception. */
    static void awaitTrue(String what, int timeoutS, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.ok()) return;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what, last);
    }
}
