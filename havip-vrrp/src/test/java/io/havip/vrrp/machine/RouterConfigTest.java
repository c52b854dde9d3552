package io.havip.vrrp.machine;

import static io.havip.vrrp.machine.Fixtures.VR;
import static io.havip.vrrp.machine.Fixtures.v2;
import static io.havip.vrrp.machine.Fixtures.v3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.RouterId;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.codec.VrrpVersion;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouterConfigTest {

    @Test
    void defaultsAreRfcDefaults() {
        RouterConfig c = v3(100).build();
        assertThat(c.version()).isEqualTo(VrrpVersion.V3);
        assertThat(c.advertInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.advertIntervalCs()).isEqualTo(100);
        assertThat(c.preempt()).isTrue();
        assertThat(c.preemptDelay()).isZero();
        assertThat(c.advertDestinations()).containsExactly(IpAddress.parse("224.0.0.18"));
        assertThat(c.authType()).isZero();
        assertThat(c.authData()).isEmpty();
        assertThat(c.addressOwner()).isFalse();
        assertThat(v3(255).build().addressOwner()).isTrue();
    }

    @Test
    void ipv6UsesItsMulticastGroup() {
        RouterId v6 = new RouterId("VI_6", "eth0", 7, IpFamily.IPV6);
        RouterConfig c = RouterConfig.builder(v6).virtualAddress("2001:db8::50/64").build();
        assertThat(c.advertDestinations()).containsExactly(IpAddress.parse("ff02::12"));
    }

    @Test
    void unicastPeersReplaceMulticast() {
        IpAddress peer = IpAddress.parse("198.51.100.11");
        assertThat(v3(100).unicastPeer(peer).build().advertDestinations()).containsExactly(peer);
    }

    @Test
    void v2PasswordIsZeroPaddedToEightBytes() {
        RouterConfig c = v2(100).password("1111").build();
        assertThat(c.authType()).isEqualTo(1);
        assertThat(c.authData()).containsExactly('1', '1', '1', '1', 0, 0, 0, 0);
        assertThat(v2(100).build().authData()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void v3IntervalsAreTenMillisecondSteps() {
        assertThat(v3(100).advertInterval(Duration.ofMillis(10)).build().advertIntervalCs()).isEqualTo(1);
        assertThat(v3(100).advertInterval(Duration.ofMillis(40_950)).build().advertIntervalCs()).isEqualTo(4095);
        for (Duration bad : List.of(Duration.ZERO, Duration.ofMillis(15), Duration.ofMillis(40_960), Duration.ofDays(99999),
                Duration.ofMillis(-10))) {
            assertThatThrownBy(() -> v3(100).advertInterval(bad).build())
                    .hasMessageContaining("advertInterval " + bad)
                    .hasMessageContaining("multiple of 10 ms between 10 ms and 40.95 s");
        }
    }

    @Test
    void v2IntervalsAreWholeSeconds() {
        assertThat(v2(100).advertInterval(Duration.ofSeconds(255)).build().advertIntervalCs()).isEqualTo(25500);
        for (Duration bad : List.of(Duration.ofMillis(1500), Duration.ZERO, Duration.ofSeconds(256))) {
            assertThatThrownBy(() -> v2(100).advertInterval(bad).build())
                    .hasMessageContaining("advertInterval " + bad)
                    .hasMessageContaining("whole number of seconds 1-255");
        }
    }

    @Test
    void refusalsNameTheField() {
        assertThatThrownBy(() -> v3(0).build()).hasMessage(
                "router VI_1: priority 0 is outside 1-255 (255 = address owner; 0 is reserved for the release advert)");
        assertThatThrownBy(() -> v3(256).build()).hasMessageContaining("priority 256 is outside 1-255");
        assertThatThrownBy(() -> RouterConfig.builder(VR).build())
                .hasMessage("router VI_1: virtualAddresses is empty; give at least one address to hold");
        assertThatThrownBy(() -> v3(100).virtualAddress("2001:db8::1/64").build())
                .hasMessage("router VI_1: virtual address 2001:db8::1/64 is IPv6 but the router is IPv4");
        assertThatThrownBy(() -> v3(100).virtualAddress("198.51.100.50/32").build())
                .hasMessage("router VI_1: virtual address 198.51.100.50 is listed twice");
        assertThatThrownBy(() -> v3(100).preemptDelay(Duration.ofSeconds(1001)).build())
                .hasMessage("router VI_1: preemptDelay PT16M41S is outside 0-1000 s (keepalived's range)");
        assertThatThrownBy(() -> v3(100).preemptDelay(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("preemptDelay PT-1S is outside");
        assertThatThrownBy(() -> v3(100).password("x").build()).hasMessage(
                "router VI_1: password is set but VRRPv3 has no authentication (RFC 5798 section 9); remove it or use version 2");
        assertThatThrownBy(() -> v2(100).password("123456789").build()).hasMessage(
                "router VI_1: password is 9 bytes; the v2 Authentication Data field holds 1-8 (RFC 2338 section 5.3.10)");
        assertThatThrownBy(() -> v2(100).password("").build()).hasMessageContaining("password is 0 bytes");
        assertThatThrownBy(() -> v3(100).unicastPeer(IpAddress.parse("2001:db8::9")).build())
                .hasMessage("router VI_1: unicast peer 2001:db8::9 is IPv6 but the router is IPv4");
        assertThatThrownBy(() -> v3(100).unicastPeer(IpAddress.parse("224.0.0.18")).build())
                .hasMessage("router VI_1: unicast peer 224.0.0.18 is a multicast address");
        IpAddress p = IpAddress.parse("198.51.100.11");
        assertThatThrownBy(() -> v3(100).unicastPeer(p).unicastPeer(p).build())
                .hasMessage("router VI_1: unicast peer 198.51.100.11 is listed twice");
        assertThatThrownBy(() -> v3(100).tracker(new TrackerSpec.TrackedInterface("eth1", 0))
                .tracker(new TrackerSpec.TrackedInterface("eth1", -10)).build())
                .hasMessage("router VI_1: tracker interface eth1 is listed twice");
        RouterId v6 = new RouterId("VI_6", "eth0", 7, IpFamily.IPV6);
        assertThatThrownBy(() -> RouterConfig.builder(v6).version(VrrpVersion.V2).virtualAddress("2001:db8::50/64").build())
                .hasMessage("router VI_6: version 2 is IPv4 only (RFC 3768); use version 3 for IPv6");
        assertThatThrownBy(() -> new RouterConfig(VR, VrrpVersion.V3, 100, Duration.ofSeconds(1), List.of(), true,
                Duration.ZERO, null, List.of(), true, List.of(), false, StrayAddressPolicy.REMOVE)).hasMessageContaining("virtualAddresses is empty");
        assertThatThrownBy(() -> new RouterConfig(VR, VrrpVersion.V3, 100, Duration.ofSeconds(1),
                v3(1).build().virtualAddresses(), true, Duration.ZERO, null, List.of(), true, List.of(), false, StrayAddressPolicy.REMOVE))
                .hasMessage("router VI_1: password is null (use Optional.empty())");
        assertThatThrownBy(() -> new RouterConfig(null, VrrpVersion.V3, 100, Duration.ofSeconds(1), List.of(), true,
                Duration.ZERO, Optional.empty(), List.of(), true, List.of(), false, StrayAddressPolicy.REMOVE)).hasMessage("router is null");
    }

    @Test
    void trackerSpecsAreValidated() {
        assertThatThrownBy(() -> new TrackerSpec.TrackedInterface("eth1", 254))
                .hasMessage("tracked interface eth1: weight 254 is outside -253..253 (0 means FAULT)");
        assertThatThrownBy(() -> new TrackerSpec.TrackedInterface(" ", 0)).hasMessage("tracked interface name is empty");
        assertThatThrownBy(() -> new TrackerSpec.HealthCheck("db", 0, 0, 1, true))
                .hasMessage("health check db: rise 0 must be 1 or more");
        assertThatThrownBy(() -> new TrackerSpec.HealthCheck("db", 0, 1, 0, true))
                .hasMessage("health check db: fall 0 must be 1 or more");
        assertThatThrownBy(() -> new TrackerSpec.HealthCheck("db", -254, 1, 1, true))
                .hasMessage("health check db: weight -254 is outside -253..253 (0 means FAULT)");
        assertThatThrownBy(() -> new TrackerSpec.HealthCheck("", 0, 1, 1, true)).hasMessage("health check name is empty");
    }

    @Test
    void configIsImmutable() {
        RouterConfig c = v2(100).build();
        assertThatThrownBy(() -> c.virtualAddresses().clear()).isInstanceOf(UnsupportedOperationException.class);
        c.authData()[0] = 1;
        assertThat(v2(100).build().authData()[0]).isZero();
    }
}
