package io.havip.vrrp.faults;

import static io.havip.vrrp.faults.FaultBed.ADVERT_MS;
import static io.havip.vrrp.faults.FaultBed.CONVERGE;
import static io.havip.vrrp.faults.FaultBed.SLACK_MS;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.vrrp.it.HavipProcess;
import io.havip.vrrp.it.VipChecks;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Scenarios 5 and 10: the application's own code (health checks, listeners) misbehaves. */
@ExtendWith(TestbedExtension.class)
class ApplicationFaultsIT {

    /**
     * Guarantee: a health check (interval 100 ms, timeout 150 ms, rise 2, fall 3, weight 0) that
     * times out on every other run never reaches fall consecutive failures, so the master never
     * enters FAULT. The control: a check that really fails puts it in FAULT exactly once, within
     * fall intervals (plus slack), and rise successes bring it back.
     */
    @Test
    void checksTimingOutNowAndThenDoNotFlapIntoFaultWithRiseAndFall(Testbed net) throws Exception {
        try (FaultBed bed = new FaultBed(net).start(150, List.of("health=100,150,2,3,0"), 100, List.of())) {
            bed.awaitServing(bed.r1);
            bed.r1.health("flaky");
            bed.checker.assertSteady(bed.r1, 4_000);
            assertThat(bed.r1.process().lines("STATE FAULT")).as("no FAULT from a check timing out now and then")
                    .isEmpty();
            assertThat(bed.r2.process().lines("STATE MASTER")).isEmpty();

            long failAt = System.currentTimeMillis();
            bed.r1.health("fail");
            long faultAt = bed.r1.process().awaitLine("STATE FAULT", CONVERGE);
            Measured.report("health check failing: FAULT %d ms after it started failing", faultAt - failAt);
            assertThat(faultAt - failAt).isLessThanOrEqualTo(3 * ADVERT_MS + SLACK_MS);
            bed.r2.process().awaitLine("STATE MASTER", CONVERGE);
            assertThat(bed.checker.awaitConverged(CONVERGE)).isSameAs(bed.r2);

            bed.r1.health("ok");
            bed.r1.process().awaitLine("STATE MASTER", 2, CONVERGE);
            assertThat(bed.checker.awaitConverged(CONVERGE)).isSameAs(bed.r1);
            bed.checker.assertSteady(bed.r1, 1_000);
            assertThat(bed.r1.process().lines("STATE FAULT")).as("exactly one FAULT").hasSize(1);
        }
    }

    /**
     * Guarantee: a check that hangs forever (and ignores interrupts) is counted as failing at its
     * timeout and never stalls the engine: the master (weight +10, so still the highest while the
     * check fails) keeps sending adverts every interval and the backup never takes over.
     */
    @Test
    void hungCheckNeverStallsAdverts(Testbed net) throws Exception {
        try (FaultBed bed = new FaultBed(net).start(150, List.of("health=100,150,1,1,10"), 100, List.of())) {
            bed.awaitServing(bed.r1);
            bed.r1.health("hang");
            HavipProcess.sleep(500); // the hung run times out and fails
            long sent = bed.r1.stat("advertisementsSent");
            long received = bed.r2.stat("advertisementsReceived");
            bed.checker.assertSteady(bed.r1, 3_000);
            long sentDuring = bed.r1.stat("advertisementsSent") - sent;
            long receivedDuring = bed.r2.stat("advertisementsReceived") - received;
            Measured.report("hung check: %d adverts sent and %d received in 3 s", sentDuring, receivedDuring);
            assertThat(sentDuring).as("adverts sent in 3 s at 100 ms").isGreaterThanOrEqualTo(25);
            assertThat(receivedDuring).as("adverts the backup heard").isGreaterThanOrEqualTo(25);
            assertThat(bed.r2.process().lines("STATE MASTER")).isEmpty();
            assertThat(bed.r1.process().terminate()).isEqualTo(143);
            String log = bed.r1.process().stderrAll();
            Measured.report("hung check: %d 'still hung' warnings in the master's log",
                    log.lines().filter(l -> l.contains("still hung past its timeout")).count());
            assertThat(log).as("the check did hang")
                    .contains("health check nodemain timed out").contains("still hung past its timeout");
        }
    }

    /**
     * Guarantee: a listener that blocks forever (n1) or throws on every change (n2) affects
     * neither the protocol nor the address: the election, a takeover from an isolated master,
     * the return after healing and a graceful handover all happen as without them.
     */
    @Test
    void listenerThatBlocksOrThrowsLeavesProtocolAndAddressAlone(Testbed net) throws Exception {
        try (FaultBed bed = new FaultBed(net).start(150, List.of("listener=block"), 100, List.of("listener=throw"))) {
            bed.awaitServing(bed.r1);
            try (VipChecks.Partition cut = VipChecks.isolate(net, bed.n1)) {
                bed.r2.process().awaitLine("STATE MASTER", CONVERGE);
                VipChecks.awaitClientReaches(bed.client, bed.vip, bed.n2, CONVERGE);
            }
            bed.r2.process().awaitLine("STATE BACKUP", 2, CONVERGE);
            assertThat(bed.checker.awaitConverged(CONVERGE)).isSameAs(bed.r1);
            VipChecks.awaitClientReaches(bed.client, bed.vip, bed.n1, CONVERGE);

            long stoppedAt = System.currentTimeMillis();
            assertThat(bed.r1.process().terminate()).as("closes despite the blocked listener").isEqualTo(143);
            long masterAt = bed.r2.process().awaitLine("STATE MASTER", 2, CONVERGE);
            Measured.report("blocked listener: graceful handover, new master %d ms after SIGTERM", masterAt - stoppedAt);
            assertThat(bed.r2.process().lines("STATE MASTER").get(1)).contains("MASTER_RELEASED");
            assertThat(bed.r1.process().lines("CLOSED").get(0)).contains("handovers=1");
            assertThat(VipChecks.holds(bed.n1, bed.vip)).isFalse();
            assertThat(bed.checker.awaitConverged(CONVERGE)).isSameAs(bed.r2);
            VipChecks.awaitClientReaches(bed.client, bed.vip, bed.n2, CONVERGE);
            assertThat(masterAt - stoppedAt).isLessThanOrEqualTo(3 * ADVERT_MS + SLACK_MS);
        }
    }
}
