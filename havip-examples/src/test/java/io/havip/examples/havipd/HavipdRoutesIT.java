package io.havip.examples.havipd;

import static io.havip.examples.havipd.HavipdStatusIT.awaitState;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.examples.havipd.VrrpDaemon.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code virtual_routes} and {@code virtual_rules} follow the master, added and deleted through
 * rtnetlink: two havipd nodes with the same routes (a route via the client, a blackhole in table
 * 100) and rule (from 203.0.113.0/25 lookup 100); routes and rule are
 * on the master only, as {@code ip route} and {@code ip rule} in each namespace show, and move when the master is
 * stopped (SIGTERM: deleted there, added on the new master).
 */
@ExtendWith(TestbedExtension.class)
class HavipdRoutesIT {

    private static final Duration CONVERGE = Duration.ofSeconds(12);

    private static String routes(Node n) {
        // table 100 does not exist until a route is in it: ip route then says so and exits 2
        return n.exec("ip", "route", "show", "table", "main").check().stdout() + n.exec("ip", "route", "show", "table",
                "100").stdout();
    }

    private static void awaitRoutes(Node n, boolean present) {
        long end = System.nanoTime() + CONVERGE.toNanos();
        while (true) {
            String r = routes(n);
            boolean has1 = r.contains("203.0.113.0/25 via ");
            boolean has2 = r.contains("blackhole 203.0.113.128/25 proto keepalived");
            boolean has3 = n.exec("ip", "rule", "show").check().stdout().contains("1000:\tfrom 203.0.113.0/25 lookup 100");
            if (has1 == present && has2 == present && has3 == present) {
                return;
            }
            assertThat(System.nanoTime()).as("%s routes %s: %s", n.name(), present ? "present" : "absent", r)
                    .isLessThan(end);
            VrrpDaemon.sleep(20);
        }
    }

    @Test
    void routesAreOnTheMasterOnlyAndMoveWithIt(Testbed net) throws Exception {
        LinuxTestRequirements.require("ip");
        Node n1 = net.addNode("node1");
        Node n2 = net.addNode("node2");
        Node client = net.addNode("client");
        List<VrrpDaemon> daemons = new ArrayList<>();
        try (NodeDir d1 = NodeDir.create("node1"); NodeDir d2 = NodeDir.create("node2")) {
            String routes = "  virtual_routes {\n    203.0.113.0/25 via " + client.ipv4() + " dev eth0 metric 50\n"
                    + "    blackhole 203.0.113.128/25 table 100\n  }\n"
                    + "  virtual_rules {\n    from 203.0.113.0/25 table 100 priority 1000\n  }\n";
            Path conf1 = d1.writeConf(instance(n1, n2, 150, routes));
            Path conf2 = d2.writeConf(instance(n2, n1, 100, routes));
            try {
                VrrpDaemon h1 = VrrpDaemon.start(Kind.HAVIPD, n1, conf1);
                daemons.add(h1);
                VrrpDaemon h2 = VrrpDaemon.start(Kind.HAVIPD, n2, conf2);
                daemons.add(h2);
                awaitState(h1, "MASTER");
                awaitState(h2, "BACKUP");
                awaitRoutes(n1, true);
                awaitRoutes(n2, false);
                assertThat(routes(n1)).contains("203.0.113.0/25 via " + client.ipv4() + " dev eth0 proto keepalived"
                        + " metric 50");
                long t0 = System.nanoTime();
                assertThat(h1.terminate()).isZero();
                awaitState(h2, "MASTER");
                awaitRoutes(n2, true);
                long movedMs = (System.nanoTime() - t0) / 1_000_000;
                awaitRoutes(n1, false);
                System.out.printf("HavipdRoutesIT: routes on the new master %d ms after SIGTERM to the old one%n", movedMs);
                assertThat(h2.terminate()).isZero();
                awaitRoutes(n2, false);
            } finally {
                daemons.forEach(VrrpDaemon::close);
                for (VrrpDaemon d : daemons) {
                    System.out.printf("--- %s%n%s", d, HavipdDropInIT.tail(d.log(), 3000));
                }
            }
        }
    }

    private static String instance(Node self, Node peer, int priority, String extra) {
        return "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority " + priority
                + "\n  advert_int 1\n  unicast_src_ip " + self.ipv4() + "\n  unicast_peer {\n    " + peer.ipv4()
                + "\n  }\n  virtual_ipaddress {\n    198.51.100.50/24 dev eth0\n  }\n" + extra + "}\n";
    }
}
