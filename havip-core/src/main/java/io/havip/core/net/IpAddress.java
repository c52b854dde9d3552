package io.havip.core.net;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address as a value. Parsing is purely textual: it never resolves
 * names (no DNS, unlike {@code InetAddress.getByName}), and errors quote the input.
 */
public sealed interface IpAddress extends Comparable<IpAddress> permits Ipv4Address, Ipv6Address {

    /** Parses dotted-quad IPv4 or RFC 4291 IPv6 text (an IPv4 form has no ':'). */
    static IpAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("address is null");
        }
        return text.indexOf(':') >= 0 ? Ipv6Address.parse(text) : Ipv4Address.parse(text);
    }

    /** An address from its network-order bytes: 4 for IPv4, 16 for IPv6. */
    static IpAddress ofBytes(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("address bytes are null");
        }
        if (bytes.length == 4) {
            return Ipv4Address.ofBytes(bytes);
        }
        if (bytes.length == 16) {
            return Ipv6Address.ofBytes(bytes);
        }
        throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length);
    }

    static IpAddress of(InetAddress address) {
        return ofBytes(address.getAddress());
    }

    /** The address family, for the codec and the kernel. */
    IpFamily family();

    /** The address in network byte order (a fresh array). */
    byte[] toBytes();

    /** The address as an unsigned integer, for arithmetic over a subnet. */
    BigInteger toBigInteger();

    /** This address plus {@code delta} (which may be negative); fails when it leaves the family's range. */
    IpAddress plus(BigInteger delta);

    default IpAddress plus(long delta) {
        return plus(BigInteger.valueOf(delta));
    }

    default int bitLength() {
        return family().bits();
    }

    default InetAddress toInetAddress() {
        try {
            return InetAddress.getByAddress(toBytes());
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always valid", e);
        }
    }

    /** IPv4 sorts before IPv6; within a family, numerically. */
    @Override
    default int compareTo(IpAddress other) {
        int byFamily = family().compareTo(other.family());
        return byFamily != 0 ? byFamily : toBigInteger().compareTo(other.toBigInteger());
    }

    /** Builds an address of {@code family} from an unsigned integer. */
    static IpAddress fromBigInteger(IpFamily family, BigInteger value) {
        if (value.signum() < 0 || value.bitLength() > family.bits()) {
            throw new IllegalArgumentException(value + " is outside the " + family + " address range");
        }
        return family == IpFamily.IPV4 ? new Ipv4Address(value.intValue())
                : new Ipv6Address(value.shiftRight(64).longValue(), value.longValue());
    }
}
