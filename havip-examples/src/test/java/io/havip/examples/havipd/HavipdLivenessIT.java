package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.IpAddress;
import io.havip.examples.havipd.VrrpDaemon.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * havipd's liveness channel configured the way the README documents it: the keepalived.conf
 * every host shares ends with {@code include DIR/havip/*.conf}, and only havipd hosts have a
 * file there with the {@code havip { ... }} block and a secret file. The cloud guide's unicast
 * pair (both BACKUP, nopreempt, 1 s adverts) runs on the testbed.
 *
 * <ul>
 *   <li>two havipd nodes: SIGKILL of the master's daemon moves the address by
 *       MASTER_PROCESS_DIED, long before Master_Down_Interval (3.6 s);</li>
 *   <li>keepalived beside havipd, keepalived's host without the file: keepalived reads the same
 *       file without complaint (only its note that the include matched nothing), nothing
 *       changes for it, and havipd falls back to the VRRP timers when it dies.</li>
 * </ul>
 */
@ExtendWith(TestbedExtension.class)
class HavipdLivenessIT {

    private static final IpAddress VIP = IpAddress.parse("198.51.100.50");
    private static final Duration CONVERGE = Duration.ofSeconds(12);
    private static final String SECRET = "havipd liveness IT secret, 40 bytes long";

    /** The shared file: the cloud guide on the testbed plus the include only havipd hosts satisfy. */
    private static Path conf(String fixture, NodeDir dir, Node n1, Node n2) throws IOException {
        return dir.writeConf(HavipdDropInIT.cloudGuide(fixture, dir, n1, n2) + "\ninclude " + dir.dir() + "/havip/*.conf\n");
    }

    /** What a havipd host adds: DIR/havip/liveness.conf with the block, and the secret readable by root only. */
    private static void havipFiles(NodeDir dir) throws IOException {
        Path etc = Files.createDirectories(dir.dir().resolve("havip"));
        Path secret = Files.writeString(etc.resolve("secret"), SECRET + "\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(etc.resolve("liveness.conf"), "havip {\n    liveness_secret_file " + secret + "\n"
                + "    liveness_grace_ms 10\n}\n");
    }

    private static VrrpDaemon start(List<VrrpDaemon> started, Kind kind, Node node, Path conf) {
        VrrpDaemon d = VrrpDaemon.start(kind, node, conf);
        started.add(d);
        return d;
    }

    private static void dump(List<VrrpDaemon> daemons) {
        for (VrrpDaemon d : daemons) {
            System.out.printf("--- %s: %s%n%s", d, String.join(" ", d.command()), HavipdDropInIT.tail(d.log(), 6000));
        }
    }

    @Test
    void killedMastersDaemonIsReplacedByProcessDeathNotByTheTimers(Testbed net) throws Exception {
        LinuxTestRequirements.require("ip", "ping");
        Node n1 = net.addNode("node1");
        Node n2 = net.addNode("node2");
        Node client = net.addNode("client");
        List<Node> routers = List.of(n1, n2);
        List<VrrpDaemon> daemons = new ArrayList<>();
        try (NodeDir d1 = NodeDir.create("node1"); NodeDir d2 = NodeDir.create("node2")) {
            Path conf1 = conf("cloud-guide-primary.conf", d1, n1, n2);
            Path conf2 = conf("cloud-guide-secondary.conf", d2, n1, n2);
            havipFiles(d1);
            havipFiles(d2);
            try {
                VrrpDaemon a = start(daemons, Kind.HAVIPD, n1, conf1);
                d1.awaitNotifications(List.of("BACKUP", "MASTER"), CONVERGE, a);
                VrrpDaemon b = start(daemons, Kind.HAVIPD, n2, conf2);
                d2.awaitNotifications(List.of("BACKUP"), CONVERGE, b);
                b.awaitLog("liveness channel to " + n1.ipv4() + " up", CONVERGE);
                a.awaitLog("liveness channel to " + n2.ipv4() + " up", CONVERGE);
                VipView.awaitHolders(routers, VIP, List.of("node1"), CONVERGE);
                VipView.awaitClientReaches(client, VIP, n1, CONVERGE);
                assertThat(b.log()).contains("liveness channel LivenessConfig[port 11200+vrid, grace PT0.01S");
                // node2 acts on a death only of the master it follows, so it must have heard one of
                // node1's adverts (every 1 s) since it started: the channel can be up before that
                Thread.sleep(1_500);

                long killedAt = System.nanoTime();
                a.kill();
                d2.awaitNotifications(List.of("BACKUP", "MASTER"), CONVERGE, b);
                double ms = (System.nanoTime() - killedAt) / 1e6;
                System.out.printf("havipd: SIGKILL of the master's daemon to node2's notify_master line: %.0f ms%n", ms);
                assertThat(b.log()).as("node2's log").contains("BACKUP -> MASTER (master process died, priority 100)");
                // Master_Down_Interval at advert_int 1 and priority 100 is 3.61 s; the notify script runs
                // after the takeover (a fork and a shell on a loaded host), so the bound is generous.
                assertThat(ms).isLessThan(2_000.0);
                assertThat(VipView.holds(n2, VIP)).isTrue();
                VipView.awaitClientReaches(client, VIP, n2, CONVERGE);
                for (VrrpDaemon d : daemons) {
                    assertThat(d.log()).as("%s never prints the secret", d).doesNotContain("havipd liveness IT secret");
                }
                assertThat(b.terminate()).isZero();
            } finally {
                daemons.forEach(VrrpDaemon::close);
                dump(daemons);
            }
        }
    }

    @Test
    void keepalivedReadsTheSameFileAndNothingChangesForIt(Testbed net) throws Exception {
        LinuxTestRequirements.require("ip", "keepalived");
        Node n1 = net.addNode("node1");
        Node n2 = net.addNode("node2");
        List<Node> routers = List.of(n1, n2);
        List<VrrpDaemon> daemons = new ArrayList<>();
        try (NodeDir d1 = NodeDir.create("node1"); NodeDir d2 = NodeDir.create("node2")) {
            Path conf1 = conf("cloud-guide-primary.conf", d1, n1, n2); // keepalived host: no havip/ directory
            Path conf2 = conf("cloud-guide-secondary.conf", d2, n1, n2);
            havipFiles(d2);
            try {
                VrrpDaemon k = start(daemons, Kind.KEEPALIVED, n1, conf1);
                d1.awaitNotifications(List.of("BACKUP", "MASTER"), CONVERGE, k);
                VrrpDaemon h = start(daemons, Kind.HAVIPD, n2, conf2);
                d2.awaitNotifications(List.of("BACKUP"), CONVERGE, h);
                h.awaitLog("peer " + n1.ipv4() + " has no havip liveness channel on port 11251", CONVERGE);
                VrrpDaemon.sleep(2500); // more than two advert intervals: nothing may change
                assertThat(d1.notifications()).containsExactly("BACKUP", "MASTER");
                assertThat(d2.notifications()).containsExactly("BACKUP");
                VipView.awaitHolders(routers, VIP, List.of("node1"), CONVERGE);

                long killedAt = System.nanoTime();
                k.kill();
                d2.awaitNotifications(List.of("BACKUP", "MASTER"), CONVERGE, h);
                double ms = (System.nanoTime() - killedAt) / 1e6;
                System.out.printf("havipd beside keepalived: SIGKILL of keepalived to havipd's notify_master: %.0f ms%n",
                        ms);
                assertThat(h.log()).doesNotContain("master process died");
                // Master_Down_Interval (3.61 s) runs from keepalived's last advert, up to 1 s before the kill.
                assertThat(ms).as("plain VRRP timing").isGreaterThan(2_500.0);

                // The fixture itself draws keepalived warnings (vrrp_garp_interval 0); what the include adds
                // is one line saying it matched nothing, and keepalived runs on.
                List<String> remarks = k.log().lines().filter(l -> l.contains("Unknown keyword") || l.contains("/havip/")
                        || l.contains("liveness") || l.contains("Config files missing")).toList();
                assertThat(remarks).as("keepalived's log:%n%s", k.log()).singleElement().asString()
                        .contains("Config files missing '" + d1.dir() + "/havip/*.conf'");
            } finally {
                daemons.forEach(VrrpDaemon::close);
                dump(daemons);
            }
        }
    }
}
