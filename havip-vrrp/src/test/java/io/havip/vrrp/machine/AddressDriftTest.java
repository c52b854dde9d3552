package io.havip.vrrp.machine;

import static io.havip.vrrp.machine.Fixtures.HIGHER_PEER;
import static io.havip.vrrp.machine.Fixtures.MCAST;
import static io.havip.vrrp.machine.Fixtures.SEC;
import static io.havip.vrrp.machine.Fixtures.advert;
import static io.havip.vrrp.machine.Fixtures.fire;
import static io.havip.vrrp.machine.Fixtures.master;
import static io.havip.vrrp.machine.Fixtures.started;
import static io.havip.vrrp.machine.Fixtures.v3;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.RouterState;
import io.havip.core.net.InterfaceAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Addresses that drift from what the machine decided (issue 17 items 5 and 6): a master's
 * address removed by someone else, a backup's stray address, a MAC change; and the reports the
 * machine's own binds and unbinds cause, which must change nothing.
 */
class AddressDriftTest {

    private static final long MS = 1_000_000L;
    private static final InterfaceAddress VIP = InterfaceAddress.parse("198.51.100.50/24");
    private static final InterfaceAddress VIP2 = InterfaceAddress.parse("198.51.100.51/24");
    private static final InterfaceAddress VIP_AS_HOST = InterfaceAddress.parse("198.51.100.50/32");
    private static final InterfaceAddress OTHER = InterfaceAddress.parse("198.51.100.60/24");

    private static RouterConfig twoAddresses(StrayAddressPolicy policy) {
        return v3(100).virtualAddress(VIP2).strayAddressPolicy(policy).build();
    }

    @Test
    void masterRestoresALostAddressAtOnceAndOnlyThatOne() {
        VrrpMachine m = master(twoAddresses(StrayAddressPolicy.REMOVE));
        long next = m.nextDeadlineNanos();
        long now = next - 500 * MS;
        assertThat(m.onAddressesLost(now, List.of(VIP))).containsExactly(new Action.RestoreAddresses(List.of(VIP)));
        assertThat(m.nextDeadlineNanos()).as("the advert timer is untouched").isEqualTo(next);
        assertThat(m.state()).isEqualTo(RouterState.MASTER);
    }

    @Test
    void aMasterIgnoresAddressesThatAreNotItsOwn() {
        VrrpMachine m = master(v3(100).build());
        long now = m.nextDeadlineNanos() - 500 * MS;
        assertThat(m.onAddressesLost(now, List.of(OTHER))).isEmpty();
        assertThat(m.onAddressesLost(now, List.of(VIP_AS_HOST))).as("not the address it binds").isEmpty();
    }

    @Test
    void aMasterHearingItsOwnBindDoesNothing() {
        VrrpMachine m = master(v3(100).build());
        assertThat(m.onAddressesFound(m.nextDeadlineNanos() - 1, List.of(VIP))).isEmpty();
    }

    @Test
    void aRouterThatLeftMasterHearingItsOwnUnbindDoesNothing() {
        RouterConfig c = v3(100).build();
        VrrpMachine m = master(c);
        long now = m.nextDeadlineNanos() - 500 * MS;
        m.onAdvertisement(now, HIGHER_PEER, MCAST, 255, advert(c, 200));
        assertThat(m.state()).isEqualTo(RouterState.BACKUP);
        assertThat(m.onAddressesLost(now + MS, List.of(VIP))).isEmpty();
        m.shutdown(now + 2 * MS);
        assertThat(m.onAddressesLost(now + 3 * MS, List.of(VIP))).isEmpty();
        assertThat(m.onAddressesFound(now + 3 * MS, List.of(VIP))).as("stopped: nothing to decide").isEmpty();
    }

    @Test
    void beforeStartNothingIsDecided() {
        VrrpMachine m = new VrrpMachine(v3(100).build(), Fixtures.SELF);
        assertThat(m.onAddressesLost(0, List.of(VIP))).isEmpty();
        assertThat(m.onAddressesFound(0, List.of(VIP))).isEmpty();
        assertThat(m.onMacChanged(0, "eth0")).isEmpty();
    }

    @Test
    void anAddressLostAgainWithinTheHolddownIsRestoredWhenItEnds() {
        VrrpMachine m = master(twoAddresses(StrayAddressPolicy.REMOVE));
        long advert = m.nextDeadlineNanos(); // one advert interval (1 s) after becoming master
        long t0 = advert - 900 * MS;
        assertThat(m.onAddressesLost(t0, List.of(VIP))).hasSize(1);
        assertThat(m.onAddressesLost(t0 + 200 * MS, List.of(VIP))).as("held down").isEmpty();
        assertThat(m.onAddressesLost(t0 + 300 * MS, List.of(VIP2))).as("another address is not")
                .containsExactly(new Action.RestoreAddresses(List.of(VIP2)));
        assertThat(m.nextDeadlineNanos()).isEqualTo(advert);
        assertThat(m.onTimer(advert)).extracting(a -> a.getClass().getSimpleName()).containsExactly("SendAdvert");
        assertThat(m.nextDeadlineNanos()).isEqualTo(t0 + SEC);
        assertThat(m.onTimer(t0 + SEC - 1)).isEmpty();
        assertThat(m.onTimer(t0 + SEC)).containsExactly(new Action.RestoreAddresses(List.of(VIP)));
        assertThat(m.nextDeadlineNanos()).isEqualTo(advert + SEC);
    }

    @Test
    void anAddressBackBeforeTheHolddownEndsIsNotRestored() {
        VrrpMachine m = master(v3(100).build());
        long t0 = m.nextDeadlineNanos() - 900 * MS;
        m.onAddressesLost(t0, List.of(VIP));
        m.onAddressesLost(t0 + 200 * MS, List.of(VIP));
        assertThat(m.onAddressesFound(t0 + 300 * MS, List.of(VIP))).isEmpty();
        long advert = m.nextDeadlineNanos();
        assertThat(advert).as("no repair waits").isEqualTo(t0 + 900 * MS);
        m.onTimer(advert);
        assertThat(m.onTimer(t0 + SEC)).isEmpty();
    }

    @Test
    void aBackupRemovesAStrayAddressByDefaultWithThePrefixItWasFoundWith() {
        VrrpMachine m = started(v3(100).build(), 0);
        assertThat(m.onAddressesFound(10 * MS, List.of(VIP_AS_HOST)))
                .containsExactly(new Action.RemoveStrayAddresses(List.of(VIP_AS_HOST)));
        assertThat(m.onAddressesFound(10 * MS, List.of(OTHER))).isEmpty();
        assertThat(m.state()).isEqualTo(RouterState.BACKUP);
    }

    @Test
    void withTheReportPolicyABackupOnlyReportsIt() {
        VrrpMachine m = started(v3(100).strayAddressPolicy(StrayAddressPolicy.REPORT).build(), 0);
        assertThat(m.onAddressesFound(10 * MS, List.of(VIP)))
                .containsExactly(new Action.ReportStrayAddresses(List.of(VIP)));
    }

    @Test
    void theAddressOwnerInFaultOnlyReportsItsAddressPutBackByANetworkManager() {
        VrrpMachine m = started(v3(255).build(), 0);
        assertThat(m.state()).isEqualTo(RouterState.MASTER);
        m.onInterfaceChange(MS, "eth0", false);
        assertThat(m.state()).isEqualTo(RouterState.FAULT);
        assertThat(m.onAddressesFound(2 * MS, List.of(VIP))).as("the owner's address is the interface's own")
                .containsExactly(new Action.ReportStrayAddresses(List.of(VIP)));
    }

    @Test
    void aRouterInFaultRemovesAStrayToo() {
        RouterConfig c = v3(100).build();
        VrrpMachine m = started(c, 0);
        m.onInterfaceChange(MS, "eth0", false);
        assertThat(m.state()).isEqualTo(RouterState.FAULT);
        assertThat(m.onAddressesFound(2 * MS, List.of(VIP))).containsExactly(new Action.RemoveStrayAddresses(List.of(VIP)));
        assertThat(m.onAddressesFound(3 * MS, List.of(VIP))).as("held down").isEmpty();
        assertThat(m.nextDeadlineNanos()).as("FAULT runs the repair timer only").isEqualTo(2 * MS + SEC);
        assertThat(m.onTimer(2 * MS + SEC)).containsExactly(new Action.RemoveStrayAddresses(List.of(VIP)));
        assertThat(m.nextDeadlineNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aStrayWaitingOutTheHolddownIsForgottenWhenItGoesOrTheRouterBecomesMaster() {
        RouterConfig c = v3(100).build();
        VrrpMachine m = started(c, 0);
        m.onAddressesFound(10 * MS, List.of(VIP));
        m.onAddressesFound(20 * MS, List.of(VIP));
        assertThat(m.onAddressesLost(30 * MS, List.of(VIP))).as("gone by itself").isEmpty();
        assertThat(m.onTimer(10 * MS + SEC)).isEmpty();

        long down = m.nextDeadlineNanos(); // Master_Down_Timer at 3.6 s
        assertThat(m.onAddressesFound(down - 300 * MS, List.of(VIP))).hasSize(1);
        m.onAddressesFound(down - 200 * MS, List.of(VIP)); // waits until 0.7 s after the timer
        assertThat(m.nextDeadlineNanos()).isEqualTo(down);
        List<Action> takeover = fire(m);
        assertThat(m.state()).isEqualTo(RouterState.MASTER);
        assertThat(takeover).noneMatch(a -> a instanceof Action.RemoveStrayAddresses);
        assertThat(m.nextDeadlineNanos()).as("the advert timer only").isEqualTo(down + SEC);
    }

    @Test
    void strayRepairsDoNotDelayTheMasterDownTimer() {
        VrrpMachine m = started(v3(100).build(), 0);
        long down = m.nextDeadlineNanos();
        m.onAddressesFound(down - 100 * MS, List.of(VIP));
        m.onAddressesFound(down - 50 * MS, List.of(VIP));
        assertThat(m.nextDeadlineNanos()).isEqualTo(down);
        fire(m);
        assertThat(m.state()).isEqualTo(RouterState.MASTER);
    }

    @Test
    void aMacChangeOnTheMastersInterfaceIsReannounced() {
        RouterConfig c = v3(100).build();
        VrrpMachine m = master(c);
        long now = m.nextDeadlineNanos() - 1;
        assertThat(m.onMacChanged(now, "eth0")).containsExactly(new Action.Reannounce(c.virtualAddresses()));
        assertThat(m.onMacChanged(now, "eth1")).isEmpty();
        assertThat(started(c, 0).onMacChanged(now, "eth0")).as("a backup announces nothing").isEmpty();
    }

    @Test
    void theStrayPolicyIsPartOfTheConfig() {
        assertThat(v3(100).build().strayAddressPolicy()).isEqualTo(StrayAddressPolicy.REMOVE);
        assertThat(v3(100).strayAddressPolicy(StrayAddressPolicy.REPORT).build().toString())
                .contains("stray addresses REPORT");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> v3(100).strayAddressPolicy(null).build())
                .hasMessageContaining("strayAddressPolicy is null");
    }
}
