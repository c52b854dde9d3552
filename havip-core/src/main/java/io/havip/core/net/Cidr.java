package io.havip.core.net;

import java.math.BigInteger;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * A network prefix such as {@code 10.0.0.0/24} or {@code 2001:db8::/64}. The network
 * address has no host bits set: {@link #parse} refuses {@code 10.0.0.5/24} (a common
 * typo for an address with its prefix), {@link #parseNormalising} masks it to
 * {@code 10.0.0.0/24}; use {@link InterfaceAddress} for an address with its prefix.
 */
public record Cidr(IpAddress network, int prefixLength) implements Iterable<IpAddress> {

    public Cidr {
        if (network == null) {
            throw new IllegalArgumentException("network is null");
        }
        int max = network.bitLength();
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0-" + max + " for " + network.family());
        }
        if (!network.toBigInteger().and(hostMask(network.family(), prefixLength)).equals(BigInteger.ZERO)) {
            throw new IllegalArgumentException("\"" + network + "/" + prefixLength + "\": host bits are set (the network is "
                    + mask(network, prefixLength) + "/" + prefixLength + ")");
        }
    }

    /** Parses {@code address/prefix}; refuses host bits set. */
    public static Cidr parse(String text) {
        return parse(text, false);
    }

    /** Parses {@code address/prefix}, clearing any host bits ({@code 10.0.0.5/24} becomes {@code 10.0.0.0/24}). */
    public static Cidr parseNormalising(String text) {
        return parse(text, true);
    }

    private static Cidr parse(String text, boolean normalise) {
        if (text == null) {
            throw new IllegalArgumentException("CIDR is null");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("\"" + text + "\": missing \"/prefix\" (e.g. 10.0.0.0/24)");
        }
        IpAddress address;
        try {
            address = IpAddress.parse(text.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\": " + e.getMessage(), e);
        }
        int prefix = parsePrefix(text, text.substring(slash + 1), address.bitLength());
        IpAddress network = mask(address, prefix);
        if (!normalise && !network.equals(address)) {
            throw new IllegalArgumentException("\"" + text + "\": host bits are set (the network is " + network + "/" + prefix
                    + "; parse with normalisation to accept it)");
        }
        return new Cidr(network, prefix);
    }

    static int parsePrefix(String whole, String p, int max) {
        if (p.isEmpty()) {
            throw new IllegalArgumentException("\"" + whole + "\": the prefix length after '/' is missing");
        }
        if (!p.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("\"" + whole + "\": prefix length \"" + p + "\" is not a decimal number 0-" + max);
        }
        if (p.length() > 1 && p.charAt(0) == '0') {
            throw new IllegalArgumentException("\"" + whole + "\": prefix length \"" + p + "\" has a leading zero");
        }
        if (p.length() > 3) {
            throw new IllegalArgumentException("\"" + whole + "\": prefix length " + p + " is above " + max);
        }
        int prefix = Integer.parseInt(p);
        if (prefix > max) {
            throw new IllegalArgumentException("\"" + whole + "\": prefix length " + prefix + " is above " + max);
        }
        return prefix;
    }

    /** The smallest prefix holding {@code address} with {@code prefixLength} bits. */
    public static Cidr of(IpAddress address, int prefixLength) {
        if (address == null) {
            throw new IllegalArgumentException("address is null");
        }
        if (prefixLength < 0 || prefixLength > address.bitLength()) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0-" + address.bitLength());
        }
        return new Cidr(mask(address, prefixLength), prefixLength);
    }

    private static BigInteger hostMask(IpFamily family, int prefix) {
        return BigInteger.ONE.shiftLeft(family.bits() - prefix).subtract(BigInteger.ONE);
    }

    private static IpAddress mask(IpAddress address, int prefix) {
        BigInteger host = hostMask(address.family(), prefix);
        return IpAddress.fromBigInteger(address.family(), address.toBigInteger().andNot(host));
    }

    public IpFamily family() {
        return network.family();
    }

    /** How many addresses the prefix spans (2^(bits - prefix)). */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(network.bitLength() - prefixLength);
    }

    /** The last address of the prefix (the IPv4 broadcast address). */
    public IpAddress last() {
        return network.plus(size().subtract(BigInteger.ONE));
    }

    /**
     * The IPv4 directed broadcast address, or empty for IPv6 (no broadcast) and for /31 and
     * /32, which have none (RFC 3021).
     */
    public Optional<IpAddress> broadcast() {
        if (family() != IpFamily.IPV4 || prefixLength >= 31) {
            return Optional.empty();
        }
        return Optional.of(last());
    }

    /**
     * The first host address: network+1 for IPv4 /0-/30, the network itself for /31 and /32
     * (RFC 3021); for IPv6 network+1 (the subnet-router anycast address is the network
     * itself, RFC 4291 section 2.6.1) except /127 and /128 (RFC 6164).
     */
    public IpAddress firstUsable() {
        int max = network.bitLength();
        return prefixLength >= max - 1 ? network : network.plus(1);
    }

    /** The last host address: broadcast-1 for IPv4 /0-/30, last for /31, /32 and all of IPv6. */
    public IpAddress lastUsable() {
        return broadcast().map(b -> b.plus(-1)).orElse(last());
    }

    public boolean contains(IpAddress address) {
        if (address.family() != family()) {
            return false;
        }
        BigInteger a = address.toBigInteger();
        return a.compareTo(network.toBigInteger()) >= 0 && a.compareTo(last().toBigInteger()) <= 0;
    }

    public boolean contains(Cidr other) {
        return other.prefixLength >= prefixLength && contains(other.network);
    }

    public boolean overlaps(Cidr other) {
        return contains(other.network) || other.contains(network);
    }

    /** The zero-based position of {@code address} in this prefix. */
    public BigInteger offsetOf(IpAddress address) {
        if (!contains(address)) {
            throw new IllegalArgumentException(address + " is not in " + this);
        }
        return address.toBigInteger().subtract(network.toBigInteger());
    }

    /** The address at {@code offset} from the network; negative offsets count back from {@link #last()} (-1 is last). */
    public IpAddress addressAt(BigInteger offset) {
        BigInteger absolute = offset.signum() < 0 ? size().add(offset) : offset;
        if (absolute.signum() < 0 || absolute.compareTo(size()) >= 0) {
            throw new IllegalArgumentException("offset " + offset + " is outside " + this + " (" + size() + " addresses)");
        }
        return network.plus(absolute);
    }

    public IpAddress addressAt(long offset) {
        return addressAt(BigInteger.valueOf(offset));
    }

    /** Every address of the prefix in order, network and broadcast included. Lazy: a /64 is fine to start. */
    @Override
    public Iterator<IpAddress> iterator() {
        return new Iterator<>() {
            private BigInteger next = network.toBigInteger();
            private final BigInteger end = last().toBigInteger();

            @Override
            public boolean hasNext() {
                return next.compareTo(end) <= 0;
            }

            @Override
            public IpAddress next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                IpAddress a = IpAddress.fromBigInteger(family(), next);
                next = next.add(BigInteger.ONE);
                return a;
            }
        };
    }

    @Override
    public String toString() {
        return network + "/" + prefixLength;
    }
}
