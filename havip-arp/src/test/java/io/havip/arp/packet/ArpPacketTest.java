package io.havip.arp.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.arp.packet.MalformedPacketException.Reason;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.MacAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ArpPacketTest {

    private static final MacAddress MAC = MacAddress.parse("02:00:c6:33:64:0b");
    private static final Ipv4Address HOST = Ipv4Address.parse("198.51.100.11");
    private static final Ipv4Address VIP = Ipv4Address.parse("198.51.100.50");

    /** RFC 826 field order, checked by hand. */
    @Test
    void encodesRfc826Layout() {
        ArpPacket p = new ArpPacket(ArpPacket.Operation.REPLY, MAC, HOST, MacAddress.parse("02:00:c6:33:64:0c"), VIP);
        assertThat(HexFormat.of().formatHex(p.encode())).isEqualTo(
                "0001" + "0800" + "06" + "04" + "0002" + "0200c633640b" + "c633640b" + "0200c633640c" + "c6336432");
    }

    @Test
    void roundTripsAndIgnoresPadding() throws MalformedPacketException {
        ArpPacket p = new ArpPacket(ArpPacket.Operation.REQUEST, MAC, HOST, MacAddress.ZERO, VIP);
        assertThat(ArpPacket.decode(p.encode())).isEqualTo(p);
        byte[] padded = java.util.Arrays.copyOf(p.encode(), 46);
        assertThat(ArpPacket.decode(padded)).isEqualTo(p);
        assertThat(ArpPacket.fromFrame(p.toFrame(MacAddress.BROADCAST, MAC))).isEqualTo(p);
        assertThat(p.isGratuitous()).isFalse();
        assertThat(new ArpPacket(ArpPacket.Operation.REQUEST, MAC, VIP, MacAddress.ZERO, VIP).isGratuitous()).isTrue();
    }

    @Test
    void refusesOtherHardwareProtocolLengthsAndOperations() {
        byte[] good = new ArpPacket(ArpPacket.Operation.REQUEST, MAC, VIP, MacAddress.BROADCAST, VIP).encode();
        assertRefused(patch(good, 1, 6), Reason.UNSUPPORTED_HARDWARE_TYPE,
                "cannot decode ARP packet: hardware type 6 is not Ethernet (1)");
        assertRefused(patch(good, 2, 0x86), Reason.UNSUPPORTED_PROTOCOL_TYPE,
                "cannot decode ARP packet: protocol type 0x8600 is not IPv4 (0x0800)");
        assertRefused(patch(good, 4, 8), Reason.BAD_ADDRESS_LENGTH,
                "cannot decode ARP packet: address lengths 8/4 are not 6/4 for Ethernet/IPv4");
        assertRefused(patch(good, 5, 16), Reason.BAD_ADDRESS_LENGTH,
                "cannot decode ARP packet: address lengths 6/16 are not 6/4 for Ethernet/IPv4");
        assertRefused(patch(good, 7, 3), Reason.UNKNOWN_OPERATION,
                "cannot decode ARP packet: operation 3 is neither request (1) nor reply (2)");
        assertRefused(patch(good, 6, 1), Reason.UNKNOWN_OPERATION,
                "cannot decode ARP packet: operation 257 is neither request (1) nor reply (2)");
    }

    @Test
    void everyTruncationIsRefusedAsTruncated() {
        byte[] good = new ArpPacket(ArpPacket.Operation.REQUEST, MAC, VIP, MacAddress.BROADCAST, VIP).encode();
        for (int n = 0; n < ArpPacket.LENGTH; n++) {
            byte[] cut = java.util.Arrays.copyOf(good, n);
            String expected = n < 8
                    ? "cannot decode ARP packet: " + n + " bytes is shorter than the 8-byte fixed header"
                    : "cannot decode ARP packet: " + n + " bytes is shorter than the 28 bytes of an Ethernet/IPv4 ARP packet";
            assertRefused(cut, Reason.TRUNCATED, expected);
        }
    }

    @Test
    void refusedExceptionCarriesTheBytes() {
        byte[] bad = patch(new ArpPacket(ArpPacket.Operation.REQUEST, MAC, VIP, MacAddress.BROADCAST, VIP).encode(), 1, 6);
        assertThatThrownBy(() -> ArpPacket.decode(bad))
                .isInstanceOfSatisfying(MalformedPacketException.class, e -> {
                    assertThat(e.data()).isEqualTo(bad);
                    assertThat(e.hexDump()).startsWith("0000  00 06 08 00 06 04 00 01 02 00 c6 33 64 0b c6 33\n0010  64 32");
                    assertThat(e.getMessage()).contains("refused packet (28 bytes):\n0000  00 06 08 00");
                });
    }

    @Test
    void constructorRefusesNulls() {
        assertThatThrownBy(() -> new ArpPacket(null, MAC, VIP, MAC, VIP)).hasMessage("operation");
        assertThatThrownBy(() -> new ArpPacket(ArpPacket.Operation.REPLY, MAC, VIP, MAC, null)).hasMessage("target IP");
    }

    static void assertRefused(byte[] packet, Reason reason, String messageStart) {
        assertThatThrownBy(() -> ArpPacket.decode(packet))
                .isInstanceOfSatisfying(MalformedPacketException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageStartingWith(messageStart);
    }

    static byte[] patch(byte[] original, int at, int value) {
        byte[] copy = original.clone();
        copy[at] = (byte) value;
        return copy;
    }
}
