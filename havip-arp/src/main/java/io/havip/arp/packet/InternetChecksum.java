package io.havip.arp.packet;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import java.util.Objects;

/**
 * The Internet checksum of RFC 1071: the 16-bit ones'-complement of the ones'-complement
 * sum of the data taken as big-endian 16-bit words, an odd trailing byte padded with a
 * zero byte. This is the one implementation in havip; ICMPv6 (here) and the VRRP codec
 * (RFC 5798 section 5.2.8, RFC 3768 section 5.3.8) use it.
 *
 * <p>Sums can be chained: {@link #sum(int, byte[], int, int)} continues a previous sum,
 * which is how a pseudo-header is covered without copying. Every chunk but the last must
 * have an even length (pseudo-headers always do), or the words would be misaligned.
 */
public final class InternetChecksum {

    /** IPv6 next-header / IPv4 protocol number of ICMPv6 (IANA protocol numbers, RFC 4443). */
    public static final int PROTOCOL_ICMPV6 = 58;

    private InternetChecksum() {
    }

    /** The folded 16-bit ones'-complement sum of {@code data[offset, offset+length)} (RFC 1071 section 4.1). */
    public static int sum(byte[] data, int offset, int length) {
        return sum(0, data, offset, length);
    }

    /**
     * Continues a sum: {@code initial} is a folded 16-bit sum returned by an earlier call
     * (or by {@link #pseudoHeaderSum}). The previous chunk must have had an even length.
     */
    public static int sum(int initial, byte[] data, int offset, int length) {
        Bytes.checkWindow(data, offset, length);
        if ((initial >>> 16) != 0) {
            throw new IllegalArgumentException("initial sum must be a folded 16-bit value, got 0x" + Integer.toHexString(initial));
        }
        long acc = initial;
        int end = offset + length;
        int i = offset;
        for (; i + 1 < end; i += 2) {
            acc += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
        }
        if (i < end) {
            acc += (data[i] & 0xff) << 8;
        }
        return fold(acc);
    }

    /** The checksum to put in a header whose checksum field is zero while summing: {@code ~sum & 0xffff}. */
    public static int checksum(byte[] data, int offset, int length) {
        return complement(sum(data, offset, length));
    }

    /** True when data that includes its checksum field sums to 0xffff, i.e. verifies (RFC 1071 section 1 step 3). */
    public static boolean verifies(int sumIncludingChecksumField) {
        return sumIncludingChecksumField == 0xffff;
    }

    /** {@code ~sum & 0xffff}: turns a folded sum into the value written on the wire. */
    public static int complement(int foldedSum) {
        return ~foldedSum & 0xffff;
    }

    /**
     * The folded sum of the pseudo-header an upper-layer checksum covers: for IPv6 the
     * RFC 8200 section 8.1 layout (source, destination, 32-bit upper-layer length, three
     * zero bytes, next header); for IPv4 the RFC 768 / RFC 793 layout (source, destination,
     * zero, protocol, 16-bit length), which VRRPv3 also uses (RFC 5798 section 5.2.8).
     */
    public static int pseudoHeaderSum(IpAddress source, IpAddress destination, int protocol, int upperLayerLength) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        if (source.family() != destination.family()) {
            throw new IllegalArgumentException("pseudo-header needs one address family, got source " + source
                    + " and destination " + destination);
        }
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("protocol/next header " + protocol + " is outside 0-255");
        }
        boolean v6 = source.family() == IpFamily.IPV6;
        long maxLength = v6 ? 0xffff_ffffL : 0xffff;
        if (upperLayerLength < 0 || upperLayerLength > maxLength) {
            throw new IllegalArgumentException("upper-layer length " + upperLayerLength + " is outside 0-" + maxLength);
        }
        byte[] pseudo = new byte[v6 ? 40 : 12];
        byte[] src = source.toBytes();
        byte[] dst = destination.toBytes();
        System.arraycopy(src, 0, pseudo, 0, src.length);
        System.arraycopy(dst, 0, pseudo, src.length, dst.length);
        int at = src.length + dst.length;
        if (v6) {
            pseudo[at] = (byte) (upperLayerLength >>> 24);
            pseudo[at + 1] = (byte) (upperLayerLength >>> 16);
            pseudo[at + 2] = (byte) (upperLayerLength >>> 8);
            pseudo[at + 3] = (byte) upperLayerLength;
            pseudo[at + 7] = (byte) protocol;
        } else {
            pseudo[at + 1] = (byte) protocol;
            pseudo[at + 2] = (byte) (upperLayerLength >>> 8);
            pseudo[at + 3] = (byte) upperLayerLength;
        }
        return sum(pseudo, 0, pseudo.length);
    }

    /**
     * The checksum of an upper-layer message over the pseudo-header and the message, with
     * the message's own checksum field holding zero (e.g. ICMPv6, RFC 4443 section 2.3).
     */
    public static int upperLayerChecksum(IpAddress source, IpAddress destination, int protocol,
                                         byte[] message, int offset, int length) {
        return complement(sum(pseudoHeaderSum(source, destination, protocol, length), message, offset, length));
    }

    private static int fold(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xffff) + (acc >>> 16);
        }
        return (int) acc;
    }
}
