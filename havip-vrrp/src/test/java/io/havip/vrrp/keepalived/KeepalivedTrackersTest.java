package io.havip.vrrp.keepalived;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.vrrp.keepalived.KeepalivedRouters.Mapping;
import io.havip.vrrp.config.ConfigException;
import io.havip.vrrp.config.KeepalivedConfig;
import io.havip.vrrp.config.KeepalivedConfigReader;
import io.havip.vrrp.config.TrackProcessConfig;
import io.havip.vrrp.config.TrackProcessConfig.ParamMatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** track_file and vrrp_track_process: as read, as mapped, and against real files and real processes. */
class KeepalivedTrackersTest {

    private static final Path ORIGIN = Path.of("/etc/keepalived/keepalived.conf");

    private static final String INSTANCE = "vrrp_instance VI {\n interface eth0\n virtual_router_id 51\n priority 100\n"
            + " virtual_ipaddress {\n  198.51.100.50\n }\n TRACK}\n";

    private static KeepalivedConfig read(String blocks, String track) {
        return KeepalivedConfigReader.parse(blocks + INSTANCE.replace("TRACK", track), ORIGIN);
    }

    @Test
    void trackFileAndTrackProcessAreReadWithKeepalivedsDefaultsAndWeights() {
        KeepalivedConfig c = read("track_file tf {\n file \"/run/my app/prio\"\n weight -10\n init_file 5 overwrite\n}\n"
                + "vrrp_track_file old {\n file /run/old\n}\n"
                + "vrrp_track_process haproxy {\n process haproxy\n quorum 2\n quorum_max 4\n delay 1.5\n weight 20\n}\n"
                + "vrrp_track_process full {\n process /usr/sbin/nginx -g \"daemon off;\"\n param_match partial\n"
                + " fork_delay 2\n}\n",
                "track_file {\n  tf\n  old weight 3 reverse\n  missing\n }\n track_process {\n  haproxy\n  full weight 0\n }\n");
        assertThat(c.trackFiles()).containsOnlyKeys("tf", "old");
        assertThat(c.trackFiles().get("tf").file()).isEqualTo("/run/my app/prio");
        assertThat(c.trackFiles().get("tf").weight()).isEqualTo(-10);
        assertThat(c.trackFiles().get("tf").initValue()).hasValue(5);
        assertThat(c.trackFiles().get("tf").overwrite()).isTrue();
        assertThat(c.trackFiles().get("old").weight()).as("keepalived's default weight").isEqualTo(1);
        TrackProcessConfig h = c.trackProcesses().get("haproxy");
        assertThat(h.command()).containsExactly("haproxy");
        assertThat(h.quorum()).isEqualTo(2);
        assertThat(h.quorumMax()).isEqualTo(4);
        assertThat(h.forkDelay()).isEqualTo(Duration.ofMillis(1500)).isEqualTo(h.terminateDelay());
        TrackProcessConfig f = c.trackProcesses().get("full");
        assertThat(f.command()).containsExactly("/usr/sbin/nginx", "-g", "daemon off;");
        assertThat(f.paramMatch()).isEqualTo(ParamMatch.PARTIAL);
        assertThat(f.quorumMax()).isEqualTo(Integer.MAX_VALUE);
        var i = c.instances().get(0);
        assertThat(i.trackFiles()).extracting(t -> t.name() + " " + t.weight() + " " + t.reverse())
                .containsExactly("tf -10 false", "old 3 true");
        assertThat(i.trackProcesses()).extracting(t -> t.name() + " " + t.weight()).containsExactly("haproxy 20", "full 0");
        assertThat(c.warnings()).extracting(w -> w.location().line() + ": " + w.message())
                .containsExactly("31: vrrp_instance 'VI': track_file 'missing' names no track_file block; tracker ignored,"
                        + " as keepalived does");
        assertThat(i.writtenAt("track_file")).isPresent();
        assertThat(i.writtenAt("priority").orElseThrow().line()).isEqualTo(24);
    }

    @Test
    void badTrackerValuesAreRefusedWithTheirLine() {
        assertThatThrownBy(() -> read("vrrp_track_process p {\n process x\n quorum 3\n quorum_max 1\n}\n", ""))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(ORIGIN + ":1: key 'quorum_max': vrrp_track_process 'p': quorum_max 1 is below"
                        + " quorum 3");
        assertThatThrownBy(() -> read("vrrp_track_process p {\n process x\n weight 255\n}\n", ""))
                .hasMessageStartingWith(ORIGIN + ":3: key 'weight': 255 is out of range");
        assertThatThrownBy(() -> read("track_file f {\n file /x\n}\n", "track_file {\n  f weight 300\n }\n"))
                .hasMessage(ORIGIN + ":12: key 'track_file': weight 300 of 'f' is not a whole number in range (allowed: -254..254)");
    }

    @Test
    void aFileReadsAsKeepalivedReadsIt(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("v");
        KeepalivedTrackers.FileTrack t = new KeepalivedTrackers.FileTrack("f", p, -10);
        assertThat(t.read()).as("missing").isZero();
        for (String[] c : new String[][] {{"7\n", "7"}, {"  -3  \n", "-3"}, {"12 apples\n", "12"}, {"", "0"},
                {"abc", "0"}, {"+4", "4"}, {"\u0661\u0662", "0"}}) {
            Files.writeString(p, c[0]);
            assertThat(t.read()).as("file holding \"%s\"", c[0]).isEqualTo(Long.parseLong(c[1]));
        }
        assertThat(t.delta(3)).isEqualTo(-30);
        assertThat(t.ok(25)).as("-250 >= -253").isTrue();
        assertThat(t.ok(26)).as("-260 < -253: FAULT").isFalse();
        KeepalivedTrackers.FileTrack zero = new KeepalivedTrackers.FileTrack("z", p, 0);
        assertThat(zero.ok(0)).isTrue();
        assertThat(zero.ok(-1)).isFalse();
        assertThat(zero.ok(1)).isFalse();
        assertThat(new KeepalivedTrackers.FileTrack("big", p, Integer.MAX_VALUE).delta(Long.MAX_VALUE / 2))
                .isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void thePriorityFollowsTheSumOfTheFilesWithinOneTo254() {
        KeepalivedTrackers.PriorityFollower f = new KeepalivedTrackers.PriorityFollower("VI", 100);
        f.update("a", 30);
        f.update("b", -20);
        assertThat(f.wanted()).isEqualTo(110);
        f.update("a", 500);
        assertThat(f.wanted()).isEqualTo(254);
        f.update("a", -500);
        assertThat(f.wanted()).isEqualTo(1);
    }

    /** A copy of sleep(1) under a name no other process has, so the count is this test's alone. */
    private static Path uniqueSleep(Path dir) throws IOException {
        Path copy = dir.resolve("hvslp" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36));
        Files.copy(Path.of("/bin/sleep"), copy);
        copy.toFile().setExecutable(true);
        return copy;
    }

    private static TrackProcessConfig process(List<String> command, ParamMatch match, boolean matchSet, boolean full,
                                              int quorum, int quorumMax) {
        return new TrackProcessConfig("p", command, match, matchSet, full, 0, false, quorum, quorumMax, Duration.ZERO,
                Duration.ZERO, new io.havip.vrrp.config.SourceLocation("t", 1));
    }

    @Test
    void aProcessIsCountedByNameOrCommandLineFromProc(@TempDir Path dir) throws Exception {
        Path sleep = uniqueSleep(dir);
        String name = sleep.getFileName().toString();
        List<Process> started = new ArrayList<>();
        try {
            KeepalivedTrackers.ProcessTrack byName = new KeepalivedTrackers.ProcessTrack(process(List.of(name),
                    ParamMatch.EXACT, false, false, 2, 2));
            assertThat(byName.count()).isZero();
            assertThat(byName.ok(0)).isFalse();
            started.add(new ProcessBuilder(sleep.toString(), "300").start());
            started.add(new ProcessBuilder(sleep.toString(), "301").start());
            awaitCount(byName, 2);
            assertThat(byName.ok(2)).isTrue();
            KeepalivedTrackers.ProcessTrack exact = new KeepalivedTrackers.ProcessTrack(process(List.of(sleep.toString(),
                    "300"), ParamMatch.EXACT, false, false, 1, Integer.MAX_VALUE));
            assertThat(exact.count()).isEqualTo(1);
            KeepalivedTrackers.ProcessTrack initial = new KeepalivedTrackers.ProcessTrack(process(List.of(sleep.toString(),
                    "30"), ParamMatch.INITIAL, true, false, 1, Integer.MAX_VALUE));
            assertThat(initial.count()).isEqualTo(2);
            KeepalivedTrackers.ProcessTrack noParams = new KeepalivedTrackers.ProcessTrack(process(List.of(sleep.toString()),
                    ParamMatch.EXACT, true, false, 1, Integer.MAX_VALUE));
            assertThat(noParams.count()).as("param_match with no parameters: processes without parameters").isZero();
            KeepalivedTrackers.ProcessTrack partial = new KeepalivedTrackers.ProcessTrack(process(List.of(sleep.toString()),
                    ParamMatch.PARTIAL, true, true, 1, Integer.MAX_VALUE));
            assertThat(partial.count()).isEqualTo(2);
            started.get(0).destroy();
            started.get(0).waitFor(10, TimeUnit.SECONDS);
            awaitCount(byName, 1);
            assertThat(byName.ok(1)).as("below quorum 2").isFalse();
            assertThat(exact.count()).isZero();
        } finally {
            started.forEach(Process::destroyForcibly);
        }
    }

    private static void awaitCount(KeepalivedTrackers.ProcessTrack t, int expected) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.count() != expected) {
            assertThat(System.nanoTime()).as("count %d within 10 s", expected).isLessThan(end);
            Thread.sleep(20);
        }
    }

    @Test
    void mappedTrackersBecomeHealthChecksAndTheirSettings() {
        Mapping m = KeepalivedRouters.map(read("track_file tf {\n file /run/prio\n weight 2\n}\n"
                + "vrrp_track_process hp {\n process haproxy\n weight 0 reverse\n fork_delay 1\n}\n"
                + "vrrp_track_process bad {\n process nginx\n weight 5 reverse\n}\n",
                "track_file {\n  tf\n }\n track_process {\n  hp\n  bad\n }\n"), c -> () -> true);
        assertThat(m.routers().get("VI").settings().tracked()).containsExactly("track_file tf: /run/prio, weight 2",
                "track_process hp: haproxy, param_match exact, quorum 1, weight 0 reverse, rise 3, fall 1");
        assertThat(m.warnings()).extracting(w -> w.message()).containsExactly("vrrp_instance 'VI': track_process bad with"
                + " weight 5 reverse is not supported (only weight 0 reverse); tracker ignored");
    }
}
