package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Cmd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example unit {@code havip-examples/systemd/havipd.service}: {@code systemd-analyze verify}
 * finds nothing to say about it (it does say something about a copy with an unknown key, so the
 * check can fail), and it keeps the promises its comments make: the two capabilities only,
 * reload = check then SIGHUP to the main process, the run directory havipd --status reads.
 */
class HavipdSystemdUnitTest {

    private static final Path UNIT = Path.of("systemd", "havipd.service");

    private static void requireSystemdAnalyze() {
        if (Cmd.onPath("systemd-analyze")) {
            return;
        }
        String message = "the systemd unit check needs the `systemd-analyze` command (Debian package systemd)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail("CI=true, so this is a failure, not a skip: " + message);
        }
        Assumptions.abort(message);
    }

    @Test
    void systemdAnalyzeVerifyHasNothingToSay(@TempDir Path dir) throws IOException {
        requireSystemdAnalyze();
        assertThat(UNIT).as("run from the havip-examples directory").exists();
        Cmd.Result r = Cmd.run("systemd-analyze", "verify", UNIT.toAbsolutePath().toString());
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout() + r.stderr()).as("systemd-analyze verify output").isEmpty();

        Path broken = Files.writeString(dir.resolve("havipd.service"), Files.readString(UNIT)
                .replace("KillSignal=SIGTERM", "KillSignal=SIGTERM\nFrobnicate=yes"));
        Cmd.Result b = Cmd.run("systemd-analyze", "verify", broken.toString());
        assertThat(b.stdout() + b.stderr()).as("the verifier reads the file").contains("Unknown key 'Frobnicate'");
    }

    @Test
    void theUnitGivesTwoCapabilitiesReloadsBySighupAndKeepsTheRunDirectory() throws IOException {
        String unit = Files.readString(UNIT);
        assertThat(unit).contains("\nAmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW\n",
                "\nCapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW\n", "\nNoNewPrivileges=yes\n",
                "\nExecReload=/usr/bin/java -jar /opt/havip/havipd.jar --check -f /etc/keepalived/keepalived.conf\n"
                        + "ExecReload=/bin/kill -HUP $MAINPID\n",
                "\nRuntimeDirectory=havipd\n", "--run-dir /run/havipd\n", "\nKillSignal=SIGTERM\n");
        assertThat(Havipd.DEFAULT_RUN_DIR).hasToString("/run/havipd");
    }
}
