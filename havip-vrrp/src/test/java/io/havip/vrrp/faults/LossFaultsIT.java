package io.havip.vrrp.faults;

import static io.havip.vrrp.faults.FaultBed.CONVERGE;
import static io.havip.vrrp.faults.FaultBed.LONG;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.vrrp.it.HavipProcess;
import io.havip.vrrp.it.VipChecks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scenario 6: the master's adverts towards the backup are lost (nftables in the bridge
 * namespace, {@code numgen}; this kernel has no netem). 15-20 s each in CI, three minutes
 * with -Dhavip.faults.long=true (scripts/faults-long.sh).
 *
 * <p>What the RFC timers allow: a backup takes over only when no advert arrived for
 * Master_Down_Interval (3 x 100 ms + Skew_Time 61 ms at priority 100), i.e. after at least
 * three adverts in a row were lost; so the backup may become master at most (drops / 3)
 * times, and the higher-priority master never has a reason to step down.
 */
@ExtendWith(TestbedExtension.class)
class LossFaultsIT {

    private static final long SECONDS = LONG ? 180 : 20;

    /**
     * Guarantee: 10 % loss spread evenly (every tenth advert to the backup dropped, so never
     * three in a row) causes no transition at all: no flapping at 10 %.
     */
    @Test
    void tenPercentLossOfAdvertsSpreadEvenlyCausesNoTransition(Testbed net) throws Exception {
        try (FaultBed bed = new FaultBed(net).start(150, 100)) {
            bed.awaitServing(bed.r1);
            long drops;
            try (VipChecks.Partition loss = bed.bridgeRule("loss",
                    "oifname \"" + bed.n2.bridgePort() + "\" ip protocol 112 numgen inc mod 10 == 0 counter drop")) {
                bed.checker.assertSteady(bed.r1, SECONDS * 1_000);
                drops = bed.bridgeCounter("loss");
            }
            Measured.report("10%% even loss for %d s: %d adverts dropped, backup transitions %d", SECONDS, drops,
                    bed.r2.process().lines("STATE MASTER").size());
            assertThat(drops).as("about one advert per second dropped").isGreaterThanOrEqualTo(SECONDS * 8 / 10);
            assertThat(bed.r2.process().lines("STATE ")).as("the backup never moved").hasSize(1);
            assertThat(bed.r1.process().lines("STATE ")).as("the master never moved").hasSize(2);
        }
    }

    /**
     * Guarantee: with random loss the master never steps down, the backup takes over at most
     * drops / 3 times (each needs three adverts lost in a row), and one master remains once the
     * loss stops.
     */
    @ParameterizedTest(name = "{0} % random loss")
    @ValueSource(ints = {10, 30})
    void randomLossOfAdvertsGivesNoMoreTransitionsThanTheTimersAllow(int percent, Testbed net) throws Exception {
        long seconds = LONG ? SECONDS : 15;
        try (FaultBed bed = new FaultBed(net).start(150, 100)) {
            bed.awaitServing(bed.r1);
            long drops;
            try (VipChecks.Partition loss = bed.bridgeRule("loss", "oifname \"" + bed.n2.bridgePort()
                    + "\" ip protocol 112 numgen random mod 100 < " + percent + " counter drop")) {
                HavipProcess.sleep(seconds * 1_000);
                drops = bed.bridgeCounter("loss");
            }
            int takeovers = bed.r2.process().lines("STATE MASTER").size();
            Measured.report("%d%% random loss for %d s: %d adverts dropped, backup took over %d times (at most %d allowed)",
                    percent, seconds, drops, takeovers, drops / 3);
            assertThat(drops).as("the loss rule dropped adverts").isPositive();
            assertThat((long) takeovers).as("takeovers by the backup vs drops / 3").isLessThanOrEqualTo(drops / 3);
            assertThat(bed.r1.process().lines("STATE ")).as("the master never stepped down").hasSize(2);
            assertThat(bed.checker.awaitConverged(CONVERGE)).isSameAs(bed.r1);
            VipChecks.awaitClientReaches(bed.client, bed.vip, bed.n1, CONVERGE);
            bed.checker.assertSteady(bed.r1, 1_000);
        }
    }
}
