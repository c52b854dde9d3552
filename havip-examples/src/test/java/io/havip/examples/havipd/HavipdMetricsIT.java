package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.IpAddress;
import io.havip.examples.havipd.VrrpDaemon.Kind;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Prometheus scrape of two running havipd processes in network namespaces, from a third
 * namespace (the scraper), over the bridge: node1 (priority 150) is MASTER and advertises,
 * node2 BACKUP receives; after SIGTERM to node1, node2's scrape shows it MASTER by a master
 * release, with the priority-0 advert it heard counted.
 */
@ExtendWith(TestbedExtension.class)
class HavipdMetricsIT {

    private static final IpAddress VIP = IpAddress.parse("198.51.100.50");
    private static final Duration CONVERGE = Duration.ofSeconds(12);
    private static final int PORT = 9650;

    @Test
    void aScraperReadsStateAndCountersOfEachNodeThroughAFailover(Testbed net) throws Exception {
        LinuxTestRequirements.require("ip");
        Node n1 = net.addNode("node1");
        Node n2 = net.addNode("node2");
        Node scraper = net.addNode("scraper");
        List<VrrpDaemon> daemons = new ArrayList<>();
        try (NodeDir d1 = NodeDir.create("node1"); NodeDir d2 = NodeDir.create("node2")) {
            try {
                VrrpDaemon h1 = VrrpDaemon.start(Kind.HAVIPD, n1, d1.writeConf(conf(n1, n2, 150)), false,
                        List.of("--metrics-address", n1.ipv4() + ":" + PORT));
                daemons.add(h1);
                VrrpDaemon h2 = VrrpDaemon.start(Kind.HAVIPD, n2, d2.writeConf(conf(n2, n1, 100)), false,
                        List.of("--metrics-address", n2.ipv4() + ":" + PORT));
                daemons.add(h2);
                h1.awaitLog("metrics on http://" + n1.ipv4() + ":" + PORT + "/metrics", CONVERGE);
                VipView.awaitHolders(List.of(n1, n2), VIP, List.of("node1"), CONVERGE);

                String first = awaitScrape(scraper, n1, t -> value(t, "havip_vrrp_state") == 2.0
                        && value(t, "havip_vrrp_adverts_sent_total") >= 2);
                assertThat(value(first, "havip_vrrp_became_master_total")).isEqualTo(1.0);
                assertThat(value(first, "havip_vrrp_priority")).isEqualTo(150.0);
                assertThat(first).contains("router=\"VI_1\"").contains("interface=\"eth0\"").contains("vrid=\"51\"");
                String backup = awaitScrape(scraper, n2, t -> value(t, "havip_vrrp_state") == 1.0
                        && value(t, "havip_vrrp_adverts_received_total") >= 2);
                assertThat(value(backup, "havip_vrrp_adverts_sent_total")).isZero();
                assertThat(backup).contains("# TYPE havip_vrrp_adverts_dropped_total counter");

                assertThat(h1.terminate()).as("exit status after SIGTERM; log:\n" + h1.log()).isZero();
                String taken = awaitScrape(scraper, n2, t -> value(t, "havip_vrrp_state") == 2.0
                        && t.contains("to=\"MASTER\""));
                assertThat(value(taken, "havip_vrrp_priority_zero_received_total")).isEqualTo(1.0);
                assertThat(taken.lines().filter(l -> l.startsWith("havip_vrrp_transitions_total{")
                        && l.contains("reason=\"master_released\"") && l.contains("to=\"MASTER\"")).toList())
                        .as(taken).hasSize(1).allSatisfy(l -> assertThat(l).endsWith(" 1.0"));
                VipView.awaitHolders(List.of(n1, n2), VIP, List.of("node2"), CONVERGE);
                assertThat(h2.terminate()).isZero();
            } finally {
                daemons.forEach(VrrpDaemon::close);
                for (VrrpDaemon d : daemons) {
                    System.out.printf("--- %s: %s%n%s", d, String.join(" ", d.command()), HavipdDropInIT.tail(d.log(), 4000));
                }
            }
        }
    }

    private static String conf(Node self, Node peer, int priority) {
        return "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority " + priority
                + "\n  advert_int 1\n  unicast_src_ip " + self.ipv4() + "\n  unicast_peer {\n    " + peer.ipv4()
                + "\n  }\n  virtual_ipaddress {\n    " + VIP + "/24 dev eth0\n  }\n}\n";
    }

    private static String awaitScrape(Node scraper, Node target, Predicate<String> condition) throws Exception {
        long end = System.nanoTime() + CONVERGE.toNanos();
        String text = "";
        while (System.nanoTime() < end) {
            text = scrape(scraper, target);
            if (condition.test(text)) {
                return text;
            }
            VrrpDaemon.sleep(100);
        }
        throw new AssertionError("the scrape of " + target.name() + " never matched; last:\n" + text);
    }

    /** GET /metrics from the scraper's namespace, with a plain socket on the namespace's own thread. */
    private static String scrape(Node scraper, Node target) throws Exception {
        return scraper.call(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(target.ipv4().toInetAddress(), PORT), 5_000);
                s.setSoTimeout(5_000);
                OutputStream out = s.getOutputStream();
                out.write(("GET /metrics HTTP/1.0\r\nHost: " + target.ipv4() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(response).startsWith("HTTP/1.1 200");
                return response.substring(response.indexOf("\r\n\r\n") + 4);
            }
        });
    }

    /** The value of VI_1's one series of {@code metric} (the effective priority for havip_vrrp_priority). */
    private static double value(String text, String metric) {
        List<String> lines = HavipdMetricsTest.series(text, metric, "VI_1").stream()
                .filter(l -> !metric.equals("havip_vrrp_priority") || l.contains("kind=\"effective\"")).toList();
        if (lines.size() != 1) {
            return Double.NaN;
        }
        String l = lines.get(0);
        return Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
    }
}
