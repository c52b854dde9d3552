package io.havip.arp.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.Ipv6Address;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {

    /** RFC 1071 section 3 numerical example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
    @Test
    void rfc1071NumericalExample() {
        byte[] data = HexFormat.of().parseHex("0001f203f4f5f6f7");
        assertThat(InternetChecksum.sum(data, 0, data.length)).isEqualTo(0xddf2);
        assertThat(InternetChecksum.checksum(data, 0, data.length)).isEqualTo(0x220d);
    }

    @Test
    void oddLengthPadsTheLastByteWithZero() {
        byte[] odd = HexFormat.of().parseHex("0001f203f4");
        byte[] even = HexFormat.of().parseHex("0001f203f400");
        assertThat(InternetChecksum.sum(odd, 0, odd.length)).isEqualTo(InternetChecksum.sum(even, 0, even.length));
        assertThat(InternetChecksum.sum(odd, 0, odd.length)).isEqualTo(0x0001 + 0xf203 + 0xf400 - 0xffff);
    }

    @Test
    void emptyInputSumsToZeroAndFoldsCarriesRepeatedly() {
        assertThat(InternetChecksum.sum(new byte[0], 0, 0)).isZero();
        byte[] ones = new byte[4096];
        java.util.Arrays.fill(ones, (byte) 0xff);
        assertThat(InternetChecksum.sum(ones, 0, ones.length)).isEqualTo(0xffff);
    }

    @Test
    void chainedSumsEqualOneSumOverTheConcatenation() {
        Random random = new Random(1071);
        for (int n = 0; n < 200; n++) {
            byte[] data = new byte[random.nextInt(200)];
            random.nextBytes(data);
            int split = random.nextInt(data.length / 2 + 1) * 2;
            int chained = InternetChecksum.sum(InternetChecksum.sum(data, 0, split), data, split, data.length - split);
            assertThat(chained).isEqualTo(reference(data));
        }
    }

    @Test
    void windowsAreRespected() {
        byte[] data = HexFormat.of().parseHex("ffff0001f203f4f5f6f7ffff");
        assertThat(InternetChecksum.sum(data, 2, 8)).isEqualTo(0xddf2);
    }

    @Test
    void dataIncludingItsChecksumVerifies() {
        byte[] data = HexFormat.of().parseHex("0001f203f4f5f6f70000");
        int c = InternetChecksum.checksum(data, 0, data.length);
        data[8] = (byte) (c >>> 8);
        data[9] = (byte) c;
        assertThat(InternetChecksum.verifies(InternetChecksum.sum(data, 0, data.length))).isTrue();
        data[0] ^= 1;
        assertThat(InternetChecksum.verifies(InternetChecksum.sum(data, 0, data.length))).isFalse();
    }

    /** RFC 8200 section 8.1 pseudo-header, built by hand and summed by the reference loop. */
    @Test
    void ipv6PseudoHeaderMatchesAHandBuiltOne() {
        Ipv6Address src = Ipv6Address.parse("2001:db8::50");
        Ipv6Address dst = Ipv6Address.parse("ff02::1");
        byte[] pseudo = new byte[40];
        System.arraycopy(src.toBytes(), 0, pseudo, 0, 16);
        System.arraycopy(dst.toBytes(), 0, pseudo, 16, 16);
        pseudo[34] = 0x01; // upper-layer length 0x00000123
        pseudo[35] = 0x23;
        pseudo[39] = 58;
        assertThat(InternetChecksum.pseudoHeaderSum(src, dst, 58, 0x123)).isEqualTo(reference(pseudo));
    }

    /** RFC 768 / RFC 5798 section 5.2.8 IPv4 pseudo-header: src, dst, zero, protocol, 16-bit length. */
    @Test
    void ipv4PseudoHeaderMatchesAHandBuiltOne() {
        Ipv4Address src = Ipv4Address.parse("198.51.100.11");
        Ipv4Address dst = Ipv4Address.parse("224.0.0.18");
        byte[] pseudo = HexFormat.of().parseHex("c633640be0000012" + "0070" + "0014");
        assertThat(InternetChecksum.pseudoHeaderSum(src, dst, 112, 20)).isEqualTo(reference(pseudo));
    }

    @Test
    void pseudoHeaderRefusals() {
        IpAddress v4 = Ipv4Address.parse("198.51.100.11");
        IpAddress v6 = Ipv6Address.parse("2001:db8::1");
        assertThatThrownBy(() -> InternetChecksum.pseudoHeaderSum(v4, v6, 58, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pseudo-header needs one address family, got source 198.51.100.11 and destination 2001:db8::1");
        assertThatThrownBy(() -> InternetChecksum.pseudoHeaderSum(v6, v6, 256, 8))
                .hasMessage("protocol/next header 256 is outside 0-255");
        assertThatThrownBy(() -> InternetChecksum.pseudoHeaderSum(v4, v4, 112, 65536))
                .hasMessage("upper-layer length 65536 is outside 0-65535");
        assertThatThrownBy(() -> InternetChecksum.pseudoHeaderSum(v6, v6, 58, -1))
                .hasMessage("upper-layer length -1 is outside 0-4294967295");
        assertThatThrownBy(() -> InternetChecksum.sum(0x10000, new byte[2], 0, 2))
                .hasMessage("initial sum must be a folded 16-bit value, got 0x10000");
        assertThatThrownBy(() -> InternetChecksum.sum(new byte[2], 1, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** The obvious loop: add big-endian 16-bit words in an int, fold at the end. */
    static int reference(byte[] data) {
        long sum = 0;
        for (int i = 0; i < data.length; i += 2) {
            int hi = data[i] & 0xff;
            int lo = i + 1 < data.length ? data[i + 1] & 0xff : 0;
            sum += hi * 256 + lo;
        }
        while (sum > 0xffff) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) sum;
    }
}
