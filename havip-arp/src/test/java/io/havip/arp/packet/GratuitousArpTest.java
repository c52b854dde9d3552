package io.havip.arp.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.net.Ipv4Address;
import io.havip.core.net.MacAddress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Golden tests against gratuitous ARPs captured from keepalived 2.2.7 (see
 * src/test/resources/vectors, copied from the keepalived 2.2.7 captures of the project's shared test data), each
 * checked against tshark's dissection stored beside the capture.
 */
class GratuitousArpTest {

    private static final MacAddress NODE1 = MacAddress.parse("02:00:c6:33:64:0b");
    private static final MacAddress NODE2 = MacAddress.parse("02:00:c6:33:64:0c");
    private static final Ipv4Address VIP = Ipv4Address.parse("198.51.100.50");

    @ParameterizedTest
    @ValueSource(strings = {"keepalived-garp-on-takeover", "keepalived-garp-refresh"})
    void decodesKeepalivedFramesAsTsharkDissectsThem(String vector) throws Exception {
        List<ClassicPcap.Record> records = ClassicPcap.readResource("/vectors/" + vector + ".pcap");
        String tshark = resource("/vectors/" + vector + ".tshark-V.txt");

        // tshark's one-line listing names every frame a gratuitous ARP request for the VIP
        Matcher listing = Pattern.compile("(?m)^\\s+\\d+ \\S+ (\\S+) → Broadcast\\s+ARP 42 Gratuitous ARP for (\\S+) \\(Request\\)$")
                .matcher(tshark);
        int listed = 0;
        while (listing.find()) {
            assertThat(listing.group(1)).isEqualTo(macOf(records.get(listed)));
            listed++;
            assertThat(listing.group(2)).isEqualTo(VIP.toString());
        }
        assertThat(listed).isEqualTo(records.size()).isPositive();

        // frame 1's full dissection, field by field
        ArpPacket first = ArpPacket.fromFrame(EthernetFrame.decode(records.get(0).data()));
        EthernetFrame firstFrame = EthernetFrame.decode(records.get(0).data());
        assertThat(field(tshark, "Destination")).isEqualTo("Broadcast (" + firstFrame.destination() + ")");
        assertThat(field(tshark, "Source")).isEqualTo(firstFrame.source() + " (" + firstFrame.source() + ")");
        assertThat(field(tshark, "Type")).isEqualTo(String.format("ARP (0x%04x)", firstFrame.etherType()));
        assertThat(field(tshark, "Hardware type")).isEqualTo("Ethernet (" + ArpPacket.HARDWARE_TYPE_ETHERNET + ")");
        assertThat(field(tshark, "Protocol type")).isEqualTo(String.format("IPv4 (0x%04x)", ArpPacket.PROTOCOL_TYPE_IPV4));
        assertThat(field(tshark, "Opcode")).isEqualTo("request (" + first.operation().code() + ")");
        assertThat(field(tshark, "[Is gratuitous")).isEqualTo(first.isGratuitous() ? "True]" : "False]");
        assertThat(field(tshark, "Sender MAC address")).isEqualTo(first.senderMac() + " (" + first.senderMac() + ")");
        assertThat(field(tshark, "Sender IP address")).isEqualTo(first.senderIp().toString());
        assertThat(field(tshark, "Target MAC address")).isEqualTo("Broadcast (" + first.targetMac() + ")");
        assertThat(field(tshark, "Target IP address")).isEqualTo(first.targetIp().toString());

        for (ClassicPcap.Record record : records) {
            EthernetFrame frame = EthernetFrame.decode(record.data());
            ArpPacket arp = ArpPacket.fromFrame(frame);
            assertThat(record.data()).as("veth does not pad").hasSize(42);
            assertThat(arp).isEqualTo(first);
            // the builder reproduces keepalived's bytes; only the padding differs
            EthernetFrame built = GratuitousArp.request(frame.source(), VIP);
            assertThat(built.encodeUnpadded()).isEqualTo(record.data());
            assertThat(built.encode()).hasSize(60)
                    .startsWith(record.data())
                    .endsWith(new byte[60 - 42]);
        }
    }

    @Test
    void builderMatchesKeepalivedHexOfTheTakeoverCapture() {
        // "0000  ff ff ff ff ff ff 02 00 c6 33 64 0c 08 06 00 01 ..." from the .tshark-V.txt
        assertThat(java.util.HexFormat.of().formatHex(GratuitousArp.request(NODE2, VIP).encodeUnpadded())).isEqualTo(
                "ffffffffffff0200c633640c08060001" + "080006040001" + "0200c633640c" + "c6336432" + "ffffffffffff" + "c6336432");
    }

    @Test
    void announcementFormHasAZeroTargetMac() throws MalformedPacketException {
        EthernetFrame frame = GratuitousArp.frame(GratuitousArp.Form.ANNOUNCEMENT, NODE1, VIP);
        ArpPacket arp = ArpPacket.fromFrame(frame);
        assertThat(frame.destination()).isEqualTo(MacAddress.BROADCAST);
        assertThat(arp).isEqualTo(new ArpPacket(ArpPacket.Operation.REQUEST, NODE1, VIP, MacAddress.ZERO, VIP));
    }

    @Test
    void replyFormTargetsTheSendersOwnMac() throws MalformedPacketException {
        EthernetFrame frame = GratuitousArp.reply(NODE1, VIP);
        ArpPacket arp = ArpPacket.decode(Arrays.copyOfRange(frame.encode(), 14, 60));
        assertThat(frame.destination()).isEqualTo(MacAddress.BROADCAST);
        assertThat(frame.source()).isEqualTo(NODE1);
        assertThat(arp).isEqualTo(new ArpPacket(ArpPacket.Operation.REPLY, NODE1, VIP, NODE1, VIP));
        assertThat(arp.isGratuitous()).isTrue();
    }

    /** On another's behalf (a master handing the address back to the VRRP virtual MAC): caches learn {@code mac}, switches the sender. */
    @Test
    void onBehalfOfAnotherMacTheFrameComesFromTheSender() throws MalformedPacketException {
        MacAddress virtual = MacAddress.parse("00:00:5e:00:01:33");
        EthernetFrame frame = GratuitousArp.frame(GratuitousArp.Form.REQUEST, NODE1, virtual, VIP);
        assertThat(frame.source()).isEqualTo(NODE1);
        assertThat(frame.destination()).isEqualTo(MacAddress.BROADCAST);
        assertThat(ArpPacket.fromFrame(frame))
                .isEqualTo(new ArpPacket(ArpPacket.Operation.REQUEST, virtual, VIP, MacAddress.BROADCAST, VIP));
    }

    @Test
    void refusesGroupMacsAndNonUnicastAddresses() {
        assertThatThrownBy(() -> GratuitousArp.request(MacAddress.BROADCAST, VIP))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot announce 198.51.100.50 from MAC ff:ff:ff:ff:ff:ff: a group (multicast/broadcast)"
                        + " MAC cannot own an address; use the interface's own MAC");
        assertThatThrownBy(() -> GratuitousArp.reply(MacAddress.parse("01:00:5e:00:00:12"), VIP))
                .hasMessageStartingWith("cannot announce 198.51.100.50 from MAC 01:00:5e:00:00:12");
        for (String bad : List.of("0.0.0.0", "255.255.255.255", "224.0.0.18")) {
            assertThatThrownBy(() -> GratuitousArp.request(NODE1, Ipv4Address.parse(bad)))
                    .hasMessage("cannot announce " + bad + ": only a unicast IPv4 address can be announced by"
                            + " gratuitous ARP (0.0.0.0 would be an RFC 5227 probe)");
        }
        assertThatThrownBy(() -> GratuitousArp.frame(null, NODE1, VIP)).hasMessage("form");
    }

    private static String macOf(ClassicPcap.Record record) {
        return MacAddress.ofBytes(Arrays.copyOfRange(record.data(), 6, 12)).toString();
    }

    /** The value after "Name: " on the first line of frame 1's dissection that starts with {@code name}. */
    private static String field(String tshark, String name) {
        Matcher m = Pattern.compile("(?m)^\\s+" + Pattern.quote(name) + ": (.*)$").matcher(tshark);
        assertThat(m.find()).as("tshark field " + name).isTrue();
        return m.group(1);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = GratuitousArpTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
