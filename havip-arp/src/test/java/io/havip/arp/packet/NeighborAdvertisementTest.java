package io.havip.arp.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.arp.packet.MalformedPacketException.Reason;
import io.havip.arp.packet.NeighborAdvertisement.ChecksumMode;
import io.havip.arp.packet.NeighborAdvertisement.Flag;
import io.havip.core.net.Ipv6Address;
import io.havip.core.net.MacAddress;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NeighborAdvertisementTest {

    private static final MacAddress MAC = MacAddress.parse("02:00:c6:33:64:0b");
    private static final Ipv6Address VIP = Ipv6Address.parse("2001:db8::50");

    /**
     * Written to a pcap and dissected once by TShark 4.0.17: "Type: Neighbor Advertisement
     * (136)", "Hop Limit: 255", "Checksum: 0xce4e [correct]", "[Checksum Status: Good]",
     * "Flags: 0x20000000, Override", "Target Address: 2001:db8::50", "Target link-layer
     * address (2) ... 02:00:c6:33:64:0b".
     */
    private static final String HOST_NA = "333300000001" + "0200c633640b" + "86dd"
            + "60000000" + "0020" + "3a" + "ff" + "20010db8000000000000000000000050" + "ff020000000000000000000000000001"
            + "88" + "00" + "ce4e" + "20000000" + "20010db8000000000000000000000050"
            + "02" + "01" + "0200c633640b";

    /** Same, for a router (TShark: "Checksum: 0x4e49 [correct]", "Flags: 0xa0000000, Router, Override"). */
    private static final String ROUTER_NA = "333300000001" + "0200c633640c" + "86dd"
            + "60000000" + "0020" + "3a" + "ff" + "20010db8000000010000000000000051" + "ff020000000000000000000000000001"
            + "88" + "00" + "4e49" + "a0000000" + "20010db8000000010000000000000051"
            + "02" + "01" + "0200c633640c";

    @Test
    void unsolicitedAdvertisementMatchesTheTsharkVerifiedFrame() {
        NeighborAdvertisement na = NeighborAdvertisement.unsolicited(MAC, VIP);
        assertThat(HexFormat.of().formatHex(na.encodeFrame())).isEqualTo(HOST_NA);
        assertThat(na.source()).as("keepalived sends from the VIP itself").isEqualTo(VIP);
        assertThat(na.destination()).isEqualTo(Ipv6Address.parse("ff02::1"));
        assertThat(na.flags()).containsExactly(Flag.OVERRIDE);
        assertThat(na.targetLinkLayerAddress()).contains(MAC);

        NeighborAdvertisement router = NeighborAdvertisement.unsolicitedFromRouter(
                MacAddress.parse("02:00:c6:33:64:0c"), Ipv6Address.parse("2001:db8:0:1::51"));
        assertThat(HexFormat.of().formatHex(router.encodeFrame())).isEqualTo(ROUTER_NA);
    }

    /** The checksum recomputed independently: a hand-built RFC 8200 section 8.1 pseudo-header and a plain loop. */
    @Test
    void checksumAgreesWithAReferenceComputation() {
        byte[] frame = NeighborAdvertisement.unsolicited(MAC, VIP).encodeFrame();
        byte[] icmp = Arrays.copyOfRange(frame, 54, 86);
        int onWire = ((icmp[2] & 0xff) << 8) | (icmp[3] & 0xff);
        icmp[2] = 0;
        icmp[3] = 0;
        byte[] pseudo = new byte[40 + icmp.length];
        System.arraycopy(VIP.toBytes(), 0, pseudo, 0, 16);
        System.arraycopy(Ipv6Address.parse("ff02::1").toBytes(), 0, pseudo, 16, 16);
        pseudo[35] = (byte) icmp.length;
        pseudo[39] = 58;
        System.arraycopy(icmp, 0, pseudo, 40, icmp.length);
        int expected = ~InternetChecksumTest.reference(pseudo) & 0xffff;
        assertThat(onWire).isEqualTo(expected).isEqualTo(0xce4e);
    }

    @Test
    void decodesWhatItEncodes() throws MalformedPacketException {
        NeighborAdvertisement na = NeighborAdvertisement.unsolicitedFromRouter(MAC, VIP);
        assertThat(NeighborAdvertisement.decodeFrame(na.encodeFrame())).isEqualTo(na);
        byte[] padded = Arrays.copyOf(na.encodeFrame(), 100);
        assertThat(NeighborAdvertisement.decodeFrame(padded)).isEqualTo(na);
        NeighborAdvertisement decoded = NeighborAdvertisement.decodeFrame(HexFormat.of().parseHex(HOST_NA));
        assertThat(decoded).isEqualTo(NeighborAdvertisement.unsolicited(MAC, VIP));
        assertThat(decoded.has(Flag.OVERRIDE)).isTrue();
        assertThat(decoded.has(Flag.ROUTER)).isFalse();
        assertThat(decoded.has(Flag.SOLICITED)).isFalse();
    }

    @Test
    void advertisementWithoutOptionIsTwentyFourBytesOfIcmp() throws MalformedPacketException {
        NeighborAdvertisement bare = new NeighborAdvertisement(MAC, MacAddress.parse("02:00:c6:33:64:0c"), VIP,
                Ipv6Address.parse("2001:db8::11"), EnumSet.of(Flag.SOLICITED), VIP, Optional.empty());
        byte[] frame = bare.encodeFrame();
        assertThat(frame).hasSize(14 + 40 + 24);
        assertThat(NeighborAdvertisement.decodeFrame(frame)).isEqualTo(bare);
    }

    @Test
    void skipsUnknownOptionsAndKeepsTheFirstTargetLinkLayerAddress() throws MalformedPacketException {
        NeighborAdvertisement na = NeighborAdvertisement.unsolicited(MAC, VIP);
        byte[] base = na.encodeFrame();
        // append an unknown option (type 14, one unit) and a second TLLA, then fix lengths and checksum
        byte[] extra = HexFormat.of().parseHex("0e01000000000000" + "0201" + "020000000099");
        byte[] frame = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, frame, base.length, extra.length);
        frame[14 + 5] = (byte) (32 + extra.length);
        refreshChecksum(frame);
        assertThat(NeighborAdvertisement.decodeFrame(frame).targetLinkLayerAddress()).contains(MAC);
    }

    @Test
    void refusesWrongHopLimitEvenWithAGoodChecksum() {
        byte[] frame = NeighborAdvertisement.unsolicited(MAC, VIP).encodeFrame(64, ChecksumMode.CORRECT);
        assertRefused(frame, Reason.BAD_HOP_LIMIT, "cannot decode Neighbor Advertisement: hop limit 64 is not 255;"
                + " RFC 4861 section 7.1.2 says such an advertisement may come from off-link");
    }

    @Test
    void refusesABadChecksumNamingTheExpectedOne() {
        byte[] frame = NeighborAdvertisement.unsolicited(MAC, VIP).encodeFrame(255, ChecksumMode.CORRUPTED);
        assertRefused(frame, Reason.BAD_CHECKSUM,
                "cannot decode Neighbor Advertisement: ICMPv6 checksum 0x31b1 is wrong, expected 0xce4e");
        byte[] flipped = NeighborAdvertisement.unsolicited(MAC, VIP).encodeFrame();
        flipped[flipped.length - 1] ^= 1;
        assertRefused(flipped, Reason.BAD_CHECKSUM, "cannot decode Neighbor Advertisement: ICMPv6 checksum 0xce4e is wrong");
    }

    @Test
    void refusesEachHeaderFieldItCannotAccept() {
        byte[] good = NeighborAdvertisement.unsolicited(MAC, VIP).encodeFrame();
        byte[] arp = GratuitousArp.request(MAC, io.havip.core.net.Ipv4Address.parse("198.51.100.50")).encode();
        assertRefused(arp, Reason.UNEXPECTED_ETHERTYPE, "cannot decode Neighbor Advertisement: EtherType 0x0806 is not IPv6 (0x86dd)");
        assertRefused(Arrays.copyOf(good, 14 + 39), Reason.TRUNCATED,
                "cannot decode Neighbor Advertisement: 39 bytes is shorter than the 40-byte IPv6 header");
        assertRefused(patched(good, 14, 0x45), Reason.NOT_IPV6, "cannot decode Neighbor Advertisement: IP version 4 is not 6");
        assertRefused(Arrays.copyOf(good, 85), Reason.TRUNCATED,
                "cannot decode Neighbor Advertisement: IPv6 payload length 32 exceeds the 31 bytes present");
        assertRefused(patched(good, 20, 0), Reason.UNSUPPORTED_NEXT_HEADER,
                "cannot decode Neighbor Advertisement: next header 0 is not ICMPv6 (58); extension headers are not followed");
        assertRefused(fixed(patched(good, 19, 3)), Reason.TRUNCATED,
                "cannot decode Neighbor Advertisement: ICMPv6 message of 3 bytes is shorter than its 4-byte header");
        assertRefused(fixed(patched(good, 54, 135)), Reason.NOT_NEIGHBOR_ADVERTISEMENT,
                "cannot decode Neighbor Advertisement: ICMPv6 type 135 is not Neighbor Advertisement (136)");
        assertRefused(fixed(patched(good, 55, 1)), Reason.BAD_ICMP_CODE,
                "cannot decode Neighbor Advertisement: ICMPv6 code 1 is not 0");
        assertRefused(fixed(patched(good, 19, 23)), Reason.TRUNCATED,
                "cannot decode Neighbor Advertisement: ICMPv6 length 23 is below the 24 bytes of a Neighbor Advertisement");
    }

    @Test
    void refusesMulticastTargetsSourcesAndSolicitedToMulticast() {
        byte[] good = NeighborAdvertisement.unsolicited(MAC, VIP).encodeFrame();
        byte[] mcastTarget = good.clone();
        mcastTarget[62] = (byte) 0xff;
        assertRefused(fixed(mcastTarget), Reason.MULTICAST_ADDRESS,
                "cannot decode Neighbor Advertisement: target address ff01:db8::50 is multicast (RFC 4861 section 7.1.2)");
        byte[] mcastSource = good.clone();
        mcastSource[22] = (byte) 0xff;
        assertRefused(fixed(mcastSource), Reason.MULTICAST_ADDRESS,
                "cannot decode Neighbor Advertisement: source address ff01:db8::50 is multicast (RFC 4291 section 2.7)");
        assertRefused(fixed(patched(good, 58, 0x60)), Reason.SOLICITED_TO_MULTICAST,
                "cannot decode Neighbor Advertisement: Solicited flag set with multicast destination ff02::1 (RFC 4861 section 7.1.2)");
    }

    @Test
    void refusesMalformedOptions() {
        byte[] good = NeighborAdvertisement.unsolicited(MAC, VIP).encodeFrame();
        assertRefused(fixed(patched(good, 79, 0)), Reason.BAD_OPTION,
                "cannot decode Neighbor Advertisement: option type 2 at ICMPv6 offset 24 has length 0 (RFC 4861 section 4.6)");
        assertRefused(fixed(patched(good, 79, 2)), Reason.BAD_OPTION,
                "cannot decode Neighbor Advertisement: option type 2 of 16 bytes runs past the end of the message (8 bytes left)");
        // a 16-byte TLLA that fits: wrong size for Ethernet
        byte[] longOption = Arrays.copyOf(good, good.length + 8);
        longOption[79] = 2;
        longOption[19] = 40;
        assertRefused(fixed(longOption), Reason.BAD_OPTION,
                "cannot decode Neighbor Advertisement: Target Link-Layer Address option of 16 bytes; an Ethernet address takes 8");
        // one stray byte after the option
        byte[] stray = Arrays.copyOf(good, good.length + 1);
        stray[19] = 33;
        assertRefused(fixed(stray), Reason.BAD_OPTION,
                "cannot decode Neighbor Advertisement: 1 byte left where an option header (type, length) needs 2");
    }

    @Test
    void constructorAndFactoryRefusals() {
        Ipv6Address mcast = Ipv6Address.parse("ff02::1");
        MacAddress peer = MacAddress.parse("02:00:c6:33:64:0c");
        assertThatThrownBy(() -> new NeighborAdvertisement(MAC, peer, mcast, VIP, Set.of(), VIP, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("IPv6 source ff02::1 is multicast; RFC 4291 section 2.7 forbids multicast sources"
                        + " — use the advertised address or a link-local address of the interface");
        assertThatThrownBy(() -> new NeighborAdvertisement(MAC, peer, VIP, VIP, Set.of(), mcast, Optional.empty()))
                .hasMessage("target ff02::1 is multicast; a Neighbor Advertisement advertises a unicast address (RFC 4861 section 7.1.2)");
        assertThatThrownBy(() -> new NeighborAdvertisement(MAC, peer, VIP, mcast, Set.of(Flag.SOLICITED), VIP, Optional.empty()))
                .hasMessage("Solicited flag set on an advertisement to multicast ff02::1; RFC 4861 section 7.1.2 requires it to be zero");
        assertThatThrownBy(() -> new NeighborAdvertisement(MAC, peer, VIP, VIP, Set.of(), VIP, null))
                .hasMessage("targetLinkLayerAddress (use Optional.empty())");
        assertThatThrownBy(() -> NeighborAdvertisement.unsolicited(MacAddress.parse("33:33:00:00:00:01"), VIP))
                .hasMessage("cannot advertise 2001:db8::50 at MAC 33:33:00:00:00:01: a group (multicast/broadcast) MAC"
                        + " cannot own an address; use the interface's own MAC");
        assertThatThrownBy(() -> NeighborAdvertisement.unsolicited(MAC, Ipv6Address.parse("::")))
                .hasMessage("cannot advertise the unspecified address ::");
        assertThatThrownBy(() -> NeighborAdvertisement.unsolicited(MAC, VIP).encodeFrame(256, ChecksumMode.CORRECT))
                .hasMessage("hop limit 256 is outside 0-255");
    }

    @Test
    void flagsAreCopiedAndImmutable() {
        Set<Flag> flags = EnumSet.of(Flag.OVERRIDE);
        NeighborAdvertisement na = new NeighborAdvertisement(MAC, NeighborAdvertisement.ALL_NODES_MAC, VIP,
                NeighborAdvertisement.ALL_NODES, flags, VIP, Optional.of(MAC));
        flags.add(Flag.ROUTER);
        assertThat(na.flags()).containsExactly(Flag.OVERRIDE);
        assertThatThrownBy(() -> na.flags().add(Flag.ROUTER)).isInstanceOf(UnsupportedOperationException.class);
    }

    static void assertRefused(byte[] frame, Reason reason, String messageStart) {
        assertThatThrownBy(() -> NeighborAdvertisement.decodeFrame(frame))
                .isInstanceOfSatisfying(MalformedPacketException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageStartingWith(messageStart);
    }

    private static byte[] patched(byte[] frame, int at, int value) {
        byte[] copy = frame.clone();
        copy[at] = (byte) value;
        return copy;
    }

    /** Recomputes the checksum so the test reaches the check after it. */
    private static byte[] fixed(byte[] frame) {
        refreshChecksum(frame);
        return frame;
    }

    private static void refreshChecksum(byte[] frame) {
        int length = Math.min(((frame[18] & 0xff) << 8) | (frame[19] & 0xff), Math.max(0, frame.length - 54));
        if (length < 4) {
            return;
        }
        frame[56] = 0;
        frame[57] = 0;
        Ipv6Address src = Ipv6Address.ofBytes(Arrays.copyOfRange(frame, 22, 38));
        Ipv6Address dst = Ipv6Address.ofBytes(Arrays.copyOfRange(frame, 38, 54));
        int c = InternetChecksum.upperLayerChecksum(src, dst, 58, frame, 54, length);
        frame[56] = (byte) (c >>> 8);
        frame[57] = (byte) c;
    }
}
