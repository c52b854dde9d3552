package io.havip.vrrp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VrrpCodecTest {

    private static final IpAddress SRC4 = IpAddress.parse("198.51.100.11");
    private static final IpAddress DST4 = IpAddress.parse("198.51.100.12");
    private static final IpAddress MCAST4 = IpAddress.parse("224.0.0.18");
    private static final IpAddress VIP4 = IpAddress.parse("198.51.100.50");
    private static final IpAddress SRC6 = IpAddress.parse("fe80::1");
    private static final IpAddress MCAST6 = IpAddress.parse("ff02::12");
    private static final IpAddress VIP6 = IpAddress.parse("2001:db8::50");

    /** keepalived 2.2.7's first advert of vrrpv3-unicast-advert-100ms, IP header stripped. */
    private static final String KEEPALIVED_V3 = "31336401000aeb5fc6336432";
    /** keepalived 2.2.7's first advert of vrrpv2-unicast-pass-advert (auth PASS "1111"). */
    private static final String KEEPALIVED_V2 = "21336401010 1ed01c63364323131313100000000".replace(" ", "");
    /**
     * A VRRPv3 IPv6 advert (VRID 51, priority 100, 100 cs, VIP 2001:db8::50) from fe80::1 to ff02::12,
     * whose checksum 0x3e3f tshark 4.0 reports as "[correct]" (checked once by hand with text2pcap + tshark -V).
     */
    private static final String TSHARK_VERIFIED_V3_IPV6 = "3133640100643e3f20010db8000000000000000000000050";

    @Test
    void encodesV3Ipv4AsKeepalivedDoes() {
        VrrpAdvertisement adv = VrrpAdvertisement.v3(51, 100, 10, VIP4);
        assertThat(hex(VrrpCodec.encode(adv, SRC4, DST4))).isEqualTo(KEEPALIVED_V3);
    }

    @Test
    void encodesV2WithPasswordAsKeepalivedDoes() {
        VrrpAdvertisement adv = VrrpAdvertisement.v2(51, 100, 1, "1111", List.of(VIP4));
        assertThat(hex(VrrpCodec.encode(adv, SRC4, DST4))).isEqualTo(KEEPALIVED_V2);
        // v2's checksum ignores the IP addresses (RFC 3768 section 5.3.8)
        assertThat(hex(VrrpCodec.encode(adv, VIP4, MCAST4))).isEqualTo(KEEPALIVED_V2);
    }

    @Test
    void encodesV3Ipv6WithThePseudoHeader() {
        VrrpAdvertisement adv = VrrpAdvertisement.v3(51, 100, 100, VIP6);
        byte[] m = VrrpCodec.encode(adv, SRC6, MCAST6);
        assertThat(hex(m)).isEqualTo(TSHARK_VERIFIED_V3_IPV6);
        assertThat(decode(m, SRC6, MCAST6)).isEqualTo(adv);
        assertThat(rejected(m, IpAddress.parse("fe80::2"), MCAST6).reason()).isEqualTo(RejectReason.BAD_CHECKSUM);
    }

    @Test
    void roundTripsEveryShape() {
        List<VrrpAdvertisement> shapes = List.of(
                VrrpAdvertisement.v3(1, 0, 1, VIP4),
                VrrpAdvertisement.v3(255, 255, 4095, VIP4, IpAddress.parse("203.0.113.7")),
                VrrpAdvertisement.v3(7, 150, 100, VIP6, IpAddress.parse("2001:db8::51")),
                VrrpAdvertisement.v2(9, 254, 255, null, List.of(VIP4)),
                VrrpAdvertisement.v2(10, 1, 3, "longpassword", List.of(VIP4, IpAddress.parse("203.0.113.9"))));
        for (VrrpAdvertisement adv : shapes) {
            IpAddress src = adv.family() == IpFamily.IPV4 ? SRC4 : SRC6;
            IpAddress dst = adv.family() == IpFamily.IPV4 ? MCAST4 : MCAST6;
            assertThat(decode(VrrpCodec.encode(adv, src, dst), src, dst)).isEqualTo(adv);
        }
    }

    @Test
    void v3Ipv4AcceptsBothChecksumFormsByDefault() {
        VrrpAdvertisement adv = VrrpAdvertisement.v3(51, 100, 100, VIP4);
        byte[] rfc9568 = VrrpCodec.encode(adv, SRC4, MCAST4, V3Ipv4Checksum.MESSAGE_ONLY);
        byte[] rfc5798 = VrrpCodec.encode(adv, SRC4, MCAST4, V3Ipv4Checksum.PSEUDO_HEADER);
        assertThat(rfc9568).isNotEqualTo(rfc5798);
        // message-only is exactly the Internet checksum of the message (RFC 9568 section 5.2.8)
        byte[] zeroed = rfc9568.clone();
        zeroed[6] = 0;
        zeroed[7] = 0;
        assertThat(((rfc9568[6] & 0xff) << 8) | (rfc9568[7] & 0xff)).isEqualTo(VrrpCodec.internetChecksum(zeroed, 0, zeroed.length));
        assertThat(decode(rfc9568, SRC4, MCAST4)).isEqualTo(adv);
        assertThat(decode(rfc5798, SRC4, MCAST4)).isEqualTo(adv);
        assertThat(VrrpCodec.decode(rfc9568, SRC4, MCAST4, EnumSet.of(V3Ipv4Checksum.PSEUDO_HEADER)))
                .isInstanceOf(DecodeResult.Rejected.class);
        assertThat(VrrpCodec.decode(rfc5798, SRC4, MCAST4, EnumSet.of(V3Ipv4Checksum.MESSAGE_ONLY)))
                .isInstanceOf(DecodeResult.Rejected.class);
        // the pseudo-header form depends on the addresses: a unicast packet checked against the multicast group fails
        DecodeResult.Rejected r = rejected(rfc5798, SRC4, DST4);
        assertThat(r.detail()).contains("with IPv4 pseudo-header").contains("message only");
    }

    @Test
    void rejectsTooShort() {
        assertThat(rejected(new byte[7], SRC4, MCAST4))
                .satisfies(r -> assertThat(r.reason()).isEqualTo(RejectReason.TOO_SHORT))
                .satisfies(r -> assertThat(r.detail()).isEqualTo("7 bytes, shorter than the 8-byte VRRP header"))
                .satisfies(r -> assertThat(r.hex()).isEqualTo("00000000000000"));
        assertThat(rejected(null, SRC4, MCAST4).detail()).isEqualTo("no message, shorter than the 8-byte VRRP header");
        assertThat(rejected(valid().truncateTo(6).build(SRC4, MCAST4), SRC4, MCAST4).reason()).isEqualTo(RejectReason.TOO_SHORT);
    }

    @Test
    void rejectsBadVersionAndType() {
        assertThat(rejected(valid().version(4).build(SRC4, MCAST4), SRC4, MCAST4))
                .extracting(DecodeResult.Rejected::reason, DecodeResult.Rejected::detail)
                .containsExactly(RejectReason.BAD_VERSION, "version 4 is not 2 or 3");
        assertThat(rejected(valid().type(2).build(SRC4, MCAST4), SRC4, MCAST4))
                .extracting(DecodeResult.Rejected::reason, DecodeResult.Rejected::detail)
                .containsExactly(RejectReason.BAD_TYPE, "type 2 is not 1 (ADVERTISEMENT)");
    }

    @Test
    void rejectsVridZero() {
        assertThat(rejected(valid().vrid(0).build(SRC4, MCAST4), SRC4, MCAST4).reason()).isEqualTo(RejectReason.BAD_VRID);
    }

    @Test
    void rejectsCountNotMatchingLength() {
        DecodeResult.Rejected more = rejected(valid().count(2).build(SRC4, MCAST4), SRC4, MCAST4);
        assertThat(more.reason()).isEqualTo(RejectReason.ADDRESS_COUNT_MISMATCH);
        assertThat(more.detail()).isEqualTo("count 2 IPv4 addresses make 16 bytes, message has 12");
        assertThat(rejected(valid().count(0).build(SRC4, MCAST4), SRC4, MCAST4).detail())
                .isEqualTo("address count 0: an advertisement carries at least one address");
        assertThat(rejected(valid().extraBytes(new byte[] {1, 2, 3, 4}).build(SRC4, MCAST4), SRC4, MCAST4).reason())
                .isEqualTo(RejectReason.ADDRESS_COUNT_MISMATCH);
        assertThat(rejected(valid().truncateTo(11).build(SRC4, MCAST4), SRC4, MCAST4).reason())
                .isEqualTo(RejectReason.ADDRESS_COUNT_MISMATCH);
        // v2 without its 8 bytes of auth data
        DecodeResult.Rejected noAuth = rejected(VrrpPacketBuilder.v2().addAddress(VIP4).authData(new byte[0]).build(SRC4, MCAST4),
                SRC4, MCAST4);
        assertThat(noAuth.detail()).isEqualTo("count 1 IPv4 addresses plus 8 bytes of auth data make 20 bytes, message has 12");
        // IPv4 addresses sent over IPv6 have the wrong length for the family
        assertThat(rejected(valid().build(SRC6, MCAST6), SRC6, MCAST6).reason()).isEqualTo(RejectReason.ADDRESS_COUNT_MISMATCH);
    }

    @Test
    void rejectsBadChecksum() {
        DecodeResult.Rejected r = rejected(valid().checksum(0x1234).build(SRC4, MCAST4), SRC4, MCAST4);
        assertThat(r.reason()).isEqualTo(RejectReason.BAD_CHECKSUM);
        assertThat(r.detail()).startsWith("checksum 0x1234 does not verify; expected 0x");
        assertThat(rejected(valid().corruptChecksum().build(SRC4, MCAST4), SRC4, MCAST4).reason())
                .isEqualTo(RejectReason.BAD_CHECKSUM);
        assertThat(rejected(VrrpPacketBuilder.v2().addAddress(VIP4).corruptChecksum().build(SRC4, MCAST4), SRC4, MCAST4).detail())
                .contains("(message only, RFC 3768)");
        assertThat(rejected(valid().addresses(List.of(VIP6)).corruptChecksum().build(SRC6, MCAST6), SRC6, MCAST6).detail())
                .contains("(with IPv6 pseudo-header) for fe80::1 -> ff02::12");
        // a flipped payload bit is caught
        byte[] m = valid().build(SRC4, MCAST4);
        m[9] ^= 1;
        assertThat(rejected(m, SRC4, MCAST4).reason()).isEqualTo(RejectReason.BAD_CHECKSUM);
    }

    @Test
    void rejectsUnknownV2AuthType() {
        DecodeResult.Rejected r = rejected(VrrpPacketBuilder.v2().addAddress(VIP4).authType(3).build(SRC4, MCAST4), SRC4, MCAST4);
        assertThat(r.reason()).isEqualTo(RejectReason.BAD_AUTH_TYPE);
        assertThat(r.detail()).isEqualTo("VRRPv2 auth type 3 is not 0 (none), 1 (simple text) or 2 (IP AH)");
        assertThat(decode(VrrpPacketBuilder.v2().addAddress(VIP4).authType(2).build(SRC4, MCAST4), SRC4, MCAST4).authType())
                .isEqualTo(2);
    }

    @Test
    void rejectsZeroInterval() {
        assertThat(rejected(valid().interval(0).build(SRC4, MCAST4), SRC4, MCAST4))
                .extracting(DecodeResult.Rejected::reason).isEqualTo(RejectReason.BAD_INTERVAL);
        assertThat(rejected(VrrpPacketBuilder.v2().addAddress(VIP4).interval(0).build(SRC4, MCAST4), SRC4, MCAST4).reason())
                .isEqualTo(RejectReason.BAD_INTERVAL);
    }

    @Test
    void rejectsFamilyMismatch() {
        byte[] m = valid().build(SRC4, MCAST4);
        assertThat(rejected(m, SRC4, MCAST6).reason()).isEqualTo(RejectReason.FAMILY_MISMATCH);
        DecodeResult.Rejected v2over6 = rejected(VrrpPacketBuilder.v2().addAddress(VIP6).build(SRC6, MCAST6), SRC6, MCAST6);
        assertThat(v2over6.reason()).isEqualTo(RejectReason.FAMILY_MISMATCH);
        assertThat(v2over6.detail()).isEqualTo("VRRPv2 over IPv6 from fe80::1: VRRPv2 is IPv4 only (RFC 3768)");
    }

    @Test
    void ignoresTheV3ReservedBitsOnReceive() {
        // RFC 5798 section 5.2.6: "MUST be set to zero on transmission and ignored on reception"
        assertThat(decode(valid().reservedBits(0xf).build(SRC4, MCAST4), SRC4, MCAST4).advertIntervalCs()).isEqualTo(100);
    }

    @Test
    void encodeRefusesAddressesOfAnotherFamily() {
        VrrpAdvertisement adv = VrrpAdvertisement.v3(1, 100, 100, VIP4);
        assertThatThrownBy(() -> VrrpCodec.encode(adv, SRC6, MCAST4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot encode a IPv4 advertisement with IPv6 source fe80::1: the IP header and the VRRP addresses"
                        + " must be of one family");
    }

    @Test
    void decodeNeverThrowsOnRandomOrTruncatedBytes() {
        Random random = new Random(5798);
        byte[][] seeds = {HexFormat.of().parseHex(KEEPALIVED_V3), HexFormat.of().parseHex(KEEPALIVED_V2),
                HexFormat.of().parseHex(TSHARK_VERIFIED_V3_IPV6)};
        int decoded = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] m;
            if (i % 2 == 0) {
                m = new byte[random.nextInt(64)];
                random.nextBytes(m);
                if (m.length > 0) {
                    m[0] = (byte) ((random.nextBoolean() ? 0x31 : 0x21) ^ (random.nextInt(8) == 0 ? 0x10 : 0));
                }
            } else {
                byte[] seed = seeds[random.nextInt(seeds.length)];
                m = java.util.Arrays.copyOf(seed, random.nextInt(seed.length + 8));
                if (m.length > 0 && random.nextBoolean()) {
                    m[random.nextInt(m.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            boolean v6 = random.nextInt(3) == 0;
            DecodeResult r = VrrpCodec.decode(m, v6 ? SRC6 : SRC4, v6 ? MCAST6 : DST4);
            assertThat(r).isNotNull();
            if (r instanceof DecodeResult.Decoded d) {
                decoded++;
                // whatever decodes re-encodes to the same bytes, apart from the ignored v3 reserved bits
                byte[] again = VrrpCodec.encode(d.advertisement(), v6 ? SRC6 : SRC4, v6 ? MCAST6 : DST4,
                        checksumForm(m, v6));
                if (d.advertisement().version() == VrrpVersion.V2 || (m[4] & 0xf0) == 0) {
                    assertThat(again).containsExactly(m);
                }
            } else {
                DecodeResult.Rejected rej = (DecodeResult.Rejected) r;
                assertThat(rej.hex()).isEqualTo(HexFormat.of().formatHex(m));
            }
        }
        assertThat(decoded).isPositive();
    }

    @Test
    void hexOfHugeGarbageIsCapped() {
        byte[] m = new byte[5000];
        DecodeResult.Rejected r = rejected(m, SRC4, MCAST4);
        assertThat(r.hex()).hasSize(2 * VrrpCodec.MAX_HEX_BYTES + "...(3976 more bytes)".length()).endsWith("...(3976 more bytes)");
    }

    private static V3Ipv4Checksum checksumForm(byte[] m, boolean v6) {
        return v6 || VrrpCodec.checksumValid(m, VrrpVersion.V3, SRC4, DST4, EnumSet.of(V3Ipv4Checksum.PSEUDO_HEADER))
                ? V3Ipv4Checksum.PSEUDO_HEADER : V3Ipv4Checksum.MESSAGE_ONLY;
    }

    private static VrrpPacketBuilder valid() {
        return VrrpPacketBuilder.v3().vrid(51).priority(100).interval(100).addAddress(VIP4);
    }

    private static VrrpAdvertisement decode(byte[] m, IpAddress src, IpAddress dst) {
        DecodeResult r = VrrpCodec.decode(m, src, dst);
        assertThat(r).as("%s", r).isInstanceOf(DecodeResult.Decoded.class);
        return ((DecodeResult.Decoded) r).advertisement();
    }

    private static DecodeResult.Rejected rejected(byte[] m, IpAddress src, IpAddress dst) {
        DecodeResult r = VrrpCodec.decode(m, src, dst);
        assertThat(r).as("%s", r).isInstanceOf(DecodeResult.Rejected.class);
        return (DecodeResult.Rejected) r;
    }

    private static String hex(byte[] m) {
        return HexFormat.of().formatHex(m);
    }
}
