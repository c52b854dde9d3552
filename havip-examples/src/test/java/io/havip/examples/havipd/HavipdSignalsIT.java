package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.IpAddress;
import io.havip.examples.havipd.VrrpDaemon.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * havipd's signals on the real network, two havipd nodes with two instances each (VI_1 holds
 * 198.51.100.50, VI_2 198.51.100.60; node1 priority 150, node2 100, preempt, unicast):
 * SIGHUP after node1's VI_1 priority dropped to 50 restarts only VI_1 (node2 preempts it) and
 * leaves VI_2 running untouched; SIGTERM hands VI_2 over gracefully and exits 0. The generic
 * {@code notify} script records every change as keepalived passes it ({@code INSTANCE NAME STATE PRIORITY}).
 */
@ExtendWith(TestbedExtension.class)
class HavipdSignalsIT {

    private static final IpAddress VIP1 = IpAddress.parse("198.51.100.50");
    private static final IpAddress VIP2 = IpAddress.parse("198.51.100.60");
    private static final Duration CONVERGE = Duration.ofSeconds(12);

    @Test
    void sighupRestartsOnlyTheChangedInstanceAndSigtermHandsOver(Testbed net) throws Exception {
        LinuxTestRequirements.require("ip", "ping");
        Node n1 = net.addNode("node1");
        Node n2 = net.addNode("node2");
        Node client = net.addNode("client");
        List<Node> routers = List.of(n1, n2);
        List<VrrpDaemon> daemons = new ArrayList<>();
        try (NodeDir d1 = NodeDir.create("node1"); NodeDir d2 = NodeDir.create("node2")) {
            Path conf1 = d1.writeConf(conf(d1, n1, n2, 150, 150));
            Path conf2 = d2.writeConf(conf(d2, n2, n1, 100, 100));
            try {
                // node1 starts under nohup, with SIGHUP ignored: havipd must still reload on it
                VrrpDaemon h1 = VrrpDaemon.start(Kind.HAVIPD, n1, conf1, true);
                h1.awaitLog("SIGHUP was ignored when havipd started (nohup?); restored", CONVERGE);
                daemons.add(h1);
                VrrpDaemon h2 = VrrpDaemon.start(Kind.HAVIPD, n2, conf2);
                daemons.add(h2);
                awaitInstance(d1, "VI_1", List.of("BACKUP 150", "MASTER 150"), h1);
                awaitInstance(d1, "VI_2", List.of("BACKUP 150", "MASTER 150"), h1);
                awaitInstance(d2, "VI_1", List.of("BACKUP 100"), h2);
                awaitInstance(d2, "VI_2", List.of("BACKUP 100"), h2);
                VipView.awaitHolders(routers, VIP1, List.of("node1"), CONVERGE);
                VipView.awaitHolders(routers, VIP2, List.of("node1"), CONVERGE);

                // SIGHUP with VI_1's priority lowered: only VI_1 restarts; node2 preempts it
                d1.writeConf(conf(d1, n1, n2, 50, 150));
                h1.hangUp();
                h1.awaitLog("unchanged, left running: [VI_2]", CONVERGE);
                awaitInstance(d1, "VI_1", List.of("BACKUP 150", "MASTER 150", "STOP 150", "BACKUP 50"), h1);
                awaitInstance(d2, "VI_1", List.of("BACKUP 100", "MASTER 100"), h2);
                VipView.awaitHolders(routers, VIP1, List.of("node2"), CONVERGE);
                VipView.awaitClientReaches(client, VIP1, n2, CONVERGE);
                assertThat(instance(d1, "VI_2")).as("VI_2 untouched by the reload").containsExactly("BACKUP 150", "MASTER 150");
                assertThat(instance(d2, "VI_2")).containsExactly("BACKUP 100");
                assertThat(VipView.holders(routers, VIP2)).containsExactly("node1");
                VipView.awaitClientReaches(client, VIP2, n1, CONVERGE);
                assertThat(h1.log()).contains("VI_1: stopping (settings changed)").doesNotContain("VI_2: stopping");

                // SIGTERM: VI_2 is handed over (node2 hears the release, not a timeout), exit 0
                long stoppedAt = System.nanoTime();
                assertThat(h1.terminate()).as("exit status after SIGTERM; log:\n" + h1.log()).isZero();
                awaitInstance(d2, "VI_2", List.of("BACKUP 100", "MASTER 100"), h2);
                long handoverMs = (System.nanoTime() - stoppedAt) / 1_000_000;
                System.out.printf("HavipdSignalsIT: node2 master of VI_2 %d ms after SIGTERM to node1%n", handoverMs);
                h2.awaitLog("VI_2: BACKUP -> MASTER (master released", CONVERGE);
                awaitInstance(d1, "VI_2", List.of("BACKUP 150", "MASTER 150", "STOP 150"), h1);
                awaitInstance(d1, "VI_1", List.of("BACKUP 150", "MASTER 150", "STOP 150", "BACKUP 50", "STOP 50"), h1);
                VipView.awaitHolders(routers, VIP2, List.of("node2"), CONVERGE);
                VipView.awaitClientReaches(client, VIP2, n2, CONVERGE);
                assertThat(h2.terminate()).isZero();
                // every line either daemon logged, start to SIGTERM, carries an ISO-8601 time stamp with milliseconds
                assertStamped(h1);
                assertStamped(h2);
                VipView.awaitHolders(routers, VIP1, List.of(), CONVERGE);
                VipView.awaitHolders(routers, VIP2, List.of(), CONVERGE);
            } finally {
                daemons.forEach(VrrpDaemon::close);
                for (VrrpDaemon d : daemons) {
                    System.out.printf("--- %s: %s%n%s", d, String.join(" ", d.command()), HavipdDropInIT.tail(d.log(), 6000));
                }
            }
        }
    }

    /** Two instances over unicast, advert_int 1, preempt (the default), every change to the generic notify script. */
    private static String conf(NodeDir dir, Node self, Node peer, int priority1, int priority2) {
        StringBuilder b = new StringBuilder("global_defs {\n  router_id havipd_it_" + self.name() + "\n}\n");
        String[][] instances = {{"VI_1", "51", VIP1.toString(), Integer.toString(priority1)},
                {"VI_2", "52", VIP2.toString(), Integer.toString(priority2)}};
        for (String[] i : instances) {
            b.append("vrrp_instance ").append(i[0]).append(" {\n")
                    .append("  state BACKUP\n  interface eth0\n  virtual_router_id ").append(i[1]).append('\n')
                    .append("  priority ").append(i[3]).append("\n  advert_int 1\n")
                    .append("  unicast_src_ip ").append(self.ipv4()).append('\n')
                    .append("  unicast_peer {\n    ").append(peer.ipv4()).append("\n  }\n")
                    .append("  virtual_ipaddress {\n    ").append(i[2]).append("/24 dev eth0\n  }\n")
                    .append("  notify ").append(dir.notifyScript()).append('\n')
                    .append("}\n");
        }
        return b.toString();
    }

    /** ISO 8601 with milliseconds and offset, then a space: {@code 2026-12-07T13:05:09.417+01:00 }. */
    private static final Pattern STAMPED = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}"
            + "(Z|[+-]\\d{2}:\\d{2}) \\S.*");

    /** Each line of {@code daemon}'s standard output and error is stamped (nohup's own notice aside). */
    private static void assertStamped(VrrpDaemon daemon) {
        List<String> lines = daemon.log().lines().filter(l -> !l.startsWith("nohup: ")).toList();
        assertThat(lines).as("havipd's log").hasSizeGreaterThan(5)
                .allSatisfy(l -> assertThat(l).as("a log line").matches(STAMPED));
    }

    /** What the generic notify wrote for {@code instance}: "STATE PRIORITY" per change. */
    private static List<String> instance(NodeDir dir, String instance) {
        String prefix = "INSTANCE " + instance + " ";
        return dir.notifications().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).toList();
    }

    private static void awaitInstance(NodeDir dir, String instance, List<String> expected, VrrpDaemon daemon) {
        long end = System.nanoTime() + CONVERGE.toNanos();
        List<String> now;
        while (!(now = instance(dir, instance)).equals(expected)) {
            if (System.nanoTime() > end || now.size() > expected.size()) {
                throw new AssertionError(daemon + ": notify for " + instance + " wrote " + now + ", expected " + expected
                        + "\n--- log:\n" + daemon.log());
            }
            VrrpDaemon.sleep(20);
        }
    }
}
