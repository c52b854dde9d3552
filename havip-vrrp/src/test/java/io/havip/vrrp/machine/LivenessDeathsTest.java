package io.havip.vrrp.machine;

import static io.havip.vrrp.machine.Fixtures.HIGHER_PEER;
import static io.havip.vrrp.machine.Fixtures.LOWER_PEER;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.vrrp.machine.LivenessDeaths.Verdict;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link LivenessDeaths}: grace, hold-down and "advertised after its channel ended". */
class LivenessDeathsTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 100_000 * MS;
    private static final long GRACE = 2 * MS;
    private static final io.havip.core.net.IpAddress MASTER = HIGHER_PEER;

    private final LivenessDeaths deaths = new LivenessDeaths(Duration.ofNanos(GRACE));

    private void counted(long triggered, long cancelled, long ignored) {
        assertThat(new long[] {deaths.triggered(), deaths.cancelled(), deaths.ignored()})
                .as("triggered, cancelled, ignored").containsExactly(triggered, cancelled, ignored);
    }

    @Test
    void theGraceCountsFromTheEndOfTheChannelAndThenTheMachineIsTold() {
        assertThat(deaths.onChannelLost(T0, MASTER, true)).isTrue();
        LivenessDeaths.Decision d = deaths.onProcessDied(T0 + MS, MASTER, true);
        assertThat(d).isEqualTo(new LivenessDeaths.Decision(Verdict.WAITING, MASTER, T0, T0 + GRACE));
        assertThat(deaths.nextDeadlineNanos()).isEqualTo(T0 + GRACE);
        assertThat(deaths.onTimer(T0 + GRACE - 1)).isEmpty();
        assertThat(deaths.onTimer(T0 + GRACE)).contains(MASTER);
        assertThat(deaths.nextDeadlineNanos()).isEqualTo(Long.MAX_VALUE);
        counted(1, 0, 0);
    }

    @Test
    void aConfirmationAfterTheGraceActsAtOnce() {
        deaths.onChannelLost(T0, MASTER, true);
        LivenessDeaths.Decision d = deaths.onProcessDied(T0 + 300 * MS, MASTER, true);
        assertThat(d.deadlineNanos()).isEqualTo(T0 + 300 * MS);
        assertThat(deaths.onTimer(T0 + 300 * MS)).contains(MASTER);
    }

    @Test
    void withoutARecordedLossTheGraceCountsFromTheReport() {
        LivenessDeaths.Decision d = deaths.onProcessDied(T0, MASTER, true);
        assertThat(d).isEqualTo(new LivenessDeaths.Decision(Verdict.WAITING, MASTER, -1, T0 + GRACE));
    }

    @Test
    void anAdvertWithinTheGraceCancels() {
        deaths.onProcessDied(T0, MASTER, true);
        assertThat(deaths.watches(MASTER)).isTrue();
        assertThat(deaths.onAdvert(T0 + MS, MASTER, 0)).as("priority 0 is no sign of life").isFalse();
        assertThat(deaths.onAdvert(T0 + MS, MASTER, -1)).as("nor is garbage from its address").isFalse();
        assertThat(deaths.onAdvert(T0 + MS, LOWER_PEER, 100)).as("nor another's advert").isFalse();
        assertThat(deaths.onAdvert(T0 + MS, MASTER, 200)).isTrue();
        assertThat(deaths.onTimer(T0 + GRACE)).isEmpty();
        assertThat(deaths.watches(MASTER)).isFalse();
        counted(0, 1, 0);
    }

    @Test
    void anAdvertAfterTheChannelEndedCancelsTheReport() {
        deaths.onChannelLost(T0, MASTER, true);
        assertThat(deaths.watches(MASTER)).isTrue();
        deaths.onAdvert(T0 + 100 * MS, MASTER, 200);
        LivenessDeaths.Decision d = deaths.onProcessDied(T0 + 400 * MS, MASTER, true);
        assertThat(d.verdict()).isEqualTo(Verdict.ADVERTISED_SINCE_LOSS);
        assertThat(deaths.nextDeadlineNanos()).isEqualTo(Long.MAX_VALUE);
        counted(0, 1, 0);
    }

    @Test
    void anOldLostChannelRecordIsIgnored() {
        deaths.onChannelLost(T0, MASTER, true);
        deaths.onAdvert(T0 + 100 * MS, MASTER, 200);
        long late = T0 + LivenessDeaths.LOST_CHANNEL_MAX_AGE.toNanos();
        LivenessDeaths.Decision d = deaths.onProcessDied(late, MASTER, true);
        assertThat(d).as("the loss is not the one confirmed: neither its advert nor its time count")
                .isEqualTo(new LivenessDeaths.Decision(Verdict.WAITING, MASTER, -1, late + GRACE));
    }

    @Test
    void aReportAboutAMasterNotFollowedIsIgnored() {
        deaths.onChannelLost(T0, MASTER, true);
        assertThat(deaths.onProcessDied(T0 + MS, MASTER, false).verdict()).isEqualTo(Verdict.NOT_FOLLOWED);
        assertThat(deaths.nextDeadlineNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(deaths.watches(MASTER)).as("the record is used up").isFalse();
        counted(0, 0, 1);
    }

    @Test
    void aLossOfAPeerNotFollowedIsNotRecorded() {
        assertThat(deaths.onChannelLost(T0, LOWER_PEER, false)).isFalse();
        assertThat(deaths.watches(LOWER_PEER)).isFalse();
    }

    @Test
    void anotherPeersLossOrReportKeepsTheFollowedMastersRecord() {
        deaths.onChannelLost(T0, MASTER, true);
        deaths.onChannelLost(T0 + MS, LOWER_PEER, false);
        deaths.onProcessDied(T0 + 2 * MS, LOWER_PEER, false);
        deaths.onAdvert(T0 + 50 * MS, MASTER, 200);
        assertThat(deaths.onProcessDied(T0 + 300 * MS, MASTER, true).verdict())
                .as("the master advertised after its channel ended").isEqualTo(Verdict.ADVERTISED_SINCE_LOSS);
    }

    @Test
    void aSecondReportWhileOneWaitsIsIgnored() {
        deaths.onProcessDied(T0, MASTER, true);
        assertThat(deaths.onProcessDied(T0 + MS / 2, MASTER, true).verdict()).isEqualTo(Verdict.ALREADY_WAITING);
        assertThat(deaths.nextDeadlineNanos()).isEqualTo(T0 + GRACE);
        counted(0, 0, 1);
    }

    @Test
    void aFlappingChannelActsAtMostOncePerHoldDown() {
        long holddown = LivenessDeaths.HOLDDOWN.toNanos();
        int acted = 0;
        for (long t = T0; t < T0 + holddown; t += 700 * MS) {
            deaths.onChannelLost(t, MASTER, true);
            LivenessDeaths.Decision d = deaths.onProcessDied(t + 100 * MS, MASTER, true);
            if (d.verdict() == Verdict.WAITING) {
                acted += deaths.onTimer(d.deadlineNanos()).isPresent() ? 1 : 0;
            } else {
                assertThat(d.verdict()).isEqualTo(Verdict.HOLD_DOWN);
            }
        }
        assertThat(acted).isEqualTo(1);
        assertThat(deaths.triggered()).isEqualTo(1);
        // The hold-down runs from the first action (T0 + 100 ms: the grace from the loss was over): then again.
        long after = T0 + 100 * MS + holddown;
        assertThat(deaths.onProcessDied(after - 1, MASTER, true).verdict()).isEqualTo(Verdict.HOLD_DOWN);
        assertThat(deaths.onProcessDied(after, MASTER, true).verdict()).isEqualTo(Verdict.WAITING);
    }

    @Test
    void theHoldDownIsPerPeer() {
        deaths.onProcessDied(T0, MASTER, true);
        deaths.onTimer(T0 + GRACE);
        assertThat(deaths.onProcessDied(T0 + 10 * MS, LOWER_PEER, true).verdict()).isEqualTo(Verdict.WAITING);
    }

    @Test
    void clearDropsAWaitingDeath() {
        deaths.onProcessDied(T0, MASTER, true);
        deaths.clear();
        assertThat(deaths.onTimer(T0 + GRACE)).isEmpty();
        assertThat(deaths.waitingFor()).isEmpty();
        counted(0, 0, 0);
    }

    @Test
    void aZeroGraceActsAtTheReport() {
        LivenessDeaths none = new LivenessDeaths(Duration.ZERO);
        none.onChannelLost(T0, MASTER, true);
        assertThat(none.onProcessDied(T0 + MS, MASTER, true).deadlineNanos()).isEqualTo(T0 + MS);
    }

    @Test
    void followsIsTheBackupsMaster() {
        RouterConfig c = Fixtures.v3(100).build();
        VrrpMachine m = Fixtures.started(c, 0);
        assertThat(m.follows(MASTER)).isFalse();
        m.onAdvertisement(0, MASTER, Fixtures.MCAST, 255, Fixtures.advert(c, 200));
        assertThat(m.follows(MASTER)).isTrue();
        assertThat(m.follows(LOWER_PEER)).isFalse();
        assertThat(m.follows(null)).isFalse();
        m.shutdown(1);
        assertThat(m.follows(MASTER)).isFalse();
    }
}
