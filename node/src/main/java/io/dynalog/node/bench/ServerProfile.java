package io.dynalog.node.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording of the server a bench measures, taken while its workloads run: started and
 * stopped in the server's JVM with {@code jcmd} (so the server needs no option of its own, only to
 * run on this machine as a JVM of the same user), and summarised from the file it leaves.
 *
 * <p>What it writes next to the recording ({@code X.jfr}): {@code X.collapsed}, the sampled stacks
 * in the collapsed format flame graph tools read (thread name first, root to leaf, then the count),
 * and {@code X.txt}, the summary {@link #stop} returns: CPU samples by thread (digits folded, so a
 * node's {@code replica-2} and {@code replica-3} count together), and the hottest frames by self
 * samples and by total samples.
 */
final class ServerProfile {
    private static final String RECORDING = "dynalog-bench";
    private static final long JCMD_TIMEOUT_SECONDS = 60;
    private static final int TOP = 20;
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    private final long pid;
    private final Path output;

    private ServerProfile(long pid, Path output) {
        this.pid = pid;
        this.output = output;
    }

    /** Starts recording in the JVM {@code pid} with JFR's {@code profile} settings (20 ms Java samples). */
    static ServerProfile start(long pid, Path output) {
        Path absolute = output.toAbsolutePath();
        try {
            Path parent = absolute.getParent();
            if (parent != null) Files.createDirectories(parent);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the directory of " + absolute, e);
        }
        jcmd(pid, "JFR.start", "name=" + RECORDING, "settings=profile");
        return new ServerProfile(pid, absolute);
    }

    /** Stops the recording, writes it and its summaries, and returns the summary. */
    String stop() {
        jcmd(pid, "JFR.stop", "name=" + RECORDING, "filename=" + output);
        Map<String, Long> byThread = new HashMap<>();
        Map<String, Long> selfByFrame = new HashMap<>();
        Map<String, Long> totalByFrame = new HashMap<>();
        Map<String, Long> collapsed = new HashMap<>();
        long samples = 0;
        try (RecordingFile recording = new RecordingFile(output)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                if (!event.getEventType().getName().equals("jdk.ExecutionSample")) continue;
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) continue;
                samples++;
                RecordedThread sampled = event.getThread("sampledThread");
                String thread = sampled == null || sampled.getJavaName() == null ? "?" : sampled.getJavaName();
                String threadGroup = DIGITS.matcher(thread).replaceAll("N");
                byThread.merge(threadGroup, 1L, Long::sum);
                List<RecordedFrame> frames = stack.getFrames();
                selfByFrame.merge(name(frames.get(0)), 1L, Long::sum);
                StringBuilder line = new StringBuilder(threadGroup.replace(';', ':'));
                Set<String> seen = new HashSet<>();
                for (int i = frames.size() - 1; i >= 0; i--) {
                    String frame = name(frames.get(i));
                    line.append(';').append(frame.replace(';', ':'));
                    if (seen.add(frame)) totalByFrame.merge(frame, 1L, Long::sum);
                }
                collapsed.merge(line.toString(), 1L, Long::sum);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the recording " + output, e);
        }
        String summary = summary(samples, byThread, selfByFrame, totalByFrame);
        try {
            Files.writeString(sibling(".txt"), summary, StandardCharsets.UTF_8);
            StringBuilder lines = new StringBuilder();
            collapsed.forEach((stack, count) -> lines.append(stack).append(' ').append(count).append('\n'));
            Files.writeString(sibling(".collapsed"), lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the summaries of " + output, e);
        }
        return summary;
    }

    Path output() {
        return output;
    }

    private String summary(long samples, Map<String, Long> byThread, Map<String, Long> self, Map<String, Long> total) {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        out.printf(Locale.ROOT, "JFR profile of process %d: %d execution samples (%s)%n", pid, samples, output);
        top(out, "by thread", byThread, samples);
        top(out, "by frame, self", self, samples);
        top(out, "by frame, total (the frame or anything it called)", total, samples);
        out.flush();
        return text.toString();
    }

    private static void top(PrintWriter out, String title, Map<String, Long> counts, long samples) {
        out.printf("%s:%n", title);
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(TOP)
                .forEach(e -> out.printf(Locale.ROOT, "  %6.1f %%  %7d  %s%n", 100.0 * e.getValue() / Math.max(1, samples),
                        e.getValue(), e.getKey()));
    }

    private static String name(RecordedFrame frame) {
        if (frame.getMethod() == null) return "?";
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private Path sibling(String suffix) {
        String file = output.getFileName().toString();
        String base = file.endsWith(".jfr") ? file.substring(0, file.length() - 4) : file;
        return output.resolveSibling(base + suffix);
    }

    /** Runs {@code jcmd pid command args...} from this JDK; fails, with what jcmd said, unless it succeeded. */
    private static void jcmd(long pid, String command, String... args) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> line = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid), command));
        line.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
            String said;
            try (var in = process.getInputStream()) {
                said = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (!process.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", line) + " did not finish in " + JCMD_TIMEOUT_SECONDS + " s");
            }
            // jcmd exits 0 even when the command failed in the target JVM; JFR says what it did.
            boolean done = process.exitValue() == 0
                    && (said.contains("Started recording") || said.contains("Stopped recording") || said.contains("written to"));
            if (!done) throw new IllegalStateException(String.join(" ", line) + " failed: " + said);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + jcmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + jcmd, e);
        }
    }
}
