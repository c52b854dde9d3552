package io.havip.vrrp.machine;

import static io.havip.vrrp.machine.Fixtures.HIGHER_PEER;
import static io.havip.vrrp.machine.Fixtures.LOWER_PEER;
import static io.havip.vrrp.machine.Fixtures.MCAST;
import static io.havip.vrrp.machine.Fixtures.SEC;
import static io.havip.vrrp.machine.Fixtures.SELF;
import static io.havip.vrrp.machine.Fixtures.advert;
import static io.havip.vrrp.machine.Fixtures.master;
import static io.havip.vrrp.machine.Fixtures.started;
import static io.havip.vrrp.machine.Fixtures.v2;
import static io.havip.vrrp.machine.Fixtures.v3;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.RouterId;
import io.havip.core.RouterState;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.codec.VrrpAdvertisement;
import io.havip.vrrp.codec.VrrpVersion;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** RFC 5798 section 7.1 checks: every drop is counted under its own name and changes nothing. */
class ValidationTest {

    /** Feeds {@code adv} to a fresh backup and checks it was dropped (timer untouched). */
    private static VrrpStats dropped(RouterConfig c, IpAddress dst, int ttl, VrrpAdvertisement adv) {
        VrrpMachine m = started(c, 0);
        long deadline = m.nextDeadlineNanos();
        assertThat(m.onAdvertisement(SEC, HIGHER_PEER, dst, ttl, adv)).isEmpty();
        assertThat(m.nextDeadlineNanos()).as("dropped advert must not reset the timer").isEqualTo(deadline);
        assertThat(m.stats().advertisementsReceived()).isZero();
        return m.stats();
    }

    private static VrrpAdvertisement with(RouterConfig c, Function<VrrpAdvertisement, VrrpAdvertisement> f) {
        return f.apply(advert(c, 200));
    }

    @Test
    void ttlMustBe255OnMulticast() {
        RouterConfig c = v3(100).build();
        assertThat(dropped(c, MCAST, 254, advert(c, 200)).ttlErrors()).isEqualTo(1);
    }

    @Test
    void ttlIsNotCheckedForUnicastAsKeepalived2Does() {
        RouterConfig c = v3(100).unicastPeer(HIGHER_PEER).build();
        VrrpMachine m = started(c, 0);
        m.onAdvertisement(SEC, HIGHER_PEER, SELF, 64, advert(c, 200));
        assertThat(m.stats().ttlErrors()).isZero();
        assertThat(m.stats().advertisementsReceived()).isEqualTo(1);
        assertThat(m.nextDeadlineNanos()).isEqualTo(SEC + m.masterDownInterval().toNanos());
    }

    @Test
    void otherVridOrFamilyIsForeignNotAnError() {
        RouterConfig c = v3(100).build();
        VrrpStats s = dropped(c, MCAST, 255, with(c, a -> new VrrpAdvertisement(a.version(), 52, 200,
                a.advertIntervalCs(), 0, a.authData(), a.family(), a.addresses())));
        assertThat(s.vridMismatch()).isEqualTo(1);
        VrrpStats f = dropped(c, MCAST, 255, new VrrpAdvertisement(VrrpVersion.V3, 51, 200, 100, 0, new byte[0],
                IpFamily.IPV6, List.of(IpAddress.parse("2001:db8::50"))));
        assertThat(f.vridMismatch()).isEqualTo(1);
        assertThat(f.ttlErrors() + f.addressListErrors() + f.versionErrors()).isZero();
    }

    @Test
    void versionMustMatch() {
        RouterConfig c = v3(100).build();
        assertThat(dropped(c, MCAST, 255, advert(v2(100).build(), 200)).versionErrors()).isEqualTo(1);
    }

    @Test
    void v2AuthChecks() {
        RouterConfig pass = v2(100).password("1111").build();
        RouterConfig none = v2(100).build();
        assertThat(dropped(pass, MCAST, 255, advert(none, 200)).authTypeMismatch()).isEqualTo(1);
        assertThat(dropped(none, MCAST, 255, advert(pass, 200)).authTypeMismatch()).isEqualTo(1);
        assertThat(dropped(pass, MCAST, 255, advert(v2(100).password("2222").build(), 200)).authFailures())
                .isEqualTo(1);
        assertThat(dropped(pass, MCAST, 255, with(pass, a -> new VrrpAdvertisement(a.version(), a.vrid(), 200,
                a.advertIntervalCs(), 2, a.authData(), a.family(), a.addresses()))).authTypeMismatch())
                .as("AH is a valid type on the wire, just not ours").isEqualTo(1);
        VrrpMachine m = started(pass, 0);
        m.onAdvertisement(SEC, HIGHER_PEER, MCAST, 255, advert(pass, 200));
        assertThat(m.stats().advertisementsReceived()).isEqualTo(1);
    }

    @Test
    void v2IntervalMustMatch() {
        RouterConfig c = v2(100).build();
        assertThat(dropped(c, MCAST, 255, advert(c, 200, 200)).advertIntervalErrors()).isEqualTo(1);
    }

    @Test
    void addressListMismatchIsCountedAndDroppedEvenFromTheOwner() {
        RouterConfig c = v3(100).build();
        VrrpAdvertisement other = with(c, a -> new VrrpAdvertisement(a.version(), a.vrid(), 200, a.advertIntervalCs(),
                0, a.authData(), a.family(), List.of(IpAddress.parse("198.51.100.51"))));
        VrrpMachine m = started(c, 0);
        long deadline = m.nextDeadlineNanos();
        m.onAdvertisement(SEC, HIGHER_PEER, MCAST, 255, other);
        assertThat(m.stats().addressListErrors()).isEqualTo(1);
        assertThat(m.nextDeadlineNanos()).isEqualTo(deadline);
        VrrpAdvertisement extra = with(c, a -> new VrrpAdvertisement(a.version(), a.vrid(), 200, a.advertIntervalCs(),
                0, a.authData(), a.family(), List.of(IpAddress.parse("198.51.100.50"), IpAddress.parse("198.51.100.51"))));
        m.onAdvertisement(SEC, HIGHER_PEER, MCAST, 255, extra);
        assertThat(m.stats().addressListErrors()).isEqualTo(2);
        // keepalived drops it too ("not present in MASTER advert"); RFC 5798 section 7.1 would accept the owner's
        VrrpAdvertisement owner = with(c, a -> new VrrpAdvertisement(a.version(), a.vrid(), 255, a.advertIntervalCs(),
                0, a.authData(), a.family(), List.of(IpAddress.parse("198.51.100.51"))));
        m.onAdvertisement(2 * SEC, HIGHER_PEER, MCAST, 255, owner);
        assertThat(m.stats().addressListErrors()).isEqualTo(3);
        assertThat(m.stats().advertisementsReceived()).as("counted as received before the address check").isEqualTo(3);
        assertThat(m.nextDeadlineNanos()).as("owner's advert with other addresses dropped").isEqualTo(deadline);
    }

    @Test
    void aMasterKeepsMasteringOnAPriority255AdvertWithOtherAddresses() {
        RouterConfig c = v3(150).build();
        VrrpMachine m = master(c);
        VrrpAdvertisement owner = with(c, a -> new VrrpAdvertisement(a.version(), a.vrid(), 255, a.advertIntervalCs(),
                0, a.authData(), a.family(), List.of(IpAddress.parse("203.0.113.7"))));
        assertThat(m.onAdvertisement(5 * SEC, HIGHER_PEER, MCAST, 255, owner)).isEmpty();
        assertThat(m.state()).isEqualTo(RouterState.MASTER);
        assertThat(m.stats().addressListErrors()).isEqualTo(1);
        assertThat(m.stats().releasedMaster()).isZero();
    }

    @Test
    void addressOrderDoesNotMatter() {
        RouterConfig c = v3(100).virtualAddress("198.51.100.51/24").build();
        VrrpMachine m = started(c, 0);
        m.onAdvertisement(SEC, HIGHER_PEER, MCAST, 255, with(c, a -> new VrrpAdvertisement(a.version(), a.vrid(), 200,
                a.advertIntervalCs(), 0, a.authData(), a.family(), List.of(a.addresses().get(1), a.addresses().get(0)))));
        assertThat(m.stats().addressListErrors()).isZero();
        assertThat(m.stats().advertisementsReceived()).isEqualTo(1);
    }

    @Test
    void multicastAdvertToUnicastRouterIsRefusedAndViceVersa() {
        RouterConfig uni = v3(100).unicastPeer(HIGHER_PEER).build();
        assertThat(dropped(uni, MCAST, 255, advert(uni, 200)).addressListErrors()).isEqualTo(1);
        RouterConfig multi = v3(100).build();
        assertThat(dropped(multi, SELF, 255, advert(multi, 200)).addressListErrors()).isEqualTo(1);
    }

    @Test
    void unicastAdvertFromANonPeerIsDroppedAndCountedByDefault() {
        RouterConfig c = v3(100).unicastPeer(LOWER_PEER).build();
        assertThat(c.checksUnicastSource()).isTrue();
        VrrpStats s = dropped(c, SELF, 255, advert(c, 255));
        assertThat(s.unicastSourceErrors()).isEqualTo(1);
        assertThat(s.addressListErrors() + s.ttlErrors() + s.vridMismatch()).isZero();
        VrrpMachine m = started(c, 0);
        m.onAdvertisement(SEC, LOWER_PEER, SELF, 255, advert(c, 200));
        assertThat(m.stats().advertisementsReceived()).as("the peer's advert counts").isEqualTo(1);
        assertThat(m.stats().unicastSourceErrors()).isZero();
    }

    @Test
    void aMasterDoesNotYieldToAPriority255StrangerButDoesToItsPeer() {
        RouterConfig c = v3(150).unicastPeer(LOWER_PEER).build();
        VrrpMachine m = master(c);
        for (int i = 0; i < 5; i++) {
            assertThat(m.onAdvertisement((5 + i) * SEC, HIGHER_PEER, SELF, 255, advert(c, 255))).isEmpty();
        }
        assertThat(m.state()).isEqualTo(RouterState.MASTER);
        assertThat(m.stats().unicastSourceErrors()).isEqualTo(5);
        m.onAdvertisement(11 * SEC, LOWER_PEER, SELF, 255, advert(c, 255));
        assertThat(m.state()).as("the same advert from the peer wins").isEqualTo(RouterState.BACKUP);
    }

    @Test
    void acceptAdvertsFromNonPeersTurnsTheCheckOff() {
        RouterConfig c = v3(150).unicastPeer(LOWER_PEER).acceptAdvertsFromNonPeers(true).build();
        assertThat(c.checksUnicastSource()).isFalse();
        assertThat(c.toString()).contains("unicast [198.51.100.5] (adverts from non-peers accepted)");
        VrrpMachine m = master(c);
        m.onAdvertisement(5 * SEC, HIGHER_PEER, SELF, 255, advert(c, 255));
        assertThat(m.state()).as("keepalived's default: a stranger's advert counts").isEqualTo(RouterState.BACKUP);
        assertThat(m.stats().unicastSourceErrors()).isZero();
        assertThat(m.acceptsSource(HIGHER_PEER)).isTrue();
    }

    @Test
    void multicastRoutersHaveNoPeerListToCheck() {
        RouterConfig c = v3(100).build();
        assertThat(c.checksUnicastSource()).isFalse();
        VrrpMachine m = started(c, 0);
        m.onAdvertisement(SEC, HIGHER_PEER, MCAST, 255, advert(c, 200));
        assertThat(m.stats().advertisementsReceived()).isEqualTo(1);
        assertThat(m.acceptsSource(HIGHER_PEER)).isTrue();
    }

    @Test
    void theSourceCheckComparesWholeAddressesForIpv6Peers() {
        RouterId v6 = new RouterId("VI_6", "eth0", 51, IpFamily.IPV6);
        IpAddress self = IpAddress.parse("fe80::1");
        IpAddress peer = IpAddress.parse("fe80::2");
        RouterConfig c = RouterConfig.builder(v6).virtualAddress("2001:db8::50/64").unicastPeer(peer).build();
        VrrpMachine m = new VrrpMachine(c, self);
        m.start(0);
        m.onAdvertisement(SEC, IpAddress.parse("2001:db8::2"), self, 255, advert(c, 200));
        assertThat(m.stats().unicastSourceErrors()).as("the peer's global address is another source").isEqualTo(1);
        m.onAdvertisement(SEC, peer, self, 255, advert(c, 200));
        assertThat(m.stats().advertisementsReceived()).isEqualTo(1);
        assertThat(m.acceptsSource(peer)).isTrue();
        assertThat(m.acceptsSource(IpAddress.parse("fe80::3"))).isFalse();

        // keepalived 2.2.7 with global peers and no unicast_src_ip sends from its link-local address: dropped (the
        // log says why and what to set); listing the global address only accepts adverts from that address
        RouterConfig global = RouterConfig.builder(v6).virtualAddress("2001:db8::50/64")
                .unicastPeer(IpAddress.parse("2001:db8::2")).build();
        VrrpMachine g = new VrrpMachine(global, IpAddress.parse("2001:db8::1"));
        g.start(0);
        g.onAdvertisement(SEC, IpAddress.parse("fe80::2"), IpAddress.parse("2001:db8::1"), 64, advert(global, 200));
        assertThat(g.stats().unicastSourceErrors()).isEqualTo(1);
        g.onAdvertisement(SEC, IpAddress.parse("2001:db8::2"), IpAddress.parse("2001:db8::1"), 64, advert(global, 200));
        assertThat(g.stats().advertisementsReceived()).isEqualTo(1);
    }

    @Test
    void ownAdvertLoopedBackIsIgnored() {
        RouterConfig c = v3(100).build();
        VrrpMachine m = started(c, 0);
        assertThat(m.onAdvertisement(SEC, SELF, MCAST, 255, advert(c, 200))).isEmpty();
        assertThat(m.stats()).isEqualTo(new VrrpStats.Counters().snapshot());
    }
}
