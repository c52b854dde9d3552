package io.havip.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {

    private static IpAddress ip(String text) {
        return IpAddress.parse(text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.0/33         | \"10.0.0.0/33\": prefix length 33 is above 32",
        "2001:db8::/129      | \"2001:db8::/129\": prefix length 129 is above 128",
        "10.0.0.0/1000       | \"10.0.0.0/1000\": prefix length 1000 is above 32",
        "10.0.0.0/024        | \"10.0.0.0/024\": prefix length \"024\" has a leading zero",
        "10.0.0.0/-1         | \"10.0.0.0/-1\": prefix length \"-1\" is not a decimal number 0-32",
        "10.0.0.0/2a         | \"10.0.0.0/2a\": prefix length \"2a\" is not a decimal number 0-32",
        "10.0.0.0/24/8       | \"10.0.0.0/24/8\": prefix length \"24/8\" is not a decimal number 0-32",
        "10.0.0.0/           | \"10.0.0.0/\": the prefix length after '/' is missing",
        "10.0.0.0            | \"10.0.0.0\": missing \"/prefix\" (e.g. 10.0.0.0/24)",
        "10.0.0.5/24         | \"10.0.0.5/24\": host bits are set (the network is 10.0.0.0/24; parse with normalisation to accept it)",
        "2001:db8::1/64      | \"2001:db8::1/64\": host bits are set (the network is 2001:db8::/64; parse with normalisation to accept it)",
        "10.0.0.256/24       | \"10.0.0.256/24\": \"10.0.0.256\": octet 256 is above 255",
        "host.example/24     | \"host.example/24\": \"host.example\": an IPv4 address has 4 dot-separated octets, found 2",
    })
    void refusesMalformedCidrsQuotingTheInput(String text, String message) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void normalisesHostBitsOnlyWhenAsked() {
        assertThat(Cidr.parseNormalising("10.0.0.5/24")).isEqualTo(Cidr.parse("10.0.0.0/24"));
        assertThat(Cidr.parseNormalising("2001:db8::1/64")).hasToString("2001:db8::/64");
        assertThat(Cidr.parseNormalising("10.0.0.5/32")).hasToString("10.0.0.5/32");
        assertThat(Cidr.parseNormalising("255.1.2.3/0")).hasToString("0.0.0.0/0");
        assertThatThrownBy(() -> Cidr.parseNormalising("10.0.0.5/33")).hasMessage("\"10.0.0.5/33\": prefix length 33 is above 32");
        assertThat(Cidr.of(ip("198.51.100.77"), 25)).hasToString("198.51.100.0/25");
        assertThatThrownBy(() -> Cidr.of(ip("198.51.100.77"), 40)).hasMessage("prefix length 40 is outside 0-32");
        assertThatThrownBy(() -> new Cidr(ip("10.0.0.1"), 24))
                .hasMessage("\"10.0.0.1/24\": host bits are set (the network is 10.0.0.0/24)");
        assertThatThrownBy(() -> new Cidr(ip("10.0.0.0"), -1)).hasMessage("prefix length -1 is outside 0-32 for IPv4");
        assertThatThrownBy(() -> new Cidr(null, 8)).hasMessage("network is null");
        assertThatThrownBy(() -> Cidr.parse(null)).hasMessage("CIDR is null");
    }

    @Test
    void describesAnIpv4Slash24() {
        Cidr c = Cidr.parse("10.0.0.0/24");
        assertThat(c.family()).isEqualTo(IpFamily.IPV4);
        assertThat(c.network()).hasToString("10.0.0.0");
        assertThat(c.prefixLength()).isEqualTo(24);
        assertThat(c.size()).isEqualTo(BigInteger.valueOf(256));
        assertThat(c.last()).hasToString("10.0.0.255");
        assertThat(c.broadcast()).contains(ip("10.0.0.255"));
        assertThat(c.firstUsable()).hasToString("10.0.0.1");
        assertThat(c.lastUsable()).hasToString("10.0.0.254");
        assertThat(c.contains(ip("10.0.0.0"))).isTrue();
        assertThat(c.contains(ip("10.0.0.255"))).isTrue();
        assertThat(c.contains(ip("10.0.1.0"))).isFalse();
        assertThat(c.contains(ip("9.255.255.255"))).isFalse();
        assertThat(c.contains(ip("::ffff:10.0.0.1"))).as("other family").isFalse();
        assertThat(c.offsetOf(ip("10.0.0.7"))).isEqualTo(BigInteger.valueOf(7));
        assertThatThrownBy(() -> c.offsetOf(ip("10.0.1.7"))).hasMessage("10.0.1.7 is not in 10.0.0.0/24");
        assertThat(c.addressAt(2)).hasToString("10.0.0.2");
        assertThat(c.addressAt(-1)).hasToString("10.0.0.255");
        assertThat(c.addressAt(-256)).hasToString("10.0.0.0");
        assertThatThrownBy(() -> c.addressAt(256)).hasMessage("offset 256 is outside 10.0.0.0/24 (256 addresses)");
        assertThatThrownBy(() -> c.addressAt(-257)).hasMessage("offset -257 is outside 10.0.0.0/24 (256 addresses)");
    }

    @Test
    void handlesIpv4EdgePrefixes() {
        Cidr all = Cidr.parse("0.0.0.0/0");
        assertThat(all.size()).isEqualTo(BigInteger.ONE.shiftLeft(32));
        assertThat(all.last()).hasToString("255.255.255.255");
        assertThat(all.broadcast()).contains(ip("255.255.255.255"));
        assertThat(all.firstUsable()).hasToString("0.0.0.1");
        assertThat(all.lastUsable()).hasToString("255.255.255.254");
        assertThat(all.contains(ip("203.0.113.1"))).isTrue();

        // RFC 3021: a /31 has no network or broadcast address, both are hosts
        Cidr p2p = Cidr.parse("198.51.100.6/31");
        assertThat(p2p.size()).isEqualTo(BigInteger.TWO);
        assertThat(p2p.broadcast()).isEmpty();
        assertThat(p2p.firstUsable()).hasToString("198.51.100.6");
        assertThat(p2p.lastUsable()).hasToString("198.51.100.7");

        Cidr host = Cidr.parse("198.51.100.9/32");
        assertThat(host.size()).isEqualTo(BigInteger.ONE);
        assertThat(host.broadcast()).isEmpty();
        assertThat(host.firstUsable()).isEqualTo(host.lastUsable()).hasToString("198.51.100.9");
        assertThat(host.contains(ip("198.51.100.9"))).isTrue();
        assertThat(host.contains(ip("198.51.100.10"))).isFalse();

        Cidr slash30 = Cidr.parse("198.51.100.8/30");
        assertThat(slash30.firstUsable()).hasToString("198.51.100.9");
        assertThat(slash30.lastUsable()).hasToString("198.51.100.10");
    }

    @Test
    void handlesIpv6EdgePrefixes() {
        Cidr c = Cidr.parse("2001:db8::/64");
        assertThat(c.family()).isEqualTo(IpFamily.IPV6);
        assertThat(c.size()).isEqualTo(BigInteger.ONE.shiftLeft(64));
        assertThat(c.last()).hasToString("2001:db8::ffff:ffff:ffff:ffff");
        assertThat(c.broadcast()).as("IPv6 has no broadcast").isEmpty();
        // the network address is the subnet-router anycast address (RFC 4291 section 2.6.1)
        assertThat(c.firstUsable()).hasToString("2001:db8::1");
        assertThat(c.lastUsable()).hasToString("2001:db8::ffff:ffff:ffff:ffff");
        assertThat(c.addressAt(-2)).hasToString("2001:db8::ffff:ffff:ffff:fffe");

        // RFC 6164: both addresses of a /127 are usable
        Cidr p2p = Cidr.parse("2001:db8::a/127");
        assertThat(p2p.size()).isEqualTo(BigInteger.TWO);
        assertThat(p2p.firstUsable()).hasToString("2001:db8::a");
        assertThat(p2p.lastUsable()).hasToString("2001:db8::b");

        Cidr host = Cidr.parse("2001:db8::7/128");
        assertThat(host.size()).isEqualTo(BigInteger.ONE);
        assertThat(host.firstUsable()).isEqualTo(host.lastUsable()).hasToString("2001:db8::7");

        Cidr all = Cidr.parse("::/0");
        assertThat(all.size()).isEqualTo(BigInteger.ONE.shiftLeft(128));
        assertThat(all.last()).hasToString("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        assertThat(all.contains(ip("2001:db8::1"))).isTrue();
        assertThat(all.contains(ip("10.0.0.1"))).isFalse();
    }

    @Test
    void iteratesEveryAddressInOrder() {
        List<String> seen = new ArrayList<>();
        Cidr.parse("198.51.100.4/30").forEach(a -> seen.add(a.toString()));
        assertThat(seen).containsExactly("198.51.100.4", "198.51.100.5", "198.51.100.6", "198.51.100.7");

        Iterator<IpAddress> one = Cidr.parse("2001:db8::7/128").iterator();
        assertThat(one.next()).hasToString("2001:db8::7");
        assertThat(one.hasNext()).isFalse();
        assertThatThrownBy(one::next).isInstanceOf(NoSuchElementException.class);

        // lazy: starting to walk a /64 costs nothing
        Iterator<IpAddress> huge = Cidr.parse("2001:db8::/64").iterator();
        assertThat(huge.next()).hasToString("2001:db8::");
        assertThat(huge.next()).hasToString("2001:db8::1");

        Iterator<IpAddress> top = Cidr.parse("255.255.255.254/31").iterator();
        assertThat(top.next()).hasToString("255.255.255.254");
        assertThat(top.next()).hasToString("255.255.255.255");
        assertThat(top.hasNext()).isFalse();
    }

    @Test
    void overlapsAndContainsPrefixes() {
        Cidr a = Cidr.parse("10.0.0.0/16");
        Cidr b = Cidr.parse("10.0.5.0/24");
        Cidr c = Cidr.parse("10.1.0.0/16");
        assertThat(a.contains(b)).isTrue();
        assertThat(b.contains(a)).isFalse();
        assertThat(a.overlaps(b)).isTrue();
        assertThat(b.overlaps(a)).isTrue();
        assertThat(a.overlaps(c)).isFalse();
        assertThat(a.contains(a)).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").overlaps(c)).isTrue();
        assertThat(Cidr.parse("10.0.0.0/25").overlaps(Cidr.parse("10.0.0.128/25"))).as("adjacent").isFalse();
        assertThat(a.overlaps(Cidr.parse("::/0"))).as("other family").isFalse();
        assertThat(Cidr.parse("2001:db8::/32").contains(Cidr.parse("2001:db8:1::/48"))).isTrue();
        assertThat(Cidr.parse("2001:db8:1::/48").overlaps(Cidr.parse("2001:db8:2::/48"))).isFalse();
    }

    @Test
    void interfaceAddressKeepsHostBits() {
        InterfaceAddress a = InterfaceAddress.parse("198.51.100.50/24");
        assertThat(a.address()).hasToString("198.51.100.50");
        assertThat(a.subnet()).hasToString("198.51.100.0/24");
        assertThat(a.family()).isEqualTo(IpFamily.IPV4);
        assertThat(a).hasToString("198.51.100.50/24");
        assertThat(InterfaceAddress.parse("2001:db8::50")).hasToString("2001:db8::50/128");
        assertThat(InterfaceAddress.parse("198.51.100.50")).isEqualTo(InterfaceAddress.host(ip("198.51.100.50")));
        assertThatThrownBy(() -> InterfaceAddress.parse("198.51.100.50/33"))
                .hasMessage("\"198.51.100.50/33\": prefix length 33 is above 32");
        assertThatThrownBy(() -> InterfaceAddress.parse("198.51.100/24"))
                .hasMessage("\"198.51.100/24\": \"198.51.100\": an IPv4 address has 4 dot-separated octets, found 3");
        assertThatThrownBy(() -> new InterfaceAddress(ip("10.0.0.1"), 33))
                .hasMessage("\"10.0.0.1/33\": prefix length 33 is outside 0-32");
        assertThatThrownBy(() -> InterfaceAddress.parse(null)).hasMessage("address is null");
    }
}
