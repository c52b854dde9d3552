package io.havip.vrrp.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.IpAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * havip and keepalived 2.2.x as the two nodes of one virtual router (multicast, IPv4): each is
 * master and backup in turn, each takes over from the other after a crash (SIGKILL) and after a
 * graceful stop, and they agree on the master (exactly one holds the VIP). Every keepalived
 * log must be free of the lines keepalived writes when it rejects an advert
 * ({@link Keepalived#REJECTION}): a wire incompatibility fails the test even when the election
 * happens to come out right.
 */
@ExtendWith(TestbedExtension.class)
class KeepalivedInteropIT {

    private static final IpAddress VIP = IpAddress.parse("198.51.100.50");
    private static final String PASSWORD = "hvpass1";

    /** The two wire dialects the issue asks for. */
    enum Dialect {
        /** VRRPv2 (RFC 3768), simple password authentication, 1 s adverts. */
        V2_PASS_1S(2, 1000),
        /** VRRPv3 (RFC 5798) at keepalived's finest common interval in these tests, 100 ms. */
        V3_100MS(3, 100);

        final int version;
        final int intervalMs;

        Dialect(int version, int intervalMs) {
            this.version = version;
            this.intervalMs = intervalMs;
        }

        /** Master_Down_Interval plus a wide margin for JVM start-up and a loaded host. */
        Duration takeover() {
            return Duration.ofMillis(4L * intervalMs + 4_000);
        }

        String keepalivedConfig(Node node, int priority) {
            return "global_defs {\n"
                    + "  router_id havip_it_" + node.name() + "\n"
                    + "  vrrp_version " + version + "\n"
                    + "  vrrp_garp_master_delay 1\n"
                    + "}\n"
                    + "vrrp_instance VI_51 {\n"
                    + "  state BACKUP\n"
                    + "  interface eth0\n"
                    + "  virtual_router_id 51\n"
                    + "  priority " + priority + "\n"
                    + "  advert_int " + (version == 2 ? "1" : "0.1") + "\n"
                    + (version == 2 ? "  authentication {\n    auth_type PASS\n    auth_pass " + PASSWORD + "\n  }\n" : "")
                    + "  virtual_ipaddress {\n    198.51.100.50/24 dev eth0\n  }\n"
                    + "}\n";
        }

        List<String> havipArgs(int priority) {
            List<String> a = new ArrayList<>(List.of("vrid=51", "version=" + version, "interval-ms=" + intervalMs,
                    "priority=" + priority, "vips=198.51.100.50/24"));
            if (version == 2) {
                a.add("password=" + PASSWORD);
            }
            return a;
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void keepalivedMasterHavipBackup(Dialect d, Testbed net) throws Exception {
        Node kn = net.addNode("keep");
        Node hn = net.addNode("havip");
        Node client = net.addNode("client");
        List<Node> both = List.of(kn, hn);
        List<Keepalived> runs = new ArrayList<>();
        // keepalived first, so it is master before havip starts (havip alone would elect itself)
        Keepalived k = started(runs, Keepalived.start(kn, d.keepalivedConfig(kn, 150)));
        try (HavipProcess havip = startAfter(k, hn, d)) {
            havip.awaitState("BACKUP", d.takeover());
            VipChecks.awaitSoleHolder(both, kn, VIP, d.takeover());
            VipChecks.awaitClientReaches(client, VIP, kn, d.takeover());
            HavipProcess.sleep(3L * d.intervalMs); // havip hears keepalived's adverts and stays backup
            assertThat(havip.lines("STATE MASTER")).as(k.log()).isEmpty();

            // keepalived crashes: havip takes over after Master_Down_Interval
            long killedAt = System.currentTimeMillis();
            k.kill();
            long masterAt = havip.awaitLine("STATE MASTER", d.takeover());
            Measured.report("%s: havip took over from SIGKILLed keepalived in %d ms", d, masterAt - killedAt);
            VipChecks.awaitClientReaches(client, VIP, hn, d.takeover());

            // keepalived comes back with the higher priority and preempts; havip steps down
            Keepalived again = started(runs, Keepalived.start(kn, d.keepalivedConfig(kn, 150)));
            again.awaitEntered("MASTER", 1, d.takeover());
            havip.awaitLine("STATE BACKUP", 2, d.takeover());
            assertThat(havip.lines("STATE BACKUP").get(1)).contains("HIGHER_PRIORITY_MASTER");
            VipChecks.awaitSoleHolder(both, kn, VIP, d.takeover());
            VipChecks.awaitClientReaches(client, VIP, kn, d.takeover());

            // graceful stop of keepalived: priority 0, havip takes over after Skew_Time
            long stoppedAt = System.currentTimeMillis();
            again.terminate();
            masterAt = havip.awaitLine("STATE MASTER", 2, d.takeover());
            Measured.report("%s: havip took over from stopped keepalived in %d ms", d, masterAt - stoppedAt);
            assertThat(havip.lines("STATE MASTER").get(1)).contains("MASTER_RELEASED");
            VipChecks.awaitSoleHolder(both, hn, VIP, d.takeover());
            VipChecks.awaitClientReaches(client, VIP, hn, d.takeover());
            assertNoRejections(runs);
        } finally {
            runs.forEach(Keepalived::close);
            runs.forEach(Keepalived::deleteFiles);
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void havipMasterKeepalivedBackup(Dialect d, Testbed net) throws Exception {
        Node hn = net.addNode("havip");
        Node kn = net.addNode("keep");
        Node client = net.addNode("client");
        List<Node> both = List.of(hn, kn);
        List<Keepalived> runs = new ArrayList<>();
        try (HavipProcess havip = HavipProcess.start(hn, d.havipArgs(150))) {
            Keepalived k = started(runs, Keepalived.start(kn, d.keepalivedConfig(kn, 100)));
            havip.awaitState("MASTER", d.takeover());
            k.awaitEntered("BACKUP", 1, d.takeover());
            VipChecks.awaitSoleHolder(both, hn, VIP, d.takeover());
            VipChecks.awaitClientReaches(client, VIP, hn, d.takeover());
            HavipProcess.sleep(4L * d.intervalMs); // keepalived accepts havip's adverts and stays backup
            assertThat(k.entered("MASTER")).as(k.log()).isZero();

            // havip crashes: keepalived takes over; the crashed JVM leaves its address behind
            long killedAt = System.currentTimeMillis();
            havip.kill();
            long masterAt = k.awaitEntered("MASTER", 1, d.takeover());
            Measured.report("%s: keepalived took over from SIGKILLed havip in ~%d ms (log polled)", d, masterAt - killedAt);
            VipChecks.awaitClientReaches(client, VIP, kn, d.takeover());

            // havip restarts: start-up reconciliation removes the stale address, then it preempts
            try (HavipProcess again = HavipProcess.start(hn, d.havipArgs(150))) {
                again.awaitState("MASTER", d.takeover());
                assertThat(again.lines("STATE MASTER").get(0)).contains("PREEMPT");
                k.awaitEntered("BACKUP", 2, d.takeover());
                VipChecks.awaitSoleHolder(both, hn, VIP, d.takeover());
                VipChecks.awaitClientReaches(client, VIP, hn, d.takeover());

                // graceful close: priority 0; havip keeps the address until keepalived's advert
                long stoppedAt = System.currentTimeMillis();
                assertThat(again.terminate()).isEqualTo(143);
                masterAt = k.awaitEntered("MASTER", 2, d.takeover());
                Measured.report("%s: keepalived took over from closed havip in ~%d ms (log polled)", d,
                        masterAt - stoppedAt);
                assertThat(again.lines("CLOSED").get(0)).as("havip heard keepalived before releasing; "
                        + again.lines()).contains("handovers=1");
                VipChecks.awaitSoleHolder(both, kn, VIP, d.takeover());
                VipChecks.awaitClientReaches(client, VIP, kn, d.takeover());
            }
            assertNoRejections(runs);
        } finally {
            runs.forEach(Keepalived::close);
            runs.forEach(Keepalived::deleteFiles);
        }
    }

    private static HavipProcess startAfter(Keepalived master, Node hn, Dialect d) {
        master.awaitEntered("MASTER", 1, d.takeover());
        return HavipProcess.start(hn, d.havipArgs(100));
    }

    private static Keepalived started(List<Keepalived> runs, Keepalived k) {
        runs.add(k);
        return k;
    }

    private static void assertNoRejections(List<Keepalived> runs) {
        for (Keepalived k : runs) {
            assertThat(k.rejections()).as("keepalived rejected adverts; full log:\n" + k.log()).isEmpty();
        }
    }
}
