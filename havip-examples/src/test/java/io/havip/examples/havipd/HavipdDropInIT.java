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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * havipd as a drop-in for keepalived: the cloud guides' unicast pair (both BACKUP, nopreempt,
 * equal priority, notify scripts, a vrrp_script tracker), rewritten onto the testbed, run by
 * keepalived on both nodes, by havipd on both, and by one of each, with the same files. In every
 * case the same story must happen and the notify scripts must write the same lines:
 *
 * <ol>
 *   <li>node1 starts alone and becomes master; node2 starts and stays backup; only node1 carries
 *       the VIP and the client reaches it there;</li>
 *   <li>node1's daemon is SIGKILLed: node2 takes over, the client follows;</li>
 *   <li>node1's daemon restarts: it removes its stale address and stays backup (nopreempt);</li>
 *   <li>node2's vrrp_script starts failing: node2 goes FAULT, node1 takes over; the script
 *       recovers: node2 goes BACKUP;</li>
 *   <li>SIGTERM to both (backup first): each runs notify_stop and exits 0, the VIP is gone.</li>
 * </ol>
 *
 * Timers are shortened (advert_int and the script interval 5 s → 1 s) to keep the test short;
 * every other line of the fixtures is kept.
 */
@ExtendWith(TestbedExtension.class)
class HavipdDropInIT {

    private static final Path FIXTURES = Path.of("../havip-vrrp/src/test/resources/fixtures/keepalived");
    private static final IpAddress VIP = IpAddress.parse("198.51.100.50");
    /** Master_Down_Interval at advert_int 1 is about 3.6 s; the rest is margin for JVM start-up and a loaded host. */
    private static final Duration CONVERGE = Duration.ofSeconds(12);

    /** Which daemon runs on node1 and on node2. */
    enum Pair {
        KEEPALIVED_BOTH(Kind.KEEPALIVED, Kind.KEEPALIVED),
        HAVIPD_BOTH(Kind.HAVIPD, Kind.HAVIPD),
        KEEPALIVED_THEN_HAVIPD(Kind.KEEPALIVED, Kind.HAVIPD);

        final Kind node1;
        final Kind node2;

        Pair(Kind node1, Kind node2) {
            this.node1 = node1;
            this.node2 = node2;
        }
    }

    @ParameterizedTest
    @EnumSource(Pair.class)
    void sameFileSameResult(Pair pair, Testbed net) throws Exception {
        LinuxTestRequirements.require("ip", "keepalived", "ping");
        Node n1 = net.addNode("node1");
        Node n2 = net.addNode("node2");
        Node client = net.addNode("client");
        List<Node> routers = List.of(n1, n2);
        List<VrrpDaemon> daemons = new ArrayList<>();
        try (NodeDir d1 = NodeDir.create("node1"); NodeDir d2 = NodeDir.create("node2")) {
            Path conf1 = d1.writeConf(cloudGuide("cloud-guide-primary.conf", d1, n1, n2));
            Path conf2 = d2.writeConf(cloudGuide("cloud-guide-secondary.conf", d2, n1, n2));
            try {
                // 1. node1 alone: BACKUP, then MASTER after Master_Down_Interval; node2 joins as BACKUP
                VrrpDaemon a = start(daemons, pair.node1, n1, conf1);
                d1.awaitNotifications(List.of("BACKUP", "MASTER"), CONVERGE, a);
                VrrpDaemon b = start(daemons, pair.node2, n2, conf2);
                d2.awaitNotifications(List.of("BACKUP"), CONVERGE, b);
                VipView.awaitHolders(routers, VIP, List.of("node1"), CONVERGE);
                VipView.awaitClientReaches(client, VIP, n1, CONVERGE);

                // 2. crash of node1's daemon: node2 takes over
                a.kill();
                d2.awaitNotifications(List.of("BACKUP", "MASTER"), CONVERGE, b);
                assertThat(VipView.holds(n2, VIP)).isTrue();
                assertThat(VipView.holds(n1, VIP)).as("SIGKILL leaves node1's address behind").isTrue();
                VipView.awaitClientReaches(client, VIP, n2, CONVERGE);

                // 3. node1's daemon restarts: stale address removed, BACKUP, no preemption
                VrrpDaemon a2 = start(daemons, pair.node1, n1, conf1);
                d1.awaitNotifications(List.of("BACKUP", "MASTER", "BACKUP"), CONVERGE, a2);
                VipView.awaitHolders(routers, VIP, List.of("node2"), CONVERGE);
                VrrpDaemon.sleep(2500); // more than two advert intervals: nothing may flip
                assertThat(d1.notifications()).containsExactly("BACKUP", "MASTER", "BACKUP");
                assertThat(d2.notifications()).containsExactly("BACKUP", "MASTER");
                VipView.awaitHolders(routers, VIP, List.of("node2"), CONVERGE);
                VipView.awaitClientReaches(client, VIP, n2, CONVERGE);

                // 4. node2's tracker fails: FAULT, node1 takes over; it recovers: BACKUP (nopreempt)
                d2.failCheck(true);
                d2.awaitNotifications(List.of("BACKUP", "MASTER", "FAULT"), CONVERGE, b);
                d1.awaitNotifications(List.of("BACKUP", "MASTER", "BACKUP", "MASTER"), CONVERGE, a2);
                VipView.awaitHolders(routers, VIP, List.of("node1"), CONVERGE);
                VipView.awaitClientReaches(client, VIP, n1, CONVERGE);
                d2.failCheck(false);
                d2.awaitNotifications(List.of("BACKUP", "MASTER", "FAULT", "BACKUP"), CONVERGE, b);
                VrrpDaemon.sleep(1500);
                VipView.awaitHolders(routers, VIP, List.of("node1"), CONVERGE);

                // 5. graceful stop, backup first: notify_stop, exit 0, no VIP left
                assertThat(b.terminate()).as(b + " exit status after SIGTERM; log:\n" + b.log()).isZero();
                d2.awaitNotifications(List.of("BACKUP", "MASTER", "FAULT", "BACKUP", "STOP"), CONVERGE, b);
                assertThat(a2.terminate()).as(a2 + " exit status after SIGTERM; log:\n" + a2.log()).isZero();
                d1.awaitNotifications(List.of("BACKUP", "MASTER", "BACKUP", "MASTER", "STOP"), CONVERGE, a2);
                VipView.awaitHolders(routers, VIP, List.of(), CONVERGE);
            } finally {
                daemons.forEach(VrrpDaemon::close);
                for (VrrpDaemon d : daemons) {
                    System.out.printf("--- %s (%s): %s%n%s", d, pair, String.join(" ", d.command()), tail(d.log(), 6000));
                }
            }
        }
    }

    private static VrrpDaemon start(List<VrrpDaemon> started, Kind kind, Node node, Path conf) {
        VrrpDaemon d = VrrpDaemon.start(kind, node, conf);
        started.add(d);
        return d;
    }

    /**
     * A cloud guide fixture moved onto the testbed: node1 is the guide's 172.16.16.5, node2 its
     * .6, the HAVIP .12 becomes {@link #VIP}, the SMTP server an unused testbed address (no mail
     * is sent: smtp_alert is off), the scripts live in {@code dir}, and the 5 s timers become 1 s.
     * Each replacement must match, so a changed fixture fails here rather than silently testing less.
     */
    static String cloudGuide(String fixture, NodeDir dir, Node n1, Node n2) throws IOException {
        String text = Files.readString(FIXTURES.resolve(fixture));
        Map<String, String> replacements = new java.util.LinkedHashMap<>();
        replacements.put("172.16.16.5", n1.ipv4().toString());
        replacements.put("172.16.16.6", n2.ipv4().toString());
        replacements.put("172.16.16.12", VIP.toString());
        replacements.put("smtp_server 203.0.113.25", "smtp_server 198.51.100.250");
        replacements.put("/etc/keepalived/do_sth.sh", dir.checkScript().toString());
        replacements.put("/etc/keepalived/notify_action.sh", dir.notifyScript().toString());
        replacements.put("advert_int 5", "advert_int 1");
        replacements.put("interval 5\n", "interval 1\n");
        for (Map.Entry<String, String> r : replacements.entrySet()) {
            assertThat(text).as("fixture %s", fixture).contains(r.getKey());
            text = text.replace(r.getKey(), r.getValue());
        }
        return text;
    }

    static String tail(String text, int max) {
        return text.length() <= max ? text : "..." + text.substring(text.length() - max);
    }
}
