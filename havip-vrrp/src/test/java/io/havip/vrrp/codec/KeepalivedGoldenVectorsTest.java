package io.havip.vrrp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.codec.PcapReader.Ipv4Packet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packets keepalived 2.2.7 sent on a namespace testbed (test resources copied from
 * shared/vectors/keepalived-2.2.7): every VRRP frame decodes, its fields match tshark's
 * dissection, and encoding the decoded advertisement reproduces the payload byte for byte.
 */
class KeepalivedGoldenVectorsTest {

    private static final String DIR = "/vectors/keepalived-2.2.7/";

    @ParameterizedTest
    @ValueSource(strings = {"vrrpv2-unicast-pass-advert", "vrrpv2-priority0-advert", "vrrpv3-unicast-advert-100ms",
            "vrrpv3-unicast-advert-10ms", "vrrpv3-priority0-advert", "vrrpv3-graceful-takeover-sequence"})
    void firstFrameMatchesTsharkDissection(String name) throws IOException {
        String tshark = resource(DIR + name + ".tshark-V.txt");
        Ipv4Packet first = vrrpPackets(name).get(0);
        assertThat(first.frameNumber()).isEqualTo(1);

        // IP header facts keepalived sets (RFC 5798 section 5.1.1.3: TTL 255; 5.1.1.4: protocol 112).
        assertThat(first.ttl()).isEqualTo(255).isEqualTo(intField(tshark, "Time to Live"));
        assertThat(first.protocol()).isEqualTo(VrrpCodec.IP_PROTOCOL);
        assertThat(tshark).contains("Protocol: VRRP (112)");
        assertThat(first.dscpEcn()).isEqualTo(0xc0); // DSCP CS6, as tshark shows
        assertThat(first.source()).hasToString(field(tshark, "Source Address"));
        assertThat(first.destination()).hasToString(field(tshark, "Destination Address"));

        VrrpAdvertisement adv = decoded(first);
        assertThat(adv.version().number()).isEqualTo(intField(tshark, "VRRP protocol version"));
        assertThat(field(tshark, "VRRP packet type")).endsWith("Advertisement (1)");
        assertThat(adv.vrid()).isEqualTo(intField(tshark, "Virtual Rtr ID"));
        assertThat(adv.priority()).isEqualTo(intField(tshark, "Priority"));
        assertThat(adv.addresses()).hasSize(intField(tshark, "Addr Count"));
        assertThat(adv.addresses()).map(IpAddress::toString).containsExactlyElementsOf(fields(tshark, "IP Address"));
        assertThat(adv.family()).isEqualTo(IpFamily.IPV4);
        int checksum = Integer.parseInt(field(tshark, "Checksum").substring(2, 6), 16);
        assertThat(((first.payload()[6] & 0xff) << 8) | (first.payload()[7] & 0xff)).isEqualTo(checksum);
        assertThat(tshark).contains("[Checksum Status: Good]");
        if (adv.version() == VrrpVersion.V2) {
            assertThat(adv.advertIntervalSeconds()).isEqualTo(intField(tshark, "Adver Int"));
            assertThat(field(tshark, "Auth Type")).endsWith("(" + adv.authType() + ")");
            assertThat(adv.password()).isEqualTo(field(tshark, "Authentication String"));
            assertThat(adv.authData()).containsExactly('1', '1', '1', '1', 0, 0, 0, 0);
        } else {
            assertThat(adv.advertIntervalCs()).isEqualTo(intField(tshark, "Adver Int"));
            assertThat(adv.authType()).isZero();
            assertThat(tshark).contains("0000 .... = Reserved: 0");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vrrpv2-unicast-pass-advert", "vrrpv2-priority0-advert", "vrrpv3-unicast-advert-100ms",
            "vrrpv3-unicast-advert-10ms", "vrrpv3-priority0-advert", "vrrpv3-graceful-takeover-sequence"})
    void everyFrameReEncodesByteForByte(String name) throws IOException {
        List<Ipv4Packet> packets = vrrpPackets(name);
        assertThat(packets).hasSize(vrrpLinesInListing(resource(DIR + name + ".tshark-V.txt")));
        for (Ipv4Packet p : packets) {
            VrrpAdvertisement adv = decoded(p);
            assertThat(VrrpCodec.encode(adv, p.source(), p.destination()))
                    .as("frame %d of %s", p.frameNumber(), name)
                    .containsExactly(p.payload());
            assertThat(VrrpPacketBuilder.from(adv).build(p.source(), p.destination())).containsExactly(p.payload());
        }
    }

    @Test
    void keepalivedSendsTheV3Ipv4PseudoHeaderForm() throws IOException {
        Ipv4Packet p = vrrpPackets("vrrpv3-unicast-advert-100ms").get(0);
        assertThat(VrrpCodec.decode(p.payload(), p.source(), p.destination(), EnumSet.of(V3Ipv4Checksum.PSEUDO_HEADER)))
                .isInstanceOf(DecodeResult.Decoded.class);
        DecodeResult strict = VrrpCodec.decode(p.payload(), p.source(), p.destination(), EnumSet.of(V3Ipv4Checksum.MESSAGE_ONLY));
        assertThat(strict).isInstanceOf(DecodeResult.Rejected.class);
        assertThat(((DecodeResult.Rejected) strict).reason()).isEqualTo(RejectReason.BAD_CHECKSUM);
    }

    @Test
    void garpCapturesHoldNoVrrp() throws IOException {
        assertThat(vrrpPackets("keepalived-garp-on-takeover")).isEmpty();
        assertThat(vrrpPackets("keepalived-garp-refresh")).isEmpty();
    }

    @Test
    void gracefulTakeoverSequenceShowsBothMastersAndTheirIntervals() throws IOException {
        List<Ipv4Packet> packets = vrrpPackets("vrrpv3-graceful-takeover-sequence");
        List<String> senders = new ArrayList<>();
        for (Ipv4Packet p : packets) {
            VrrpAdvertisement adv = decoded(p);
            assertThat(adv.advertIntervalCs()).isEqualTo(10);
            assertThat(adv.vrid()).isEqualTo(51);
            if (senders.isEmpty() || !senders.get(senders.size() - 1).equals(p.source().toString())) {
                senders.add(p.source().toString());
            }
        }
        assertThat(senders).containsExactly("198.51.100.12", "198.51.100.11");
    }

    private static VrrpAdvertisement decoded(Ipv4Packet p) {
        DecodeResult r = VrrpCodec.decode(p.payload(), p.source(), p.destination());
        assertThat(r).as("frame %d: %s", p.frameNumber(), r).isInstanceOf(DecodeResult.Decoded.class);
        return ((DecodeResult.Decoded) r).advertisement();
    }

    private static List<Ipv4Packet> vrrpPackets(String name) throws IOException {
        return PcapReader.ipv4Packets(DIR + name + ".pcap").stream().filter(p -> p.protocol() == VrrpCodec.IP_PROTOCOL).toList();
    }

    private static int vrrpLinesInListing(String tshark) {
        String listing = tshark.substring(tshark.indexOf("# all frames"));
        return (int) listing.lines().filter(l -> l.contains(" VRRP ")).count();
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = KeepalivedGoldenVectorsTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Values of "name: value" lines in frame 1's dissection (before the hex dump). */
    private static List<String> fields(String tshark, String name) {
        String dissection = tshark.substring(0, tshark.indexOf("\n0000 "));
        Matcher m = Pattern.compile("^\\s*(?:[01. ]+= )?" + Pattern.quote(name) + ": (.*)$", Pattern.MULTILINE).matcher(dissection);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1).trim());
        }
        return out;
    }

    private static String field(String tshark, String name) {
        List<String> all = fields(tshark, name);
        assertThat(all).as("tshark field %s", name).isNotEmpty();
        return all.get(0);
    }

    private static int intField(String tshark, String name) {
        Matcher m = Pattern.compile("^(\\d+)").matcher(field(tshark, name));
        assertThat(m.find()).as("numeric tshark field %s", name).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
