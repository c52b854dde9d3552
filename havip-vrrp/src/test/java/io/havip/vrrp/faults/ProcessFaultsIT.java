package io.havip.vrrp.faults;

import static io.havip.vrrp.faults.FaultBed.ADVERT_MS;
import static io.havip.vrrp.faults.FaultBed.CONVERGE;
import static io.havip.vrrp.faults.FaultBed.SLACK_MS;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.vrrp.it.HavipProcess;
import io.havip.vrrp.it.VipChecks;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Scenarios 3, 4 and 9: the master's process is killed or stopped, or its link goes down. */
@ExtendWith(TestbedExtension.class)
class ProcessFaultsIT {

    /**
     * Guarantee: SIGKILL leaves the dead master's address on its interface, and its kernel
     * answers ARP for it; the survivor sees that answer as a conflict (RouterStats.addressConflicts),
     * re-announces, and the client ends up at the survivor. The restarted node removes the stale
     * address before its router starts (start-up reconciliation), so it never answers for it.
     */
    @Test
    void killedMastersStaleAddressIsOutAnnouncedAndRemovedOnRestart(Testbed net) throws Exception {
        try (FaultBed bed = new FaultBed(net).start(150, 100)) {
            bed.awaitServing(bed.r1);
            // a hub: the bridge forgets MACs at once and floods every frame, so the survivor sees the
            // stale node's unicast ARP replies to the client (a switch mirroring them, or a stale node
            // that itself ARPs from the VIP, does the same)
            net.bridgeIp("link", "set", "br0", "type", "bridge", "ageing_time", "0");
            bed.r1.process().kill();
            bed.r2.process().awaitLine("STATE MASTER", CONVERGE);
            assertThat(VipChecks.holds(bed.n1, bed.vip)).as("SIGKILL leaves the address behind").isTrue();
            assertThat(bed.checker.awaitConverged(CONVERGE)).isSameAs(bed.r2);

            // the client forgets the VIP and asks again: the dead node's kernel answers too
            long conflictsBefore = bed.r2.stat("addressConflicts");
            bed.client.ip("neigh", "flush", "dev", "eth0");
            VipChecks.awaitClientReaches(bed.client, bed.vip, bed.n2, CONVERGE);
            long conflicts = bed.r2.awaitStat("addressConflicts", v -> v > conflictsBefore, CONVERGE);
            long answers = bed.r2.awaitStat("conflictAnswers", v -> v > 0, CONVERGE);
            Measured.report("SIGKILL: survivor counted %d address conflicts from the stale holder, answered %d times",
                    conflicts, answers);
            HavipProcess.sleep(1_500); // let every answer settle: the client must stay at the survivor
            VipChecks.awaitClientReaches(bed.client, bed.vip, bed.n2, Duration.ofMillis(ADVERT_MS + SLACK_MS));

            // restart without preemption: the stale address is gone by the time the JVM says STARTED
            HavipProcess again = bed.r1.start(150, "preempt=false");
            assertThat(VipChecks.holds(bed.n1, bed.vip)).as("removed before the router started").isFalse();
            again.awaitState("BACKUP", CONVERGE);
            assertThat(bed.checker.awaitConverged(CONVERGE)).isSameAs(bed.r2);
            bed.checker.assertSteady(bed.r2, 1_000);
            assertThat(again.lines("STATE MASTER")).isEmpty();
            assertThat(again.terminate()).isEqualTo(143);
            assertThat(again.stderr()).contains("removing them before the election");
        }
    }

    /**
     * Guarantee: a master frozen (SIGSTOP) past Master_Down_Interval is replaced; when it
     * resumes (SIGCONT) it notices the late wake-up (RouterStats.lateTimers), reads the adverts
     * queued meanwhile before acting, and the two holders last at most one advert interval
     * (plus slack) after the resume.
     */
    @Test
    void masterStoppedPastMasterDownIntervalConvergesWithinAnAdvertIntervalOfResuming(Testbed net) throws Exception {
        try (FaultBed bed = new FaultBed(net).start(150, 100)) {
            bed.awaitServing(bed.r1);
            long lateBefore = bed.r1.stat("lateTimers");
            bed.r1.signal("STOP");
            bed.r2.process().awaitLine("STATE MASTER", CONVERGE);
            HavipProcess.sleep(1_000); // well past Master_Down_Interval (about 360 ms)
            long resumedAt = System.currentTimeMillis();
            bed.r1.signal("CONT");
            long n2BackupAt = bed.r2.process().awaitLine("STATE BACKUP", 2, CONVERGE);
            long dual = n2BackupAt - resumedAt;
            Measured.report("SIGSTOP/SIGCONT: two holders for %d ms after resuming (sampled: %d ms)", dual,
                    bed.checker.longestDualHolderMillis(resumedAt));
            assertThat(dual).as("two holders after SIGCONT, ms").isLessThanOrEqualTo(ADVERT_MS + SLACK_MS);
            assertThat(bed.r1.process().lines("STATE BACKUP")).as("n1 never stepped down: " + bed.r1.process().lines())
                    .hasSize(1);
            assertThat(bed.checker.awaitConverged(CONVERGE)).isSameAs(bed.r1);
            VipChecks.awaitClientReaches(bed.client, bed.vip, bed.n1, CONVERGE);
            assertThat(bed.r1.awaitStat("lateTimers", v -> v > lateBefore, CONVERGE)).isPositive();
            bed.checker.assertSteady(bed.r1, 1_000);
        }
    }

    /**
     * Guarantee: the master's own interface going down puts it in FAULT and releases the
     * address; the peer takes over; when the link comes back the node rejoins (BACKUP, then
     * MASTER again by preemption) and exactly one node holds the address.
     */
    @Test
    void linkDownOnTheMasterFaultsItAndLinkUpRejoins(Testbed net) throws Exception {
        try (FaultBed bed = new FaultBed(net).start(150, 100)) {
            bed.awaitServing(bed.r1);
            bed.n1.ip("link", "set", "eth0", "down");
            bed.r1.process().awaitState("FAULT", CONVERGE);
            assertThat(VipChecks.holds(bed.n1, bed.vip)).as("released in FAULT").isFalse();
            bed.r2.process().awaitLine("STATE MASTER", CONVERGE);
            assertThat(bed.checker.awaitConverged(CONVERGE)).isSameAs(bed.r2);
            VipChecks.awaitClientReaches(bed.client, bed.vip, bed.n2, CONVERGE);

            long upAt = System.currentTimeMillis();
            bed.n1.ip("link", "set", "eth0", "up");
            long masterAgain = bed.r1.process().awaitLine("STATE MASTER", 2, CONVERGE);
            Measured.report("link down/up: master again %d ms after link up", masterAgain - upAt);
            assertThat(bed.r1.process().lines("STATE BACKUP")).as(bed.r1.process().lines().toString()).hasSize(2);
            bed.r2.process().awaitLine("STATE BACKUP", 2, CONVERGE);
            assertThat(bed.checker.awaitConverged(CONVERGE)).isSameAs(bed.r1);
            VipChecks.awaitClientReaches(bed.client, bed.vip, bed.n1, CONVERGE);
            bed.checker.assertSteady(bed.r1, 1_000);
        }
    }
}
