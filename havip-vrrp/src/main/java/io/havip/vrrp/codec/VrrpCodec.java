package io.havip.vrrp.codec;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Stateless encoder and decoder of VRRP ADVERTISEMENT messages: the bytes after the IP header
 * (IPv4 protocol / IPv6 next header 112). The IP header itself (TTL / hop limit 255, source,
 * destination) is the transport's; the addresses are passed in because the checksum covers them.
 *
 * <p>Checksums:
 * <ul>
 *   <li>VRRPv2: the Internet checksum (RFC 1071) of the VRRP message alone, RFC 3768 section 5.3.8.</li>
 *   <li>VRRPv3 over IPv6: message plus the RFC 8200 section 8.1 pseudo-header with next header
 *       112, RFC 5798 / RFC 9568 section 5.2.8.</li>
 *   <li>VRRPv3 over IPv4: see {@link V3Ipv4Checksum}. Encoding uses the pseudo-header form
 *       keepalived sends by default unless told otherwise; decoding accepts both forms unless
 *       told otherwise.</li>
 * </ul>
 *
 * <p>{@link #decode} never throws on any message bytes: every malformed input is a
 * {@link DecodeResult.Rejected} with a {@link RejectReason}.
 */
public final class VrrpCodec {

    /** IPv4 protocol / IPv6 next header number of VRRP (IANA; RFC 5798 section 5.1.1.4). */
    public static final int IP_PROTOCOL = 112;
    /** The only VRRP packet type (RFC 5798 section 5.2.2). */
    public static final int TYPE_ADVERTISEMENT = 1;
    /** Version, type, VRID, priority, count, (auth type / reserved + interval), checksum. */
    public static final int HEADER_LENGTH = 8;
    /** Longest hex dump put in a rejection; VRRP messages are far shorter unless they are garbage. */
    static final int MAX_HEX_BYTES = 1024;

    private static final Set<V3Ipv4Checksum> EITHER = EnumSet.allOf(V3Ipv4Checksum.class);

    private VrrpCodec() {
    }

    /**
     * Encodes {@code adv}; a VRRPv3 IPv4 checksum includes the pseudo-header, as keepalived 2.2.7 sends it.
     *
     * @param source      the IP source address the message will be sent from (checksum input)
     * @param destination the IP destination: the VRRP multicast group or a unicast peer (checksum input)
     * @throws IllegalArgumentException when source or destination is not of the advertisement's family
     */
    public static byte[] encode(VrrpAdvertisement adv, IpAddress source, IpAddress destination) {
        return encode(adv, source, destination, V3Ipv4Checksum.PSEUDO_HEADER);
    }

    /** Encodes {@code adv} computing a VRRPv3 IPv4 checksum in form {@code ipv4Form} (ignored for v2 and IPv6). */
    public static byte[] encode(VrrpAdvertisement adv, IpAddress source, IpAddress destination, V3Ipv4Checksum ipv4Form) {
        requireFamily(adv.family(), source, "source");
        requireFamily(adv.family(), destination, "destination");
        int addrLen = adv.family().bytes();
        List<IpAddress> addresses = adv.addresses();
        boolean v2 = adv.version() == VrrpVersion.V2;
        byte[] out = new byte[HEADER_LENGTH + addresses.size() * addrLen + (v2 ? VrrpAdvertisement.V2_AUTH_DATA_LENGTH : 0)];
        out[0] = (byte) ((adv.version().number() << 4) | TYPE_ADVERTISEMENT);
        out[1] = (byte) adv.vrid();
        out[2] = (byte) adv.priority();
        out[3] = (byte) addresses.size();
        if (v2) {
            out[4] = (byte) adv.authType();
            out[5] = (byte) adv.advertIntervalSeconds();
        } else {
            out[4] = (byte) (adv.advertIntervalCs() >>> 8); // the upper 4 bits are the reserved field, 0
            out[5] = (byte) adv.advertIntervalCs();
        }
        int at = HEADER_LENGTH;
        for (IpAddress a : addresses) {
            System.arraycopy(a.toBytes(), 0, out, at, addrLen);
            at += addrLen;
        }
        if (v2) {
            System.arraycopy(adv.authData(), 0, out, at, VrrpAdvertisement.V2_AUTH_DATA_LENGTH);
        }
        int sum = checksum(out, adv.version(), source, destination, ipv4Form);
        out[6] = (byte) (sum >>> 8);
        out[7] = (byte) sum;
        return out;
    }

    /**
     * Decodes one VRRP message received from {@code source} to {@code destination}, accepting
     * either VRRPv3 IPv4 checksum form ({@link V3Ipv4Checksum}).
     *
     * @param vrrpMessage the IP payload (after the IPv4 header or IPv6 header chain), exactly as long
     *                    as the IP length says; may be null or of any length
     * @param source      the packet's IP source address
     * @param destination the packet's IP destination address
     * @throws NullPointerException only when {@code source} or {@code destination} is null (a caller bug)
     */
    public static DecodeResult decode(byte[] vrrpMessage, IpAddress source, IpAddress destination) {
        return decode(vrrpMessage, source, destination, EITHER);
    }

    /** As {@link #decode(byte[], IpAddress, IpAddress)}, accepting only the VRRPv3 IPv4 checksum forms in {@code acceptedIpv4Forms}. */
    public static DecodeResult decode(byte[] vrrpMessage, IpAddress source, IpAddress destination,
                                      Set<V3Ipv4Checksum> acceptedIpv4Forms) {
        java.util.Objects.requireNonNull(source, "source");
        java.util.Objects.requireNonNull(destination, "destination");
        java.util.Objects.requireNonNull(acceptedIpv4Forms, "acceptedIpv4Forms");
        byte[] m = vrrpMessage == null ? new byte[0] : vrrpMessage;
        if (m.length < HEADER_LENGTH) {
            return reject(RejectReason.TOO_SHORT, m, (vrrpMessage == null ? "no message" : m.length + " bytes")
                    + ", shorter than the 8-byte VRRP header");
        }
        int versionNumber = (m[0] & 0xff) >>> 4;
        int type = m[0] & 0x0f;
        if (versionNumber != 2 && versionNumber != 3) {
            return reject(RejectReason.BAD_VERSION, m, "version " + versionNumber + " is not 2 or 3");
        }
        VrrpVersion version = VrrpVersion.of(versionNumber);
        if (type != TYPE_ADVERTISEMENT) {
            return reject(RejectReason.BAD_TYPE, m, "type " + type + " is not 1 (ADVERTISEMENT)");
        }
        if (source.family() != destination.family()) {
            return reject(RejectReason.FAMILY_MISMATCH, m, "source " + source + " and destination " + destination
                    + " are of different families");
        }
        IpFamily family = source.family();
        if (version == VrrpVersion.V2 && family != IpFamily.IPV4) {
            return reject(RejectReason.FAMILY_MISMATCH, m, "VRRPv2 over " + family + " from " + source
                    + ": VRRPv2 is IPv4 only (RFC 3768)");
        }
        int vrid = m[1] & 0xff;
        if (vrid == 0) {
            return reject(RejectReason.BAD_VRID, m, "virtual router id 0 is outside 1-255");
        }
        int count = m[3] & 0xff;
        int authLen = version == VrrpVersion.V2 ? VrrpAdvertisement.V2_AUTH_DATA_LENGTH : 0;
        int expected = HEADER_LENGTH + count * family.bytes() + authLen;
        if (count == 0) {
            return reject(RejectReason.ADDRESS_COUNT_MISMATCH, m, "address count 0: an advertisement carries at least one address");
        }
        if (m.length != expected) {
            return reject(RejectReason.ADDRESS_COUNT_MISMATCH, m, "count " + count + " " + family + " addresses"
                    + (authLen > 0 ? " plus 8 bytes of auth data" : "") + " make " + expected + " bytes, message has " + m.length);
        }
        if (!checksumValid(m, version, source, destination, acceptedIpv4Forms)) {
            return reject(RejectReason.BAD_CHECKSUM, m, "checksum 0x" + String.format("%04x", ((m[6] & 0xff) << 8) | (m[7] & 0xff))
                    + " does not verify; expected " + expectedChecksums(m, version, source, destination, acceptedIpv4Forms));
        }
        int intervalCs;
        int authType = 0;
        byte[] authData = new byte[0];
        if (version == VrrpVersion.V2) {
            authType = m[4] & 0xff;
            intervalCs = (m[5] & 0xff) * 100;
            if (authType > VrrpAdvertisement.AUTH_IP_AH) {
                return reject(RejectReason.BAD_AUTH_TYPE, m, "VRRPv2 auth type " + authType
                        + " is not 0 (none), 1 (simple text) or 2 (IP AH)");
            }
            authData = java.util.Arrays.copyOfRange(m, expected - authLen, expected);
        } else {
            intervalCs = ((m[4] & 0x0f) << 8) | (m[5] & 0xff); // the upper 4 bits are reserved: ignored on receive
        }
        if (intervalCs == 0) {
            return reject(RejectReason.BAD_INTERVAL, m, "advertisement interval 0 (RFC 9568 section 7.1 requires non-zero)");
        }
        List<IpAddress> addresses = new ArrayList<>(count);
        byte[] buf = new byte[family.bytes()];
        for (int i = 0; i < count; i++) {
            System.arraycopy(m, HEADER_LENGTH + i * buf.length, buf, 0, buf.length);
            addresses.add(IpAddress.ofBytes(buf));
        }
        return new DecodeResult.Decoded(new VrrpAdvertisement(version, vrid, m[2] & 0xff, intervalCs, authType, authData,
                family, addresses));
    }

    /** Whether the checksum of {@code message} verifies in one of {@code acceptedIpv4Forms} (only v3 IPv4 has two). */
    public static boolean checksumValid(byte[] message, VrrpVersion version, IpAddress source, IpAddress destination,
                                        Set<V3Ipv4Checksum> acceptedIpv4Forms) {
        if (version == VrrpVersion.V3 && source.family() == IpFamily.IPV4) {
            for (V3Ipv4Checksum form : acceptedIpv4Forms) {
                if (checksum(message, version, source, destination, form, true) == 0) {
                    return true;
                }
            }
            return false;
        }
        return checksum(message, version, source, destination, V3Ipv4Checksum.PSEUDO_HEADER, true) == 0;
    }

    /**
     * The checksum field value for {@code message} (the field's own two bytes are read as zero):
     * over the message alone for v2 and for v3 IPv4 {@link V3Ipv4Checksum#MESSAGE_ONLY}; with the IPv4
     * (RFC 768) or IPv6 (RFC 8200 section 8.1) pseudo-header otherwise.
     */
    public static int checksum(byte[] message, VrrpVersion version, IpAddress source, IpAddress destination,
                               V3Ipv4Checksum ipv4Form) {
        return checksum(message, version, source, destination, ipv4Form, false);
    }

    /** With {@code includeField} the stored checksum is summed too, so a valid message yields 0. */
    private static int checksum(byte[] message, VrrpVersion version, IpAddress source, IpAddress destination,
                                V3Ipv4Checksum ipv4Form, boolean includeField) {
        long sum = 0;
        if (version == VrrpVersion.V3 && (source.family() == IpFamily.IPV6 || ipv4Form == V3Ipv4Checksum.PSEUDO_HEADER)) {
            sum = pseudoHeaderSum(source, destination, message.length);
        }
        sum += onesComplementSum(message, 0, message.length);
        if (!includeField && message.length >= HEADER_LENGTH) {
            sum -= ((message[6] & 0xff) << 8) | (message[7] & 0xff);
            sum += 0xffff; // keep the running sum positive: +0xffff is one's complement zero
        }
        return ~fold(sum) & 0xffff;
    }

    /**
     * The one's complement sum of the pseudo-header: IPv4 (RFC 768) source, destination, zero,
     * protocol 112, 16-bit length; IPv6 (RFC 8200 section 8.1) source, destination, 32-bit
     * length, three zero bytes, next header 112. Both families sum the same words.
     */
    static long pseudoHeaderSum(IpAddress source, IpAddress destination, int length) {
        byte[] s = source.toBytes();
        byte[] d = destination.toBytes();
        return onesComplementSum(s, 0, s.length) + onesComplementSum(d, 0, d.length) + IP_PROTOCOL
                + (length & 0xffff) + (length >>> 16);
    }

    /** The RFC 1071 Internet checksum of {@code len} bytes at {@code off}: the complement of their folded sum. */
    public static int internetChecksum(byte[] data, int off, int len) {
        return ~fold(onesComplementSum(data, off, len)) & 0xffff;
    }

    /** Sum of big-endian 16-bit words, an odd last byte padded with zero (RFC 1071 section 4.1); not yet folded. */
    static long onesComplementSum(byte[] data, int off, int len) {
        long sum = 0;
        int i = off;
        int end = off + len;
        for (; i + 1 < end; i += 2) {
            sum += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
        }
        if (i < end) {
            sum += (data[i] & 0xff) << 8;
        }
        return sum;
    }

    private static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    private static String expectedChecksums(byte[] m, VrrpVersion version, IpAddress source, IpAddress destination,
                                            Set<V3Ipv4Checksum> forms) {
        if (version == VrrpVersion.V3 && source.family() == IpFamily.IPV4) {
            StringBuilder sb = new StringBuilder();
            for (V3Ipv4Checksum form : forms) {
                sb.append(sb.length() == 0 ? "" : " or ").append(String.format("0x%04x", checksum(m, version, source, destination, form)))
                        .append(" (").append(form == V3Ipv4Checksum.PSEUDO_HEADER ? "with IPv4 pseudo-header" : "message only").append(')');
            }
            return sb.length() == 0 ? "no accepted checksum form" : sb.toString();
        }
        return String.format("0x%04x", checksum(m, version, source, destination, V3Ipv4Checksum.PSEUDO_HEADER))
                + (version == VrrpVersion.V2 ? " (message only, RFC 3768)" : " (with IPv6 pseudo-header)")
                + " for " + source + " -> " + destination;
    }

    private static void requireFamily(IpFamily family, IpAddress address, String role) {
        if (address == null) {
            throw new IllegalArgumentException(role + " address is null; the checksum needs it");
        }
        if (address.family() != family) {
            throw new IllegalArgumentException("cannot encode a " + family + " advertisement with " + family(address) + " " + role
                    + " " + address + ": the IP header and the VRRP addresses must be of one family");
        }
    }

    private static String family(IpAddress a) {
        return a.family().toString();
    }

    private static DecodeResult.Rejected reject(RejectReason reason, byte[] m, String detail) {
        return new DecodeResult.Rejected(reason, detail, hex(m));
    }

    /** Lower-case hex of up to {@value #MAX_HEX_BYTES} bytes, then a note of how many were left out. */
    static String hex(byte[] m) {
        if (m.length <= MAX_HEX_BYTES) {
            return HexFormat.of().formatHex(m);
        }
        return HexFormat.of().formatHex(m, 0, MAX_HEX_BYTES) + "...(" + (m.length - MAX_HEX_BYTES) + " more bytes)";
    }
}
