package io.havip.core.cloud;

import static io.havip.core.cloud.Fixture.T0;
import static io.havip.core.cloud.Fixture.ip;
import static io.havip.core.cloud.Fixture.mac;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.cloud.AnnouncementOutcome.Accepted;
import io.havip.core.cloud.AnnouncementOutcome.IgnoreReason;
import io.havip.core.cloud.AnnouncementOutcome.Ignored;
import io.havip.core.cloud.HavipEvent.HolderChanged;
import io.havip.core.net.MacAddress;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AnnouncementTest {

    private final Fixture f = new Fixture();
    private final HavipService service = f.service;
    private HavipResource vip;

    @BeforeEach
    void bindTwo() {
        vip = f.apply("web");
        service.bind(vip.id(), "ins-1");
        service.bind(vip.id(), "ins-2");
        f.events.clear();
    }

    private AnnouncementOutcome announce(String address, MacAddress mac, String subnet, Instant at) {
        return service.onAnnouncement(new ArpAnnouncement(ip(address), mac, subnet, at));
    }

    @Test
    void aBoundInstanceBecomesTheHolder() {
        assertThat(announce("10.0.0.2", mac(1), "subnet-a", T0.plusSeconds(1))).isEqualTo(new Accepted(vip.id(), "ins-1", true));
        assertThat(service.get(vip.id()).orElseThrow().holder()).contains("ins-1");
        // failover: the backup announces
        assertThat(announce("10.0.0.2", mac(2), "subnet-a", T0.plusSeconds(5))).isEqualTo(new Accepted(vip.id(), "ins-2", true));
        assertThat(f.events).containsExactly(
                new HolderChanged(vip.id(), Optional.empty(), Optional.of("ins-1"), T0.plusSeconds(1)),
                new HolderChanged(vip.id(), Optional.of("ins-1"), Optional.of("ins-2"), T0.plusSeconds(5)));
        HavipResource now = service.get(vip.id()).orElseThrow();
        assertThat(now.holder()).contains("ins-2");
        assertThat(now.holderSince()).contains(T0.plusSeconds(5));
    }

    @Test
    void repeatsFromTheHolderChangeNothing() {
        announce("10.0.0.2", mac(1), "subnet-a", T0.plusSeconds(1));
        assertThat(announce("10.0.0.2", mac(1), "subnet-a", T0.plusSeconds(2))).isEqualTo(new Accepted(vip.id(), "ins-1", false));
        assertThat(f.events).hasSize(1);
    }

    @Test
    void ignoresStaleAnnouncements() {
        announce("10.0.0.2", mac(2), "subnet-a", T0.plusSeconds(10));
        assertThat(announce("10.0.0.2", mac(1), "subnet-a", T0.plusSeconds(9))).isEqualTo(new Ignored(IgnoreReason.STALE,
                "the announcement by ins-1 at 2024-05-01T08:00:09Z is older than the one by ins-2 at 2024-05-01T08:00:10Z "
                        + "that made the current holder"));
        assertThat(service.get(vip.id()).orElseThrow().holder()).contains("ins-2");
    }

    @Test
    void ignoresUnknownAddresses() {
        assertThat(announce("10.0.0.3", mac(1), "subnet-a", T0))
                .isEqualTo(new Ignored(IgnoreReason.UNKNOWN_ADDRESS, "10.0.0.3 is not a HAVIP in subnet subnet-a of vpc-a"));
        // the same address in another VPC is not this HAVIP
        assertThat(announce("10.0.0.2", MacAddress.parse("02:00:00:00:0c:01"), "subnet-c", T0))
                .isEqualTo(new Ignored(IgnoreReason.UNKNOWN_ADDRESS, "10.0.0.2 is not a HAVIP in subnet subnet-c of vpc-b"));
        assertThat(announce("10.0.0.2", mac(1), "subnet-z", T0)).isEqualTo(new Ignored(IgnoreReason.UNKNOWN_SUBNET,
                "subnet subnet-z is unknown (announcement of 10.0.0.2 by 02:00:00:00:00:01)"));
        assertThat(f.events).isEmpty();
    }

    @Test
    void ignoresInstancesThatAreNotBound() {
        assertThat(announce("10.0.0.2", mac(3), "subnet-a", T0)).isEqualTo(new Ignored(IgnoreReason.INSTANCE_NOT_BOUND,
                "ins-3 announced 10.0.0.2 but is not bound to havip-1 (bound: [ins-1, ins-2]); bind it first"));
        assertThat(announce("10.0.0.2", MacAddress.parse("02:00:00:00:ff:ff"), "subnet-a", T0)).isEqualTo(new Ignored(
                IgnoreReason.UNKNOWN_MAC, "02:00:00:00:ff:ff announcing 10.0.0.2 belongs to no known instance"));
        assertThat(announce("10.0.0.2", MacAddress.vrrp(io.havip.core.net.IpFamily.IPV4, 51), "subnet-a", T0))
                .isEqualTo(new Ignored(IgnoreReason.UNKNOWN_MAC, "00:00:5e:00:01:33 announcing 10.0.0.2 belongs to no known "
                        + "instance; it is a VRRP virtual MAC, and the fabric knows instances by their own MACs (turn off use_vmac)"));
        assertThat(service.get(vip.id()).orElseThrow().holder()).isEmpty();
        assertThat(f.events).isEmpty();
    }

    @Test
    void ignoresAnnouncementsFromTheWrongSubnet() {
        // the HAVIP lives in subnet-a; the announcement shows up in subnet-b of the same VPC
        assertThat(announce("10.0.0.2", MacAddress.parse("02:00:00:00:0b:01"), "subnet-b", T0)).isEqualTo(new Ignored(
                IgnoreReason.WRONG_SUBNET, "10.0.0.2 is havip-1 in subnet subnet-a, but the announcement was seen in subnet subnet-b"));
        // a HAVIP of subnet-b announced in subnet-b by an instance of subnet-a
        HavipResource b = service.apply(ApplyRequest.intranet("b", "vpc-a", "subnet-b"));
        assertThat(announce(b.address().toString(), mac(1), "subnet-b", T0)).isEqualTo(new Ignored(IgnoreReason.WRONG_SUBNET,
                "ins-1 (02:00:00:00:00:01) is in subnet subnet-a, but its announcement of 10.0.1.2 was seen in subnet subnet-b"));
        assertThat(f.events).hasSize(1);
    }

    @Test
    void ignoresHavipsThatAreNotAvailable() {
        service.markFailed(vip.id());
        assertThat(announce("10.0.0.2", mac(1), "subnet-a", T0))
                .isEqualTo(new Ignored(IgnoreReason.HAVIP_NOT_AVAILABLE, "havip-1 (10.0.0.2) is FAILED"));
    }

    @Test
    void unbindingTheHolderClearsIt() {
        announce("10.0.0.2", mac(1), "subnet-a", T0);
        f.events.clear();
        service.unbind(vip.id(), "ins-1");
        assertThat(f.events).containsExactly(
                new HavipEvent.InstanceUnbound(vip.id(), "ins-1", T0),
                new HolderChanged(vip.id(), Optional.of("ins-1"), Optional.empty(), T0));
        assertThat(service.get(vip.id()).orElseThrow().holder()).isEmpty();
        assertThat(announce("10.0.0.2", mac(2), "subnet-a", T0.minusSeconds(1)))
                .as("no holder, nothing to be stale against").isEqualTo(new Accepted(vip.id(), "ins-2", true));
    }

    @Test
    void ipv6NeighborAdvertisementsWorkTheSameWay() {
        HavipResource v6 = service.apply(ApplyRequest.intranet("v6", "vpc-a", "subnet-a").withType(HavipType.EXTRANET_IPV6));
        service.bind(v6.id(), "ins-3");
        assertThat(announce("2001:db8:a::2", mac(3), "subnet-a", T0)).isEqualTo(new Accepted(v6.id(), "ins-3", true));
    }

    @Test
    void announcementsAreValidated() {
        assertThatThrownBy(() -> new ArpAnnouncement(null, mac(1), "subnet-a", T0))
                .hasMessage("an ARP announcement needs a sender address, a sender MAC and a time, got null, 02:00:00:00:00:01, "
                        + "2024-05-01T08:00:00Z");
        assertThatThrownBy(() -> new ArpAnnouncement(ip("10.0.0.2"), mac(1), " ", T0))
                .hasMessage("subnet id of the announcement of 10.0.0.2 is missing (got \" \")");
    }
}
