package io.dynalog.node.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench's server profile, taken of this test's own JVM through jcmd, as the bench takes a server's. */
class ServerProfileTest {

    @Test
    void aRecordingOfABusyThreadNamesItAndItsHottestFrame(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("profile.jfr");
        ServerProfile profile = ServerProfile.start(ProcessHandle.current().pid(), output);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread burner = new Thread(() -> {
            long x = 0;
            while (running.get()) x = spin(x);
        }, "profile-burner-7");
        burner.start();
        try {
            Thread.sleep(1_500);
        } finally {
            running.set(false);
            burner.join();
        }

        String summary = profile.stop();

        assertThat(output).exists();
        // Digits are folded, so that the same role on several nodes counts together.
        assertThat(summary).contains("by thread:").contains("profile-burner-N")
                .contains(ServerProfileTest.class.getName() + ".spin");
        assertThat(dir.resolve("profile.txt")).hasContent(summary.strip());
        assertThat(Files.readAllLines(dir.resolve("profile.collapsed")))
                .anySatisfy(line -> assertThat(line).startsWith("profile-burner-N;").contains(ServerProfileTest.class.getName() + ".spin"));
    }

    @Test
    void aProcessThatIsNotThereFailsSayingWhatJcmdSaid(@TempDir Path dir) {
        assertThatThrownBy(() -> ServerProfile.start(Long.MAX_VALUE / 2, dir.resolve("none.jfr")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("JFR.start");
    }

    private static long spin(long x) {
        for (int i = 0; i < 10_000; i++) x = x * 6364136223846793005L + 1442695040888963407L;
        return x;
    }
}
