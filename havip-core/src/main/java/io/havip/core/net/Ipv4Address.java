package io.havip.core.net;

import java.math.BigInteger;

/** An IPv4 address held as its 32 bits (network order, most significant octet first). */
public record Ipv4Address(int bits) implements IpAddress {

    /** Parses strict dotted-quad text: four decimal octets 0-255, no leading zeros (they read as octal elsewhere). */
    public static Ipv4Address parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("IPv4 address is null");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(
                    "\"" + text + "\": an IPv4 address has 4 dot-separated octets, found " + parts.length);
        }
        int bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("\"" + text + "\": octet \"" + part + "\" is not a decimal number 0-255");
            }
            if (part.length() > 1 && part.charAt(0) == '0') {
                throw new IllegalArgumentException("\"" + text + "\": octet \"" + part + "\" has a leading zero (ambiguous: octal in some parsers)");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new IllegalArgumentException("\"" + text + "\": octet " + octet + " is above 255");
            }
            bits = (bits << 8) | octet;
        }
        return new Ipv4Address(bits);
    }

    public static Ipv4Address ofBytes(byte[] b) {
        if (b.length != 4) {
            throw new IllegalArgumentException("an IPv4 address has 4 bytes, not " + b.length);
        }
        return new Ipv4Address(((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff));
    }

    @Override
    public IpFamily family() {
        return IpFamily.IPV4;
    }

    @Override
    public byte[] toBytes() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    /** The 32 bits as an unsigned long. */
    public long toUnsignedLong() {
        return Integer.toUnsignedLong(bits);
    }

    @Override
    public BigInteger toBigInteger() {
        return BigInteger.valueOf(toUnsignedLong());
    }

    @Override
    public IpAddress plus(BigInteger delta) {
        return AddressArithmetic.plus(this, delta);
    }

    /** True for 224.0.0.0/4. */
    public boolean isMulticast() {
        return (bits >>> 28) == 0xE;
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
    }
}
