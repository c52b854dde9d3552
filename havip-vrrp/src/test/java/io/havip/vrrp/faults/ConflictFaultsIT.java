package io.havip.vrrp.faults;

import static io.havip.vrrp.faults.FaultBed.CONVERGE;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.it.HavipProcess;
import io.havip.vrrp.it.Mode;
import io.havip.vrrp.it.VipChecks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario: a real FRR router of the same VRID takes over from a havip master (it preempts at
 * a higher priority). FRR announces the address from the VRRP virtual MAC about one of its
 * advert intervals <i>before</i> its first advert, and never again. havip, still master when
 * the announcement arrives, must not answer it as it answers a stale holder, or clients end up
 * at a node that no longer holds the address.
 */
@ExtendWith(TestbedExtension.class)
class ConflictFaultsIT {

    private static final int VRID = 51;
    private static final InterfaceAddress VIP6 = InterfaceAddress.parse("2001:db8::50/64");
    private static final InterfaceAddress VIP4 = InterfaceAddress.parse("198.51.100.50/24");
    private static final String STALE_HOLDER_WARNING = "a stale holder?";
    /**
     * How soon the client must reach the new master without forgetting anything: FRR's one
     * announcement moves it at once; a wrong answer from havip leaves it on havip's MAC until
     * neighbour unreachability detection gives up (5 s DELAY + 3 probes).
     */
    private static final Duration CLIENT_FOLLOWS = Duration.ofSeconds(3);

    /**
     * Guarantee: FRR (adverts every 200 ms, as havip) preempts over IPv6. Its NA from the
     * virtual MAC is not answered (havip yields at FRR's advert, one interval later, before its
     * three-interval wait is up); the client's neighbour entry ends and stays at the virtual
     * MAC, it keeps reaching the address; havip is BACKUP without the address and logs no
     * "stale holder" warning.
     */
    @Test
    void ipv6FrrTakingOverIsNotFoughtAndTheClientFollowsIt(Testbed net) throws Exception {
        assertNotFought(takeover(net, Mode.IPV6_MULTICAST, VIP6, 200));
    }

    /**
     * Guarantee: as {@link #ipv6FrrTakingOverIsNotFoughtAndTheClientFollowsIt} over IPv4. FRR's
     * IPv4 order differs (measured: the advert, then the gratuitous ARP from 00:00:5e:00:01:33
     * some 20 us later), so havip has usually yielded before it sees the claim: today's code
     * passes this too; it guards the IPv4 path and the warning (logged, before, whenever the
     * claim won the race with the advert).
     */
    @Test
    void ipv4FrrTakingOverIsNotFoughtAndTheClientFollowsIt(Testbed net) throws Exception {
        assertNotFought(takeover(net, Mode.IPV4_MULTICAST, VIP4, 200));
    }

    private static void assertNotFought(Outcome o) {
        assertThat(o.stderr).as("no warning when nothing was re-announced").doesNotContain(STALE_HOLDER_WARNING);
        assertThat(o.stats.get("conflictAnswers")).as("answers sent").isZero();
        assertThat(o.stats.get("announcedForNewMaster")).isZero();
    }

    /**
     * Guarantee: FRR advertising every second against havip's 200 ms: its announcement comes
     * more than havip's three intervals before its advert, so havip, still master, does answer
     * (and says so, once); when FRR's advert arrives havip yields and announces the address at
     * the virtual MAC (what FRR announced), so the client follows FRR all the same.
     */
    @Test
    void ipv6FrrWithALongerIntervalIsAnsweredAndThenHandedBack(Testbed net) throws Exception {
        Outcome o = takeover(net, Mode.IPV6_MULTICAST, VIP6, 1000);
        assertThat(o.stats.get("conflictAnswers")).as("answers sent").isEqualTo(1);
        assertThat(o.stats.get("announcedForNewMaster")).isEqualTo(1);
        assertThat(o.stderr.split(java.util.regex.Pattern.quote(STALE_HOLDER_WARNING), -1))
                .as("one warning, for the one answer").hasSize(2);
    }

    private record Outcome(Map<String, Long> stats, String stderr) { }

    /**
     * n1 runs havip ({@code mode}, VRRPv3 at 200 ms, priority 100) and serves the client; then FRR
     * starts in its own namespace at priority 200 advertising every {@code frrIntervalMs}.
     */
    private Outcome takeover(Testbed net, Mode mode, InterfaceAddress vipPrefix, int frrIntervalMs) throws Exception {
        FrrVrrp.require();
        Node n1 = net.addNode("n1");
        Node frrNode = net.addNode("frr");
        Node client = net.addNode("client");
        IpAddress vip = vipPrefix.address();
        assertThat(vip).isEqualTo(mode.vip());
        MacAddress vmac = MacAddress.vrrp(vipPrefix.family(), VRID);
        Path stats = Files.createTempFile("havip-conflict-n1-", ".stats");
        List<String> args = new ArrayList<>(mode.args(n1, List.of(), 100, "interval-ms=200",
                "stats-file=" + stats));
        try (HavipProcess havip = HavipProcess.start(n1, args)) {
            havip.awaitState("MASTER", CONVERGE);
            VipChecks.awaitClientReaches(client, vip, n1, CONVERGE);

            int backups = havip.lines("STATE BACKUP").size(); // the one at start-up
            long started = System.currentTimeMillis();
            try (FrrVrrp frr = FrrVrrp.start(frrNode, VRID, vipPrefix, 200, frrIntervalMs)) {
                long backupAt = havip.awaitLine("STATE BACKUP", backups + 1, CONVERGE);
                assertThat(havip.lines("STATE BACKUP").get(backups)).contains("HIGHER_PRIORITY_MASTER");
                assertThat(VipChecks.holds(n1, vip)).as("n1 released the address").isFalse();

                // no flush, no help: the client must follow what was announced on the wire
                long reachedAt = awaitClientAt(client, vip, vmac, CLIENT_FOLLOWS, frr);
                Measured.report("FRR (%s, %d ms adverts) took over; n1 BACKUP %d ms after FRR started, client at the "
                        + "virtual MAC %d ms after that", vipPrefix.family(), frrIntervalMs, backupAt - started, reachedAt - backupAt);
                for (int i = 0; i < 12; i++) {
                    HavipProcess.sleep(250);
                    assertThat(client.exec("ping", "-n", "-c", "1", "-W", "1", vip.toString()).exit())
                            .as("the client keeps reaching the address").isZero();
                    assertThat(client.neighbour(vip)).as("the client stays at the virtual MAC").contains(vmac);
                }
                assertThat(havip.lastState()).contains("BACKUP");
                assertThat(VipChecks.holds(n1, vip)).isFalse();
                assertThat(frr.log()).contains("Backup -> Master");
            }
            Map<String, Long> counters = FaultBed.parseStats(Files.readString(stats));
            if (vipPrefix.family() == IpFamily.IPV6) {
                // over IPv4 FRR advertises first and announces 20 us later: the claim usually reaches
                // havip after it yielded, when claims are no longer counted
                assertThat(counters.get("addressConflicts")).as("FRR's announcement was seen").isPositive();
            }
            assertThat(havip.terminate()).isEqualTo(143);
            return new Outcome(counters, havip.stderrAll());
        } finally {
            try {
                Files.deleteIfExists(stats);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Waits until the client pings {@code vip} and its neighbour entry is {@code mac}; returns when (ms). */
    private static long awaitClientAt(Node client, IpAddress vip, MacAddress mac, Duration timeout, FrrVrrp frr) {
        long end = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            Cmd.Result ping = client.exec("ping", "-n", "-c", "1", "-W", "1", vip.toString());
            Optional<MacAddress> seen = client.neighbour(vip);
            if (ping.exit() == 0 && seen.equals(Optional.of(mac))) {
                return System.currentTimeMillis();
            }
            last = "ping exit " + ping.exit() + ", neighbour " + seen.map(MacAddress::toString).orElse("none");
            if (System.nanoTime() > end) {
                throw new AssertionError(client.name() + " did not reach " + vip + " at the virtual MAC " + mac + " within "
                        + timeout + ": " + last + "; neigh: " + client.neighboursJson() + "\nFRR log:\n" + frr.log());
            }
            HavipProcess.sleep(50);
        }
    }
}
