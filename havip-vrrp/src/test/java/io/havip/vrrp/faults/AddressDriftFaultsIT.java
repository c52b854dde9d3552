package io.havip.vrrp.faults;

import static io.havip.vrrp.faults.FaultBed.CONVERGE;
import static io.havip.vrrp.faults.FaultBed.SLACK_MS;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.it.HavipProcess;
import io.havip.vrrp.it.VipChecks;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Addresses that drift from what the election decided (issue 17, items 5 and 6), by someone else's hand
 * (an operator, a network manager, a DHCP client): the master's VIP removed, the VIP added on
 * the backup, the master's MAC changed (bond failover, {@code ip link set address}).
 */
@ExtendWith(TestbedExtension.class)
class AddressDriftFaultsIT {

    /** keepalived puts a removed VIP back at its next advert: within one second at its default interval. */
    private static final long SECOND_MS = 1_000;
    private static final String VIP_WITH_PREFIX = FaultBed.MODE.vip() + "/24";

    /**
     * Guarantee: a VIP deleted from the master's interface by hand is back within a second
     * (plus slack), re-announced, counted in {@code addressesRestored} and logged; the client
     * reaches it again and nobody changes state.
     */
    @Test
    void vipDeletedOnTheMasterIsPutBackWithinASecond(Testbed net) throws Exception {
        try (FaultBed bed = new FaultBed(net).start(150, 100)) {
            bed.awaitServing(bed.r1);
            long deletedAt = System.currentTimeMillis();
            bed.n1.ip("addr", "del", VIP_WITH_PREFIX, "dev", "eth0");
            long backAt = awaitWithin(() -> VipChecks.holds(bed.n1, bed.vip), SECOND_MS + SLACK_MS,
                    "n1 holds " + bed.vip + " again");
            Measured.report("VIP deleted on the master: back %d ms after `ip addr del`", backAt - deletedAt);
            long restored = bed.r1.awaitStat("addressesRestored", v -> v >= 1, Duration.ofSeconds(2));
            VipChecks.awaitClientReaches(bed.client, bed.vip, bed.n1, Duration.ofSeconds(2));
            assertThat(bed.checker.awaitConverged(CONVERGE)).isSameAs(bed.r1);
            bed.checker.assertSteady(bed.r1, 1_000);
            assertThat(bed.r1.process().lines("STATE ")).as("n1 never changed state").hasSize(2);
            assertThat(bed.r2.process().lines("STATE MASTER")).as("n2 stayed backup").isEmpty();
            assertThat(restored).isEqualTo(1);
            assertThat(bed.r1.process().terminate()).isEqualTo(143);
            assertThat(bed.r1.process().stderrAll()).contains("was removed from eth0 while this node is master");
        }
    }

    /**
     * Guarantee: the VIP added by hand on the backup is removed (the default policy) within a
     * second (plus slack), counted in {@code strayAddresses} and logged; afterwards only the
     * master holds it.
     */
    @Test
    void vipAddedOnTheBackupIsRemovedSoOnlyTheMasterHoldsIt(Testbed net) throws Exception {
        try (FaultBed bed = new FaultBed(net).start(150, 100)) {
            bed.awaitServing(bed.r1);
            long addedAt = System.currentTimeMillis();
            bed.n2.ip("addr", "add", VIP_WITH_PREFIX, "dev", "eth0");
            long goneAt = awaitWithin(() -> !VipChecks.holds(bed.n2, bed.vip), SECOND_MS + SLACK_MS,
                    "n2 no longer holds " + bed.vip);
            Measured.report("VIP added on the backup: removed %d ms after `ip addr add`", goneAt - addedAt);
            long strays = bed.r2.awaitStat("strayAddresses", v -> v >= 1, Duration.ofSeconds(2));
            assertThat(bed.checker.awaitConverged(CONVERGE)).isSameAs(bed.r1);
            bed.checker.assertSteady(bed.r1, 1_000);
            VipChecks.awaitClientReaches(bed.client, bed.vip, bed.n1, Duration.ofSeconds(2));
            assertThat(strays).isEqualTo(1);
            assertThat(bed.r2.process().lines("STATE MASTER")).as("n2 stayed backup; n1 %s; n2 %s %s",
                    bed.r1.process().lines(), bed.r2.process().lines(), bed.r2.stats()).isEmpty();
            assertThat(bed.r2.process().terminate()).isEqualTo(143);
            assertThat(bed.r2.process().stderrAll()).contains("found on eth0 while this node is BACKUP; removed it");
        }
    }

    /**
     * Guarantee: when the master's MAC changes, it re-announces the VIP from the new MAC at once:
     * the client's neighbour entry points at the new MAC within a second (plus slack) with no
     * traffic from the client (only a gratuitous ARP can do that); counted in {@code macChanges}.
     */
    @Test
    void masterMacChangeIsAnnouncedSoTheClientFollowsWithoutResolvingAgain(Testbed net) throws Exception {
        try (FaultBed bed = new FaultBed(net).start(150, 100)) {
            bed.awaitServing(bed.r1);
            // past n1's delayed second burst (garp_master_delay, 5 s), which must not be what moves the
            // entry, and past the client's neighbour locktime (1 s), within which a GARP may not override it
            long masterAt = bed.r1.process().awaitLine("STATE MASTER", CONVERGE);
            HavipProcess.sleep(Math.max(1_500, masterAt + 6_000 - System.currentTimeMillis()));
            MacAddress old = bed.n1.mac();
            MacAddress fresh = MacAddress.parse("02:00:5e:00:33:" + (old.toString().endsWith(":77") ? "78" : "77"));
            assertThat(bed.client.neighbour(bed.vip)).contains(old);
            long changedAt = System.currentTimeMillis();
            bed.n1.ip("link", "set", "dev", "eth0", "address", fresh.toString());
            long movedAt = awaitWithin(() -> bed.client.neighbour(bed.vip).equals(Optional.of(fresh)),
                    SECOND_MS + SLACK_MS, "the client's entry for " + bed.vip + " at the new MAC " + fresh);
            Measured.report("master MAC changed: client entry at the new MAC %d ms later", movedAt - changedAt);
            assertThat(bed.r1.awaitStat("macChanges", v -> v >= 1, Duration.ofSeconds(2))).isEqualTo(1);
            VipChecks.awaitClientReaches(bed.client, bed.vip, bed.n1, Duration.ofSeconds(2));
            assertThat(bed.r1.stat("addressConflicts")).as("its own announcements are no conflict").isZero();
            assertThat(bed.checker.awaitConverged(CONVERGE)).isSameAs(bed.r1);
        }
    }

    /** Polls {@code condition} every 10 ms; returns the wall-clock ms it held, or fails after {@code boundMs}. */
    private static long awaitWithin(BooleanSupplier condition, long boundMs, String what) {
        long start = System.currentTimeMillis();
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() - start > boundMs) {
                throw new AssertionError("not within " + boundMs + " ms: " + what);
            }
            HavipProcess.sleep(10);
        }
        return System.currentTimeMillis();
    }
}
