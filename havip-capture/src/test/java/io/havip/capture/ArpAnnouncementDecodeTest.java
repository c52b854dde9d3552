package io.havip.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.arp.packet.ArpPacket;
import io.havip.arp.packet.GratuitousArp;
import io.havip.arp.packet.MalformedPacketException;
import io.havip.arp.packet.NeighborAdvertisement;
import io.havip.core.Clock;
import io.havip.core.ManualClock;
import io.havip.core.cloud.ArpAnnouncement;
import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.Ipv6Address;
import io.havip.core.net.MacAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the capture reports as an announcement, from frames built by havip-arp's codecs. */
class ArpAnnouncementDecodeTest {

    private static final MacAddress MAC = MacAddress.parse("02:00:c6:33:64:0b");

    @Test
    void announcementsAreGratuitousArpsRepliesAndUnsolicitedNas() throws Exception {
        ManualClock clock = Clock.manual(Instant.parse("2026-01-01T00:00:00Z"));
        Ipv4Address vip = Ipv4Address.parse("198.51.100.50");
        assertThat(ArpAnnouncementListener.decode(GratuitousArp.request(MAC, vip).encode(), "s", clock))
                .isEqualTo(new ArpAnnouncement(vip, MAC, "s", clock.instant()));
        assertThat(ArpAnnouncementListener.decode(GratuitousArp.reply(MAC, vip).encode(), "s", clock)).isNotNull();
        byte[] ordinary = new ArpPacket(ArpPacket.Operation.REQUEST, MAC, vip, MacAddress.ZERO,
                Ipv4Address.parse("198.51.100.1")).toFrame(MacAddress.BROADCAST, MAC).encode();
        assertThat(ArpAnnouncementListener.decode(ordinary, "s", clock)).isNull();
        byte[] probe = new ArpPacket(ArpPacket.Operation.REQUEST, MAC, new Ipv4Address(0), MacAddress.ZERO, vip)
                .toFrame(MacAddress.BROADCAST, MAC).encode();
        assertThat(ArpAnnouncementListener.decode(probe, "s", clock)).isNull();
        Ipv6Address vip6 = Ipv6Address.parse("2001:db8::50");
        assertThat(ArpAnnouncementListener.decode(NeighborAdvertisement.unsolicited(MAC, vip6).encodeFrame(), "s",
                clock)).isEqualTo(new ArpAnnouncement(IpAddress.parse("2001:db8::50"), MAC, "s", clock.instant()));
        assertThatThrownBy(() -> ArpAnnouncementListener.decode(new byte[] {1, 2, 3}, "s", clock))
                .isInstanceOf(MalformedPacketException.class);
    }
}
