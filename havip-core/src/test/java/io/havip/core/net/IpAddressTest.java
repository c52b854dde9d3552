package io.havip.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpAddressTest {

    @ParameterizedTest
    @CsvSource({
        "0.0.0.0, 0",
        "255.255.255.255, -1",
        "198.51.100.50, -969710542",
        "10.0.0.1, 167772161",
    })
    void parsesDottedQuad(String text, int bits) {
        Ipv4Address a = Ipv4Address.parse(text);
        assertThat(a.bits()).isEqualTo(bits);
        assertThat(a).hasToString(text);
        assertThat(IpAddress.parse(text)).isEqualTo(a);
        assertThat(a.family()).isEqualTo(IpFamily.IPV4);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0            | \"10.0.0\": an IPv4 address has 4 dot-separated octets, found 3",
        "10.0.0.0.1        | \"10.0.0.0.1\": an IPv4 address has 4 dot-separated octets, found 5",
        "10.0.0.256        | \"10.0.0.256\": octet 256 is above 255",
        "10.0.0.01         | \"10.0.0.01\": octet \"01\" has a leading zero (ambiguous: octal in some parsers)",
        "10..0.1           | \"10..0.1\": octet \"\" is not a decimal number 0-255",
        "10.0.0.1a         | \"10.0.0.1a\": octet \"1a\" is not a decimal number 0-255",
        "10.0.0.-1         | \"10.0.0.-1\": octet \"-1\" is not a decimal number 0-255",
        "10.0.0.1000       | \"10.0.0.1000\": octet \"1000\" is not a decimal number 0-255",
        "localhost         | \"localhost\": an IPv4 address has 4 dot-separated octets, found 1",
        "10.0.0.１         | \"10.0.0.１\": octet \"１\" is not a decimal number 0-255",
    })
    void refusesMalformedIpv4QuotingTheInput(String text, String message) {
        assertThatThrownBy(() -> IpAddress.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void neverResolvesNames() {
        // a host name must fail as text, not be looked up (InetAddress.getByName would resolve it)
        assertThatThrownBy(() -> IpAddress.parse("example.com")).hasMessageContaining("\"example.com\"");
        assertThatThrownBy(() -> IpAddress.parse(" 10.0.0.1")).hasMessageContaining("is not a decimal number");
        assertThatThrownBy(() -> IpAddress.parse(null)).hasMessage("address is null");
    }

    @ParameterizedTest
    @CsvSource({
        // RFC 5952 section 4: canonical text
        "2001:db8:0:0:0:0:0:1, 2001:db8::1",
        "2001:0DB8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
        "2001:db8::0:1, 2001:db8::1",
        // 4.2.2: a single zero group is not shortened
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        // 4.2.3: the longest run, and the first of equal runs
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "0:0:0:0:0:0:0:0, ::",
        "0:0:0:0:0:0:0:1, ::1",
        "1:0:0:0:0:0:0:0, 1::",
        "fe80::1, fe80::1",
        "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
        "::2:3:4:5:6:7:8, 0:2:3:4:5:6:7:8",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        // embedded IPv4 (RFC 4291 section 2.2 form 3) and RFC 5952 section 5 for IPv4-mapped
        "::ffff:198.51.100.7, ::ffff:198.51.100.7",
        "0:0:0:0:0:ffff:c633:6407, ::ffff:198.51.100.7",
        "64:ff9b::198.51.100.7, 64:ff9b::c633:6407",
        "1:2:3:4:5:6:198.51.100.7, 1:2:3:4:5:6:c633:6407",
    })
    void parsesIpv6AndFormatsPerRfc5952(String text, String canonical) {
        IpAddress a = IpAddress.parse(text);
        assertThat(a).isInstanceOf(Ipv6Address.class).hasToString(canonical);
        assertThat(IpAddress.parse(canonical)).isEqualTo(a);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2001:db8::1::1          | \"2001:db8::1::1\": \"::\" may appear only once",
        ":::                     | \":::\": \"::\" may appear only once",
        "1:2:3:4:5:6:7           | \"1:2:3:4:5:6:7\": an IPv6 address has 8 groups, found 7",
        "1:2:3:4:5:6:7:8:9       | \"1:2:3:4:5:6:7:8:9\": an IPv6 address has 8 groups, found 9",
        "1:2:3:4:5:6:7:8::       | \"1:2:3:4:5:6:7:8::\": too many groups around \"::\"",
        "2001:db8::12345         | \"2001:db8::12345\": group \"12345\" must have 1 to 4 hex digits",
        "2001:db8::g             | \"2001:db8::g\": group \"g\" is not hexadecimal",
        "2001:db8::１            | \"2001:db8::１\": group \"１\" is not hexadecimal",
        ":1:2:3:4:5:6:7          | \":1:2:3:4:5:6:7\": group \"\" must have 1 to 4 hex digits",
        "1::2:                   | \"1::2:\": group \"\" must have 1 to 4 hex digits",
        "fe80::1%eth0            | \"fe80::1%eth0\": zone ids are not accepted; name the interface separately",
        "::ffff:198.51.100.256   | \"::ffff:198.51.100.256\": embedded IPv4 part \"198.51.100.256\" is invalid",
        "198.51.100.7::          | \"198.51.100.7::\": group \"198.51.100.7\" must have 1 to 4 hex digits",
    })
    void refusesMalformedIpv6QuotingTheInput(String text, String message) {
        assertThatThrownBy(() -> IpAddress.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void bytesRoundTripInNetworkOrder() {
        IpAddress v4 = IpAddress.parse("198.51.100.7");
        assertThat(v4.toBytes()).containsExactly(198, 51, 100, 7);
        assertThat(IpAddress.ofBytes(v4.toBytes())).isEqualTo(v4);
        IpAddress v6 = IpAddress.parse("2001:db8::a:b");
        byte[] b = v6.toBytes();
        assertThat(b).hasSize(16);
        assertThat(b[0]).isEqualTo((byte) 0x20);
        assertThat(b[1]).isEqualTo((byte) 0x01);
        assertThat(b[13]).isEqualTo((byte) 0x0a);
        assertThat(b[15]).isEqualTo((byte) 0x0b);
        assertThat(IpAddress.ofBytes(b)).isEqualTo(v6);
        assertThatThrownBy(() -> IpAddress.ofBytes(new byte[5])).hasMessage("an IP address has 4 or 16 bytes, not 5");
        assertThatThrownBy(() -> IpAddress.ofBytes(null)).hasMessage("address bytes are null");
    }

    @Test
    void convertsToAndFromInetAddressWithoutLookup() {
        IpAddress v6 = IpAddress.parse("2001:db8::5");
        assertThat(IpAddress.of(v6.toInetAddress())).isEqualTo(v6);
        IpAddress v4 = IpAddress.parse("203.0.113.9");
        assertThat(v4.toInetAddress().getHostAddress()).isEqualTo("203.0.113.9");
    }

    @Test
    void arithmeticStaysInTheFamily() {
        assertThat(IpAddress.parse("10.0.0.255").plus(1)).hasToString("10.0.1.0");
        assertThat(IpAddress.parse("10.0.1.0").plus(-1)).hasToString("10.0.0.255");
        assertThat(IpAddress.parse("2001:db8::ffff:ffff:ffff:ffff").plus(1)).hasToString("2001:db8:0:1::");
        assertThatThrownBy(() -> IpAddress.parse("255.255.255.255").plus(1))
                .hasMessage("255.255.255.255 + 1 leaves the IPv4 address range");
        assertThatThrownBy(() -> IpAddress.parse("0.0.0.0").plus(-2))
                .hasMessage("0.0.0.0 - 2 leaves the IPv4 address range");
        assertThatThrownBy(() -> IpAddress.parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").plus(BigInteger.ONE))
                .hasMessage("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff + 1 leaves the IPv6 address range");
        assertThat(IpAddress.parse("255.255.255.255").toBigInteger()).isEqualTo(BigInteger.valueOf(0xffffffffL));
        assertThat(((Ipv4Address) IpAddress.parse("255.255.255.255")).toUnsignedLong()).isEqualTo(0xffffffffL);
        assertThat(IpAddress.fromBigInteger(IpFamily.IPV6, BigInteger.ONE.shiftLeft(127))).hasToString("8000::");
        assertThatThrownBy(() -> IpAddress.fromBigInteger(IpFamily.IPV4, BigInteger.ONE.shiftLeft(32)))
                .hasMessage("4294967296 is outside the IPv4 address range");
    }

    @Test
    void sortsIpv4BeforeIpv6ThenNumerically() {
        List<IpAddress> list = new ArrayList<>(List.of(
                IpAddress.parse("2001:db8::1"), IpAddress.parse("200.0.0.1"), IpAddress.parse("10.0.0.2"),
                IpAddress.parse("::1"), IpAddress.parse("128.0.0.0")));
        Collections.sort(list);
        assertThat(list).extracting(Object::toString)
                .containsExactly("10.0.0.2", "128.0.0.0", "200.0.0.1", "::1", "2001:db8::1");
    }

    @Test
    void classifiesSpecialAddresses() {
        assertThat(Ipv4Address.parse("224.0.0.18").isMulticast()).isTrue();
        assertThat(Ipv4Address.parse("223.255.255.255").isMulticast()).isFalse();
        assertThat(Ipv6Address.parse("fe80::1").isLinkLocal()).isTrue();
        assertThat(Ipv6Address.parse("febf::1").isLinkLocal()).isTrue();
        assertThat(Ipv6Address.parse("fec0::1").isLinkLocal()).isFalse();
        assertThat(Ipv6Address.parse("ff02::12").isMulticast()).isTrue();
        assertThat(Ipv6Address.parse("2001:db8::1").isMulticast()).isFalse();
        assertThat(Ipv6Address.parse("::ffff:1.2.3.4").isIpv4Mapped()).isTrue();
        // RFC 4291 section 2.7.1: ff02::1:ff00:0/104 plus the low 24 bits
        assertThat(Ipv6Address.parse("2001:db8::aa:bbcc:ddee").solicitedNodeMulticast()).hasToString("ff02::1:ffcc:ddee");
    }
}
