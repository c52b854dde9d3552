package io.havip.vrrp.machine;

import static io.havip.vrrp.machine.Fixtures.HIGHER_PEER;
import static io.havip.vrrp.machine.Fixtures.LOWER_PEER;
import static io.havip.vrrp.machine.Fixtures.MCAST;
import static io.havip.vrrp.machine.Fixtures.SEC;
import static io.havip.vrrp.machine.Fixtures.advert;
import static io.havip.vrrp.machine.Fixtures.fire;
import static io.havip.vrrp.machine.Fixtures.master;
import static io.havip.vrrp.machine.Fixtures.started;
import static io.havip.vrrp.machine.Fixtures.v3;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.RouterState;
import io.havip.core.TransitionReason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link VrrpMachine#onMasterProcessDied}: the liveness channel's input (issue 9). */
class MasterProcessDiedTest {

    private static final long MS = 1_000_000L;

    /** A backup at {@code priority} following HIGHER_PEER (priority 200) since time 0. */
    private static VrrpMachine following(int priority) {
        RouterConfig c = v3(priority).build();
        VrrpMachine m = started(c, 0);
        m.onAdvertisement(0, HIGHER_PEER, MCAST, 255, advert(c, 200));
        assertThat(m.masterAddress()).contains(HIGHER_PEER);
        return m;
    }

    @Test
    void backupTakesOverAfterSkewTimeAtTheTenMillisecondInterval() {
        VrrpMachine m = following(100);
        long now = 500 * MS;
        assertThat(m.onMasterProcessDied(now, HIGHER_PEER)).isEmpty();
        // (256 - 100) * 10 ms / 256 = 6.09375 ms
        assertThat(m.nextDeadlineNanos()).isEqualTo(now + 6_093_750);
        assertThat(m.onTimer(now + 6_093_749)).isEmpty();
        List<Action> out = m.onTimer(now + 6_093_750);
        assertThat(m.state()).isEqualTo(RouterState.MASTER);
        assertThat(out).last().isEqualTo(new Action.NotifyStateChange(RouterState.BACKUP, RouterState.MASTER,
                TransitionReason.MASTER_PROCESS_DIED, 100));
        assertThat(out).first().isInstanceOf(Action.SendAdvert.class);
    }

    @Test
    void theHigherPriorityBackupGoesFirst() {
        VrrpMachine high = following(150);
        VrrpMachine low = following(100);
        high.onMasterProcessDied(0, HIGHER_PEER);
        low.onMasterProcessDied(0, HIGHER_PEER);
        assertThat(high.nextDeadlineNanos()).isLessThan(low.nextDeadlineNanos());
        assertThat(high.nextDeadlineNanos()).isEqualTo(106L * 10 * MS / 256);
    }

    @Test
    void anAdvertFromTheMasterBeforeTheTimerRestoresTheNormalTimer() {
        VrrpMachine m = following(100);
        RouterConfig c = m.config();
        m.onMasterProcessDied(SEC, HIGHER_PEER);
        m.onAdvertisement(SEC + 1 * MS, HIGHER_PEER, MCAST, 255, advert(c, 200));
        assertThat(m.nextDeadlineNanos()).isEqualTo(SEC + 1 * MS + m.masterDownInterval().toNanos());
        fire(m);
        assertThat(m.state()).isEqualTo(RouterState.MASTER);
        assertThat(m.stats().becameMaster()).isEqualTo(1);
    }

    @Test
    void aDeathOfAnotherPeerIsIgnored() {
        VrrpMachine m = following(100);
        long before = m.nextDeadlineNanos();
        assertThat(m.onMasterProcessDied(SEC, LOWER_PEER)).isEmpty();
        assertThat(m.nextDeadlineNanos()).isEqualTo(before);
    }

    @Test
    void aMasterIgnoresIt() {
        VrrpMachine m = master(v3(100).build());
        long before = m.nextDeadlineNanos();
        assertThat(m.onMasterProcessDied(SEC, HIGHER_PEER)).isEmpty();
        assertThat(m.state()).isEqualTo(RouterState.MASTER);
        assertThat(m.nextDeadlineNanos()).isEqualTo(before);
    }

    @Test
    void aBackupThatFollowsNoMasterYetIgnoresIt() {
        VrrpMachine m = started(v3(100).build(), 0);
        long before = m.nextDeadlineNanos();
        m.onMasterProcessDied(SEC, HIGHER_PEER);
        assertThat(m.nextDeadlineNanos()).isEqualTo(before);
    }

    @Test
    void theTimerIsNeverLengthened() {
        VrrpMachine m = following(100);
        // The master down timer would fire at 3.609 s; a report just before must not push it out.
        long late = m.nextDeadlineNanos() - 1 * MS;
        long before = m.nextDeadlineNanos();
        m.onMasterProcessDied(late, HIGHER_PEER);
        assertThat(m.nextDeadlineNanos()).isEqualTo(before);
        assertThat(fire(m)).last().isEqualTo(new Action.NotifyStateChange(RouterState.BACKUP, RouterState.MASTER,
                TransitionReason.MASTER_DOWN_TIMER, 100));
    }

    @Test
    void aSecondReportDoesNotMakeASecondTransition() {
        VrrpMachine m = following(100);
        m.onMasterProcessDied(0, HIGHER_PEER);
        fire(m);
        assertThat(m.onMasterProcessDied(20 * MS, HIGHER_PEER)).isEmpty();
        assertThat(m.state()).isEqualTo(RouterState.MASTER);
        assertThat(m.stats().becameMaster()).isEqualTo(1);
    }
}
