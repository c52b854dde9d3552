package io.havip.examples.havipd;

import static io.havip.examples.havipd.HavipdStatusIT.awaitState;
import static io.havip.examples.havipd.HavipdStatusIT.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.IpAddress;
import io.havip.examples.havipd.VrrpDaemon.Kind;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * keepalived's trackers and notify FIFO run by havipd on the real network: node1 (priority 150)
 * tracks a real process with {@code vrrp_track_process} (weight 0: FAULT while it is not
 * running), node2 (priority 100) a {@code track_file} (weight 1: the file's integer is added to
 * the priority) and writes its changes to a {@code vrrp_notify_fifo}. The process is killed and
 * started again, the file written, and the address follows; the FIFO's lines are compared with
 * the lines keepalived itself writes for the same file.
 */
@ExtendWith(TestbedExtension.class)
class HavipdTrackersIT {

    private static final IpAddress VIP = IpAddress.parse("198.51.100.50");
    private static final Duration CONVERGE = Duration.ofSeconds(12);

    /** Reads lines from a FIFO on a thread of its own until the test ends. */
    private static final class FifoReader implements AutoCloseable {
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;

        FifoReader(Path fifo) {
            Cmd.run("mkfifo", "-m", "0600", fifo.toString()).check();
            thread = new Thread(() -> {
                try (BufferedReader r = Files.newBufferedReader(fifo, StandardCharsets.UTF_8)) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    lines.add("read error: " + e);
                }
            }, "fifo-reader");
            thread.setDaemon(true);
            thread.start();
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        void await(List<String> expected) {
            long end = System.nanoTime() + CONVERGE.toNanos();
            while (!lines().equals(expected)) {
                assertThat(System.nanoTime()).as("FIFO lines %s, expected %s", lines(), expected).isLessThan(end);
                VrrpDaemon.sleep(20);
            }
        }

        @Override
        public void close() {
            thread.interrupt();
        }
    }

    /** A copy of sleep(1) under a name no other process has; its process name is the file name. */
    private static Path uniqueSleep(Path dir) throws IOException {
        Path copy = dir.resolve("hvtrk" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36));
        Files.copy(Path.of("/bin/sleep"), copy);
        copy.toFile().setExecutable(true);
        return copy;
    }

    @Test
    void theAddressFollowsATrackedProcessAndATrackFileAndTheFifoSaysSoInOrder(Testbed net) throws Exception {
        LinuxTestRequirements.require("ip", "mkfifo");
        Node n1 = net.addNode("node1");
        Node n2 = net.addNode("node2");
        List<VrrpDaemon> daemons = new ArrayList<>();
        List<Process> tracked = new ArrayList<>();
        try (NodeDir d1 = NodeDir.create("node1"); NodeDir d2 = NodeDir.create("node2")) {
            Path sleep = uniqueSleep(d1.dir());
            String name = sleep.getFileName().toString();
            Path file = d2.dir().resolve("prio");
            Path fifo = d2.dir().resolve("notify.fifo");
            Path conf1 = d1.writeConf("vrrp_track_process app {\n  process " + name + "\n  weight 0\n}\n"
                    + instance(n1, n2, 150, "  track_process {\n    app\n  }\n"));
            Path conf2 = d2.writeConf("global_defs {\n  vrrp_notify_fifo " + fifo + "\n}\n"
                    + "track_file prio {\n  file " + file + "\n  weight 1\n  init_file 0\n}\n"
                    + instance(n2, n1, 100, "  track_file {\n    prio\n  }\n"));
            tracked.add(new ProcessBuilder(sleep.toString(), "600").start());
            try (FifoReader lines = new FifoReader(fifo)) {
                VrrpDaemon h1 = VrrpDaemon.start(Kind.HAVIPD, n1, conf1);
                daemons.add(h1);
                VrrpDaemon h2 = VrrpDaemon.start(Kind.HAVIPD, n2, conf2);
                daemons.add(h2);
                assertThat(Files.readString(file)).as("init_file").isEqualTo("0\n");
                awaitState(h1, "MASTER");
                awaitState(h2, "BACKUP");
                VipView.awaitHolders(List.of(n1, n2), VIP, List.of("node1"), CONVERGE);

                // the tracked process ends: node1 goes to FAULT, node2 takes over
                long t0 = System.nanoTime();
                tracked.get(0).destroy();
                tracked.get(0).waitFor(10, TimeUnit.SECONDS);
                awaitState(h1, "FAULT");
                long faultMs = (System.nanoTime() - t0) / 1_000_000;
                awaitState(h2, "MASTER");
                long takeoverMs = (System.nanoTime() - t0) / 1_000_000;
                VipView.awaitHolders(List.of(n1, n2), VIP, List.of("node2"), CONVERGE);

                // it runs again: node1 leaves FAULT and preempts (150 > 100)
                tracked.add(new ProcessBuilder(sleep.toString(), "600").start());
                awaitState(h1, "MASTER");
                awaitState(h2, "BACKUP");
                VipView.awaitHolders(List.of(n1, n2), VIP, List.of("node1"), CONVERGE);

                // 100 in node2's file: priority 200, node2 preempts
                long t1 = System.nanoTime();
                Files.writeString(file, "100\n");
                awaitState(h2, "MASTER");
                long fileMs = (System.nanoTime() - t1) / 1_000_000;
                assertThat(status(h2.runDir()).report().get("vrrp_instances").get(0).get("effective_priority").asInt())
                        .isEqualTo(200);
                VipView.awaitHolders(List.of(n1, n2), VIP, List.of("node2"), CONVERGE);

                // -300 times weight 1 is below -253: FAULT, node1 takes over
                Files.writeString(file, "-300\n");
                awaitState(h2, "FAULT");
                awaitState(h1, "MASTER");
                VipView.awaitHolders(List.of(n1, n2), VIP, List.of("node1"), CONVERGE);

                assertThat(h2.terminate()).isZero();
                lines.await(List.of("INSTANCE \"VI_1\" BACKUP 100", "INSTANCE \"VI_1\" MASTER 100",
                        "INSTANCE \"VI_1\" BACKUP 100", "INSTANCE \"VI_1\" MASTER 200", "INSTANCE \"VI_1\" FAULT 100",
                        "INSTANCE \"VI_1\" STOP 100"));
                assertThat(fifo).as("the FIFO the test made stays").exists();
                System.out.printf("HavipdTrackersIT: process killed -> node1 FAULT %d ms, node2 MASTER %d ms;"
                        + " track_file 100 -> node2 MASTER %d ms%n", faultMs, takeoverMs, fileMs);
            } finally {
                tracked.forEach(Process::destroyForcibly);
                daemons.forEach(VrrpDaemon::close);
                for (VrrpDaemon d : daemons) {
                    System.out.printf("--- %s%n%s", d, HavipdDropInIT.tail(d.log(), 4000));
                }
            }
        }
    }

    /**
     * The FIFO lines of one instance alone on its segment (BACKUP, then MASTER at master down,
     * then STOP at SIGTERM), from keepalived and from havipd given the same file: identical.
     */
    @Test
    void theFifoLinesAreKeepalivedsOwn(Testbed net) throws Exception {
        LinuxTestRequirements.require("ip", "mkfifo", "keepalived");
        Node k = net.addNode("kad");
        Node h = net.addNode("hvd");
        try (NodeDir dk = NodeDir.create("keepalived"); NodeDir dh = NodeDir.create("havipd")) {
            List<List<String>> got = new ArrayList<>();
            for (Object[] c : new Object[][] {{Kind.KEEPALIVED, k, dk, 61}, {Kind.HAVIPD, h, dh, 62}}) {
                NodeDir dir = (NodeDir) c[2];
                Path fifo = dir.dir().resolve("notify.fifo");
                Path conf = dir.writeConf("global_defs {\n  vrrp_notify_fifo " + fifo + "\n}\n"
                        + "vrrp_instance VI_F {\n  state BACKUP\n  interface eth0\n  virtual_router_id " + c[3]
                        + "\n  priority 90\n  advert_int 1\n  virtual_ipaddress {\n    198.51.100." + c[3] + "/24\n  }\n}\n");
                try (FifoReader lines = new FifoReader(fifo); VrrpDaemon d = VrrpDaemon.start((Kind) c[0], (Node) c[1], conf)) {
                    long end = System.nanoTime() + CONVERGE.toNanos();
                    while (!lines.lines().contains("INSTANCE \"VI_F\" MASTER 90") && System.nanoTime() < end) {
                        VrrpDaemon.sleep(20);
                    }
                    assertThat(d.terminate()).isZero();
                    VrrpDaemon.sleep(500);
                    got.add(lines.lines());
                    System.out.printf("HavipdTrackersIT: %s wrote %s%n", c[0], lines.lines());
                }
            }
            assertThat(got.get(0)).as("keepalived's lines").contains("INSTANCE \"VI_F\" MASTER 90");
            assertThat(got.get(1)).as("havipd's lines, keepalived's: " + got.get(0)).isEqualTo(got.get(0));
        }
    }

    private static String instance(Node self, Node peer, int priority, String trackers) {
        return "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority " + priority
                + "\n  advert_int 1\n  unicast_src_ip " + self.ipv4() + "\n  unicast_peer {\n    " + peer.ipv4()
                + "\n  }\n  virtual_ipaddress {\n    198.51.100.50/24 dev eth0\n  }\n" + trackers + "}\n";
    }
}
