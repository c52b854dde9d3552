package io.havip.vrrp.machine;

import static io.havip.vrrp.machine.Fixtures.HIGHER_PEER;
import static io.havip.vrrp.machine.Fixtures.MCAST;
import static io.havip.vrrp.machine.Fixtures.SEC;
import static io.havip.vrrp.machine.Fixtures.SELF;
import static io.havip.vrrp.machine.Fixtures.advert;
import static io.havip.vrrp.machine.Fixtures.fire;
import static io.havip.vrrp.machine.Fixtures.master;
import static io.havip.vrrp.machine.Fixtures.started;
import static io.havip.vrrp.machine.Fixtures.v3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.RouterState;
import io.havip.core.TransitionReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrackerTest {

    @Test
    void ownInterfaceDownIsFaultAndReleasesWithPriorityZero() {
        RouterConfig c = v3(100).build();
        VrrpMachine m = master(c);
        List<Action> out = m.onInterfaceChange(5 * SEC, "eth0", false);
        assertThat(out).hasSize(3);
        assertThat(out.get(0)).isInstanceOfSatisfying(Action.SendAdvert.class,
                s -> assertThat(s.advertisement().priority()).isZero());
        assertThat(out.get(1)).isEqualTo(new Action.UnbindAddresses(c.virtualAddresses()));
        assertThat(out.get(2)).isEqualTo(new Action.NotifyStateChange(RouterState.MASTER, RouterState.FAULT,
                TransitionReason.TRACKER_FAULT, 100));
        assertThat(m.nextDeadlineNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(m.trackersDown()).containsExactly("interface eth0");
        // Adverts in FAULT are counted but change nothing.
        assertThat(m.onAdvertisement(6 * SEC, HIGHER_PEER, MCAST, 255, advert(c, 200))).isEmpty();
        assertThat(m.stats().advertisementsReceived()).isEqualTo(1);
        assertThat(m.onInterfaceChange(6 * SEC, "eth0", false)).as("no change, no actions").isEmpty();
        assertThat(m.onInterfaceChange(7 * SEC, "eth0", true)).containsExactly(new Action.NotifyStateChange(
                RouterState.FAULT, RouterState.BACKUP, TransitionReason.TRACKER_RECOVERED, 100));
        assertThat(m.nextDeadlineNanos()).isEqualTo(7 * SEC + m.masterDownInterval().toNanos());
    }

    @Test
    void untrackedInterfaceIsIgnored() {
        VrrpMachine m = started(v3(100).build(), 0);
        assertThat(m.onInterfaceChange(SEC, "eth9", false)).isEmpty();
        assertThat(m.state()).isEqualTo(RouterState.BACKUP);
    }

    @Test
    void startsInFaultWhenOwnInterfaceIsDown() {
        VrrpMachine m = new VrrpMachine(v3(255).build(), SELF);
        assertThat(m.onInterfaceChange(0, "eth0", false)).isEmpty();
        assertThat(m.start(1)).containsExactly(new Action.NotifyStateChange(RouterState.INITIALIZE, RouterState.FAULT,
                TransitionReason.TRACKER_FAULT, 255));
        List<Action> out = m.onInterfaceChange(2, "eth0", true);
        assertThat(out).last().isEqualTo(new Action.NotifyStateChange(RouterState.FAULT, RouterState.MASTER,
                TransitionReason.TRACKER_RECOVERED, 255));
    }

    @Test
    void weightedInterfaceLowersPriorityAndMasterAdvertisesIt() {
        RouterConfig c = v3(100).tracker(new TrackerSpec.TrackedInterface("eth1", -30)).build();
        VrrpMachine m = master(c);
        List<Action> out = m.onInterfaceChange(5 * SEC, "eth1", false);
        assertThat(m.priority()).isEqualTo(70);
        assertThat(m.state()).isEqualTo(RouterState.MASTER);
        assertThat(out).singleElement().isInstanceOfSatisfying(Action.SendAdvert.class,
                s -> assertThat(s.advertisement().priority()).isEqualTo(70));
        m.onInterfaceChange(6 * SEC, "eth1", true);
        assertThat(m.priority()).isEqualTo(100);
    }

    @Test
    void positiveWeightAddsWhileUpAndOwnInterfaceCanBeWeighted() {
        RouterConfig c = v3(100).tracker(new TrackerSpec.TrackedInterface("eth0", 20)).build();
        VrrpMachine m = started(c, 0);
        assertThat(m.priority()).isEqualTo(120);
        m.onInterfaceChange(SEC, "eth0", false);
        assertThat(m.state()).as("weighted own interface is not a FAULT").isEqualTo(RouterState.BACKUP);
        assertThat(m.priority()).isEqualTo(100);
    }

    @Test
    void healthCheckRiseAndFall() {
        RouterConfig c = v3(100).tracker(new TrackerSpec.HealthCheck("db", 0, 2, 3, true)).build();
        VrrpMachine m = master(c);
        assertThat(m.onHealthResult(1, "db", false)).isEmpty();
        assertThat(m.onHealthResult(2, "db", false)).isEmpty();
        assertThat(m.onHealthResult(3, "db", true)).as("a success breaks the failure streak").isEmpty();
        m.onHealthResult(4, "db", false);
        m.onHealthResult(5, "db", false);
        assertThat(m.onHealthResult(6, "db", false)).last().isEqualTo(new Action.NotifyStateChange(RouterState.MASTER,
                RouterState.FAULT, TransitionReason.TRACKER_FAULT, 100));
        assertThat(m.onHealthResult(7, "db", true)).isEmpty();
        assertThat(m.onHealthResult(8, "db", true)).containsExactly(new Action.NotifyStateChange(RouterState.FAULT,
                RouterState.BACKUP, TransitionReason.TRACKER_RECOVERED, 100));
    }

    @Test
    void healthCheckInitiallyFailingStartsInFault() {
        RouterConfig c = v3(100).tracker(new TrackerSpec.HealthCheck("db", 0, 1, 1, false)).build();
        VrrpMachine m = started(c, 0);
        assertThat(m.state()).isEqualTo(RouterState.FAULT);
        m.onHealthResult(SEC, "db", true);
        assertThat(m.state()).isEqualTo(RouterState.BACKUP);
    }

    @Test
    void weightsAreClampedAndOwnerIgnoresThem() {
        RouterConfig low = v3(10).tracker(new TrackerSpec.HealthCheck("a", -50, 1, 1, true)).build();
        VrrpMachine m = started(low, 0);
        m.onHealthResult(1, "a", false);
        assertThat(m.priority()).isEqualTo(1);
        RouterConfig high = v3(250).tracker(new TrackerSpec.HealthCheck("a", 50, 1, 1, true)).build();
        assertThat(started(high, 0).priority()).isEqualTo(254);
        RouterConfig owner = v3(255).tracker(new TrackerSpec.HealthCheck("a", -50, 1, 1, true)).build();
        VrrpMachine o = started(owner, 0);
        o.onHealthResult(1, "a", false);
        assertThat(o.priority()).isEqualTo(255);
    }

    @Test
    void unknownHealthCheckIsADriverBug() {
        VrrpMachine m = started(v3(100).build(), 0);
        assertThatThrownBy(() -> m.onHealthResult(1, "nope", true))
                .hasMessage("no health check named \"nope\" is configured; known: [interface eth0]");
    }

    @Test
    void setPriorityAtRunTime() {
        VrrpMachine m = master(v3(100).build());
        assertThat(m.setPriority(5, 90)).singleElement().isInstanceOf(Action.SendAdvert.class);
        assertThat(m.priority()).isEqualTo(90);
        assertThat(m.basePriority()).isEqualTo(90);
        assertThat(m.setPriority(6, 90)).as("unchanged: nothing to send").isEmpty();
        assertThatThrownBy(() -> m.setPriority(7, 0)).hasMessage("router VI_1: priority 0 is outside 1-255");
        assertThatThrownBy(() -> m.setPriority(7, 256)).hasMessageContaining("priority 256 is outside 1-255");
    }

    @Test
    void higherPriorityBackupPreemptsAfterRaise() {
        RouterConfig c = v3(100).build();
        VrrpMachine m = started(c, 0);
        m.onAdvertisement(SEC, HIGHER_PEER, MCAST, 255, advert(c, 150));
        m.setPriority(SEC, 200);
        long deadline = m.nextDeadlineNanos();
        m.onAdvertisement(2 * SEC, HIGHER_PEER, MCAST, 255, advert(c, 150));
        assertThat(m.nextDeadlineNanos()).isEqualTo(deadline);
        assertThat(fire(m)).last().extracting(a -> ((Action.NotifyStateChange) a).reason())
                .isEqualTo(TransitionReason.PREEMPT);
    }
}
