package io.havip.arp.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.net.MacAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EthernetFrameTest {

    private static final MacAddress A = MacAddress.parse("02:00:c6:33:64:0b");
    private static final MacAddress B = MacAddress.parse("02:00:c6:33:64:0c");

    @Test
    void encodesHeaderThenPayloadAndPadsToSixtyBytes() {
        EthernetFrame frame = new EthernetFrame(B, A, 0x0806, new byte[] {1, 2, 3});
        byte[] bytes = frame.encode();
        assertThat(bytes).hasSize(60);
        assertThat(HexFormat.of().formatHex(bytes, 0, 17)).isEqualTo("0200c633640c" + "0200c633640b" + "0806" + "010203");
        assertThat(bytes).endsWith(new byte[43]);
        assertThat(frame.encodeUnpadded()).hasSize(17).isEqualTo(java.util.Arrays.copyOf(bytes, 17));
    }

    @Test
    void longFramesAreNotPadded() {
        EthernetFrame frame = new EthernetFrame(B, A, 0x86dd, new byte[100]);
        assertThat(frame.encode()).hasSize(114).isEqualTo(frame.encodeUnpadded());
    }

    @Test
    void decodeRoundTripsAndKeepsPaddingInThePayload() throws MalformedPacketException {
        EthernetFrame frame = new EthernetFrame(B, A, 0x0806, new byte[] {9});
        EthernetFrame decoded = EthernetFrame.decode(frame.encode());
        assertThat(decoded.destination()).isEqualTo(B);
        assertThat(decoded.source()).isEqualTo(A);
        assertThat(decoded.etherType()).isEqualTo(0x0806);
        assertThat(decoded.payloadLength()).isEqualTo(46);
        assertThat(EthernetFrame.decode(frame.encodeUnpadded())).isEqualTo(frame);
    }

    @Test
    void decodesAWindow() throws MalformedPacketException {
        byte[] bytes = new EthernetFrame(B, A, 0x0800, new byte[] {7, 7}).encodeUnpadded();
        byte[] padded = new byte[bytes.length + 5];
        System.arraycopy(bytes, 0, padded, 3, bytes.length);
        assertThat(EthernetFrame.decode(padded, 3, bytes.length).payload()).containsExactly(7, 7);
    }

    @Test
    void vlanTaggedFrameDecodesWithTheTagInThePayload() throws MalformedPacketException {
        byte[] tagged = HexFormat.of().parseHex("ffffffffffff0200c633640b" + "8100" + "0064" + "0806" + "0001");
        EthernetFrame frame = EthernetFrame.decode(tagged);
        assertThat(frame.etherType()).isEqualTo(EthernetFrame.ETHERTYPE_VLAN);
        assertThat(frame.payload()).startsWith(0x00, 0x64, 0x08, 0x06);
        assertThatThrownBy(() -> ArpPacket.fromFrame(frame))
                .isInstanceOfSatisfying(MalformedPacketException.class,
                        e -> assertThat(e.reason()).isEqualTo(MalformedPacketException.Reason.UNEXPECTED_ETHERTYPE))
                .hasMessageStartingWith("cannot decode ARP packet: EtherType 0x8100 is not ARP (0x0806)");
    }

    @Test
    void refusesShortFramesAndLengthFields() {
        assertThatThrownBy(() -> EthernetFrame.decode(new byte[13]))
                .isInstanceOfSatisfying(MalformedPacketException.class, e -> {
                    assertThat(e.reason()).isEqualTo(MalformedPacketException.Reason.TRUNCATED);
                    assertThat(e.length()).isEqualTo(13);
                    assertThat(e.data()).hasSize(13);
                })
                .hasMessageStartingWith("cannot decode Ethernet frame: 13 bytes is shorter than the 14-byte header"
                        + " — refused packet (13 bytes):\n0000  00 00");
        byte[] llc = HexFormat.of().parseHex("ffffffffffff0200c633640b002e");
        assertThatThrownBy(() -> EthernetFrame.decode(llc))
                .isInstanceOfSatisfying(MalformedPacketException.class,
                        e -> assertThat(e.reason()).isEqualTo(MalformedPacketException.Reason.UNEXPECTED_ETHERTYPE))
                .hasMessageStartingWith("cannot decode Ethernet frame: type field 46 is an 802.3 length");
    }

    @Test
    void hexDumpShowsSixteenBytesALine() {
        byte[] data = new byte[20];
        data[16] = (byte) 0xab;
        MalformedPacketException e = new MalformedPacketException(MalformedPacketException.Reason.TRUNCATED, "x", data, 0, 20);
        assertThat(e.hexDump()).isEqualTo("0000  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n0010  ab 00 00 00");
    }

    @Test
    void hugeInputsKeepOnlyOneFrameForTheDump() {
        MalformedPacketException e = new MalformedPacketException(MalformedPacketException.Reason.TRUNCATED, "x",
                new byte[3000], 0, 3000);
        assertThat(e.data()).hasSize(1514);
        assertThat(e.length()).isEqualTo(3000);
        assertThat(e.getMessage()).endsWith("... 1486 more bytes");
    }

    @Test
    void constructorValidatesAndCopies() {
        assertThatThrownBy(() -> new EthernetFrame(B, A, 0x05ff, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("EtherType 0x5ff is outside 0x0600-0xffff (smaller values are 802.3 length fields)");
        assertThatThrownBy(() -> new EthernetFrame(B, A, 0x10000, new byte[0]))
                .hasMessageStartingWith("EtherType 0x10000 is outside");
        assertThatThrownBy(() -> new EthernetFrame(null, A, 0x0800, new byte[0])).hasMessage("destination MAC");
        byte[] payload = {1};
        EthernetFrame frame = new EthernetFrame(B, A, 0x0800, payload);
        payload[0] = 2;
        frame.payload()[0] = 3;
        assertThat(frame.payload()).containsExactly(1);
        assertThat(frame).isEqualTo(new EthernetFrame(B, A, 0x0800, new byte[] {1}))
                .hasSameHashCodeAs(new EthernetFrame(B, A, 0x0800, new byte[] {1}))
                .isNotEqualTo(new EthernetFrame(B, A, 0x0800, new byte[] {2}));
        assertThat(frame).hasToString("EthernetFrame[02:00:c6:33:64:0b -> 02:00:c6:33:64:0c, type 0x0800, payload 01]");
    }
}
