package io.havip.arp.packet;

import io.havip.arp.packet.MalformedPacketException.Reason;
import io.havip.core.net.Ipv6Address;
import io.havip.core.net.MacAddress;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An IPv6 Neighbor Advertisement (RFC 4861 section 4.4) in an Ethernet frame, with no
 * extension headers: the IPv6 counterpart of a gratuitous ARP when sent unsolicited
 * (RFC 4861 section 7.2.6).
 *
 * <pre>
 * Ethernet (14)  dst 33:33:00:00:00:01 (ff02::1, RFC 2464 section 7) | src MAC | 0x86dd
 * IPv6 (40)      version 6 | payload length 32 | next header 58 | hop limit 255 | src | dst
 * ICMPv6 (24)    type 136 | code 0 | checksum | R S O + 29 reserved bits | target address (16)
 * option (8)     type 2 (Target Link-Layer Address) | length 1 (x 8 bytes) | MAC (6)
 * </pre>
 *
 * <p>{@link #unsolicited} builds what keepalived sends (keepalived 2.2.7 {@code vrrp_ndisc.c
 * ndisc_send_unsolicited_na_immediate}). The IPv6 source is the advertised address itself,
 * as there: RFC 4861 section 4.4 asks for "an address assigned to the interface from which
 * the advertisement is sent", and the address is assigned before it is announced; the
 * Linux kernel makes the same choice ({@code ndisc_send_na} uses the target as source when
 * it is a local address). A node's link-local address would be equally valid but would
 * need to be looked up; the advertised address needs nothing more.
 *
 * @param sourceMac Ethernet source
 * @param destinationMac Ethernet destination
 * @param source IPv6 source (not multicast, RFC 4291 section 2.7)
 * @param destination IPv6 destination
 * @param flags Router, Solicited and Override flags that are set
 * @param target the advertised address (not multicast, RFC 4861 section 7.1.2)
 * @param targetLinkLayerAddress the Target Link-Layer Address option, if present
 */
public record NeighborAdvertisement(MacAddress sourceMac, MacAddress destinationMac, Ipv6Address source,
                                    Ipv6Address destination, Set<Flag> flags, Ipv6Address target,
                                    Optional<MacAddress> targetLinkLayerAddress) {

    /** ICMPv6 type of a Neighbor Advertisement (RFC 4861 section 4.4). */
    public static final int ICMPV6_TYPE = 136;
    /** Hop limit of every ND message; receivers drop others so off-link senders cannot spoof (RFC 4861 sections 7.1.2, 7.2.6). */
    public static final int HOP_LIMIT = 255;
    /** ND option type Target Link-Layer Address (RFC 4861 section 4.6.1). */
    public static final int OPTION_TARGET_LINK_LAYER_ADDRESS = 2;
    /** The all-nodes multicast address unsolicited advertisements go to (RFC 4861 section 7.2.6, RFC 4291 section 2.7.1). */
    public static final Ipv6Address ALL_NODES = Ipv6Address.parse("ff02::1");
    /** 33:33 followed by the low 32 bits of ff02::1 (RFC 2464 section 7). */
    public static final MacAddress ALL_NODES_MAC = MacAddress.parse("33:33:00:00:00:01");
    /** ICMPv6 header, flags and target: the minimum ICMP length of an NA (RFC 4861 section 7.1.2). */
    public static final int MESSAGE_LENGTH = 24;
    /** A Target Link-Layer Address option for a 6-byte MAC: one 8-byte unit (RFC 2464 section 6). */
    public static final int OPTION_LENGTH = 8;
    /** IPv6 fixed header (RFC 8200 section 3). */
    public static final int IPV6_HEADER_LENGTH = 40;

    private static final int FLAG_ROUTER = 0x80;
    private static final int FLAG_SOLICITED = 0x40;
    private static final int FLAG_OVERRIDE = 0x20;

    /** The flag bits of RFC 4861 section 4.4. */
    public enum Flag {
        /** R: the sender is a router; clearing it on a former router removes it from Default Router Lists (section 7.2.5). */
        ROUTER,
        /** S: a response to a Neighbor Solicitation; zero in unsolicited advertisements (section 7.2.6). */
        SOLICITED,
        /** O: override an existing cache entry's link-layer address; what makes a takeover announcement effective. */
        OVERRIDE
    }

    /** How {@link #encodeFrame(int, ChecksumMode)} fills the checksum field; for negative tests. */
    public enum ChecksumMode {
        /** The RFC 4443 section 2.3 checksum. */
        CORRECT,
        /** The correct checksum with all bits inverted (so it never verifies). */
        CORRUPTED
    }

    public NeighborAdvertisement {
        Objects.requireNonNull(sourceMac, "source MAC");
        Objects.requireNonNull(destinationMac, "destination MAC");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(flags, "flags");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(targetLinkLayerAddress, "targetLinkLayerAddress (use Optional.empty())");
        flags = flags.isEmpty() ? Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(flags));
        if (source.isMulticast()) {
            throw new IllegalArgumentException("IPv6 source " + source + " is multicast; RFC 4291 section 2.7 forbids"
                    + " multicast sources — use the advertised address or a link-local address of the interface");
        }
        if (target.isMulticast()) {
            throw new IllegalArgumentException("target " + target
                    + " is multicast; a Neighbor Advertisement advertises a unicast address (RFC 4861 section 7.1.2)");
        }
        if (flags.contains(Flag.SOLICITED) && destination.isMulticast()) {
            throw new IllegalArgumentException("Solicited flag set on an advertisement to multicast " + destination
                    + "; RFC 4861 section 7.1.2 requires it to be zero");
        }
    }

    /**
     * An unsolicited advertisement as keepalived sends it for a host: Ethernet
     * {@code mac -> 33:33:00:00:00:01}, IPv6 {@code address -> ff02::1}, Override=1,
     * Solicited=0, Router=0, target {@code address}, Target Link-Layer Address {@code mac}.
     */
    public static NeighborAdvertisement unsolicited(MacAddress mac, Ipv6Address address) {
        return unsolicited(mac, address, EnumSet.of(Flag.OVERRIDE));
    }

    /**
     * As {@link #unsolicited} with Router=1, for an interface that forwards IPv6; keepalived
     * sets R from {@code net.ipv6.conf.<if>.forwarding} ({@code get_ipv6_forwarding}) so that
     * hosts keep the node in their Default Router List (RFC 4861 section 7.2.5).
     */
    public static NeighborAdvertisement unsolicitedFromRouter(MacAddress mac, Ipv6Address address) {
        return unsolicited(mac, address, EnumSet.of(Flag.ROUTER, Flag.OVERRIDE));
    }

    private static NeighborAdvertisement unsolicited(MacAddress mac, Ipv6Address address, Set<Flag> flags) {
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(address, "address");
        if (mac.isMulticast()) {
            throw new IllegalArgumentException("cannot advertise " + address + " at MAC " + mac
                    + ": a group (multicast/broadcast) MAC cannot own an address; use the interface's own MAC");
        }
        if (address.equals(new Ipv6Address(0, 0))) {
            throw new IllegalArgumentException("cannot advertise the unspecified address ::");
        }
        return new NeighborAdvertisement(mac, ALL_NODES_MAC, address, ALL_NODES, flags, address, Optional.of(mac));
    }

    /** True when {@code flag} is set. */
    public boolean has(Flag flag) {
        return flags.contains(flag);
    }

    /** Length of the ICMPv6 message: 24, plus 8 with the Target Link-Layer Address option. */
    public int icmpLength() {
        return MESSAGE_LENGTH + (targetLinkLayerAddress.isPresent() ? OPTION_LENGTH : 0);
    }

    /** The complete Ethernet frame with hop limit 255 and a correct checksum. */
    public byte[] encodeFrame() {
        return encodeFrame(HOP_LIMIT, ChecksumMode.CORRECT);
    }

    /**
     * The frame with a chosen hop limit and checksum, to build wrong packets on purpose for
     * negative tests (compare pcap4j's {@code correctChecksumAtBuild(false)}). The checksum
     * does not cover the hop limit, so a wrong hop limit still carries a correct checksum.
     */
    public byte[] encodeFrame(int hopLimit, ChecksumMode checksumMode) {
        if (hopLimit < 0 || hopLimit > 255) {
            throw new IllegalArgumentException("hop limit " + hopLimit + " is outside 0-255");
        }
        Objects.requireNonNull(checksumMode, "checksumMode");
        int icmpLength = icmpLength();
        byte[] out = new byte[EthernetFrame.HEADER_LENGTH + IPV6_HEADER_LENGTH + icmpLength];
        System.arraycopy(destinationMac.toBytes(), 0, out, 0, 6);
        System.arraycopy(sourceMac.toBytes(), 0, out, 6, 6);
        Bytes.putU16(out, 12, EthernetFrame.ETHERTYPE_IPV6);
        int ip = EthernetFrame.HEADER_LENGTH;
        out[ip] = 0x60; // version 6, traffic class 0, flow label 0 (RFC 8200 section 3)
        Bytes.putU16(out, ip + 4, icmpLength);
        out[ip + 6] = (byte) InternetChecksum.PROTOCOL_ICMPV6;
        out[ip + 7] = (byte) hopLimit;
        System.arraycopy(source.toBytes(), 0, out, ip + 8, 16);
        System.arraycopy(destination.toBytes(), 0, out, ip + 24, 16);
        int icmp = ip + IPV6_HEADER_LENGTH;
        out[icmp] = (byte) ICMPV6_TYPE;
        out[icmp + 4] = (byte) ((has(Flag.ROUTER) ? FLAG_ROUTER : 0) | (has(Flag.SOLICITED) ? FLAG_SOLICITED : 0)
                | (has(Flag.OVERRIDE) ? FLAG_OVERRIDE : 0));
        System.arraycopy(target.toBytes(), 0, out, icmp + 8, 16);
        targetLinkLayerAddress.ifPresent(mac -> {
            out[icmp + MESSAGE_LENGTH] = OPTION_TARGET_LINK_LAYER_ADDRESS;
            out[icmp + MESSAGE_LENGTH + 1] = 1;
            System.arraycopy(mac.toBytes(), 0, out, icmp + MESSAGE_LENGTH + 2, 6);
        });
        int checksum = InternetChecksum.upperLayerChecksum(source, destination, InternetChecksum.PROTOCOL_ICMPV6,
                out, icmp, icmpLength);
        Bytes.putU16(out, icmp + 2, checksumMode == ChecksumMode.CORRECT ? checksum : ~checksum & 0xffff);
        return out;
    }

    /** Decodes a whole array as an Ethernet frame; see {@link #decodeFrame(byte[], int, int)}. */
    public static NeighborAdvertisement decodeFrame(byte[] frame) throws MalformedPacketException {
        Objects.requireNonNull(frame, "frame");
        return decodeFrame(frame, 0, frame.length);
    }

    /**
     * Decodes and validates an Ethernet frame carrying a Neighbor Advertisement, applying
     * the receive checks of RFC 4861 section 7.1.2: hop limit 255, valid checksum, code 0,
     * ICMP length at least 24, target not multicast, Solicited clear when the destination is
     * multicast, every option of nonzero length. Unknown options are skipped (section 4.6);
     * trailing bytes after the IPv6 payload (Ethernet padding) are ignored.
     *
     * @throws MalformedPacketException for any frame that is not such an advertisement
     * @throws IndexOutOfBoundsException if the window lies outside {@code frame} (a caller bug)
     */
    public static NeighborAdvertisement decodeFrame(byte[] frame, int offset, int length)
            throws MalformedPacketException {
        return fromFrame(EthernetFrame.decode(frame, offset, length));
    }

    /** The advertisement in an already decoded frame; see {@link #decodeFrame(byte[], int, int)}. */
    public static NeighborAdvertisement fromFrame(EthernetFrame frame) throws MalformedPacketException {
        Objects.requireNonNull(frame, "frame");
        byte[] p = frame.payload();
        if (frame.etherType() != EthernetFrame.ETHERTYPE_IPV6) {
            throw refuse(Reason.UNEXPECTED_ETHERTYPE, "EtherType 0x" + String.format("%04x", frame.etherType())
                    + " is not IPv6 (0x86dd)", p);
        }
        if (p.length < IPV6_HEADER_LENGTH) {
            throw refuse(Reason.TRUNCATED, p.length + " bytes is shorter than the 40-byte IPv6 header", p);
        }
        int version = Bytes.u8(p, 0) >>> 4;
        if (version != 6) {
            throw refuse(Reason.NOT_IPV6, "IP version " + version + " is not 6", p);
        }
        int payloadLength = Bytes.u16(p, 4);
        if (payloadLength > p.length - IPV6_HEADER_LENGTH) {
            throw refuse(Reason.TRUNCATED, "IPv6 payload length " + payloadLength + " exceeds the "
                    + (p.length - IPV6_HEADER_LENGTH) + " bytes present", p);
        }
        int nextHeader = Bytes.u8(p, 6);
        if (nextHeader != InternetChecksum.PROTOCOL_ICMPV6) {
            throw refuse(Reason.UNSUPPORTED_NEXT_HEADER, "next header " + nextHeader
                    + " is not ICMPv6 (58); extension headers are not followed", p);
        }
        int hopLimit = Bytes.u8(p, 7);
        Ipv6Address source = Ipv6Address.ofBytes(Bytes.slice(p, 8, 16));
        Ipv6Address destination = Ipv6Address.ofBytes(Bytes.slice(p, 24, 16));
        int icmp = IPV6_HEADER_LENGTH;
        if (payloadLength < 4) {
            throw refuse(Reason.TRUNCATED, "ICMPv6 message of " + payloadLength + " bytes is shorter than its 4-byte header", p);
        }
        int type = Bytes.u8(p, icmp);
        if (type != ICMPV6_TYPE) {
            throw refuse(Reason.NOT_NEIGHBOR_ADVERTISEMENT, "ICMPv6 type " + type
                    + " is not Neighbor Advertisement (136)", p);
        }
        if (hopLimit != HOP_LIMIT) {
            throw refuse(Reason.BAD_HOP_LIMIT, "hop limit " + hopLimit
                    + " is not 255; RFC 4861 section 7.1.2 says such an advertisement may come from off-link", p);
        }
        int code = Bytes.u8(p, icmp + 1);
        if (code != 0) {
            throw refuse(Reason.BAD_ICMP_CODE, "ICMPv6 code " + code + " is not 0", p);
        }
        if (payloadLength < MESSAGE_LENGTH) {
            throw refuse(Reason.TRUNCATED, "ICMPv6 length " + payloadLength
                    + " is below the 24 bytes of a Neighbor Advertisement", p);
        }
        int sum = InternetChecksum.sum(InternetChecksum.pseudoHeaderSum(source, destination,
                InternetChecksum.PROTOCOL_ICMPV6, payloadLength), p, icmp, payloadLength);
        if (!InternetChecksum.verifies(sum)) {
            int expected = InternetChecksum.upperLayerChecksum(source, destination, InternetChecksum.PROTOCOL_ICMPV6,
                    zeroChecksum(p, icmp, payloadLength), 0, payloadLength);
            throw refuse(Reason.BAD_CHECKSUM, String.format("ICMPv6 checksum 0x%04x is wrong, expected 0x%04x",
                    Bytes.u16(p, icmp + 2), expected), p);
        }
        int flagByte = Bytes.u8(p, icmp + 4);
        Set<Flag> flags = EnumSet.noneOf(Flag.class);
        if ((flagByte & FLAG_ROUTER) != 0) {
            flags.add(Flag.ROUTER);
        }
        if ((flagByte & FLAG_SOLICITED) != 0) {
            flags.add(Flag.SOLICITED);
        }
        if ((flagByte & FLAG_OVERRIDE) != 0) {
            flags.add(Flag.OVERRIDE);
        }
        Ipv6Address target = Ipv6Address.ofBytes(Bytes.slice(p, icmp + 8, 16));
        if (target.isMulticast()) {
            throw refuse(Reason.MULTICAST_ADDRESS, "target address " + target + " is multicast (RFC 4861 section 7.1.2)", p);
        }
        if (source.isMulticast()) {
            throw refuse(Reason.MULTICAST_ADDRESS, "source address " + source + " is multicast (RFC 4291 section 2.7)", p);
        }
        if (flags.contains(Flag.SOLICITED) && destination.isMulticast()) {
            throw refuse(Reason.SOLICITED_TO_MULTICAST, "Solicited flag set with multicast destination " + destination
                    + " (RFC 4861 section 7.1.2)", p);
        }
        Optional<MacAddress> tlla = Optional.empty();
        int end = icmp + payloadLength;
        for (int at = icmp + MESSAGE_LENGTH; at < end; ) {
            if (end - at < 2) {
                throw refuse(Reason.BAD_OPTION, "1 byte left where an option header (type, length) needs 2", p);
            }
            int optionType = Bytes.u8(p, at);
            int units = Bytes.u8(p, at + 1);
            if (units == 0) {
                throw refuse(Reason.BAD_OPTION, "option type " + optionType + " at ICMPv6 offset " + (at - icmp)
                        + " has length 0 (RFC 4861 section 4.6)", p);
            }
            if (units * 8 > end - at) {
                throw refuse(Reason.BAD_OPTION, "option type " + optionType + " of " + units * 8
                        + " bytes runs past the end of the message (" + (end - at) + " bytes left)", p);
            }
            if (optionType == OPTION_TARGET_LINK_LAYER_ADDRESS && tlla.isEmpty()) {
                if (units != 1) {
                    throw refuse(Reason.BAD_OPTION, "Target Link-Layer Address option of " + units * 8
                            + " bytes; an Ethernet address takes 8 (RFC 2464 section 6)", p);
                }
                tlla = Optional.of(MacAddress.ofBytes(Bytes.slice(p, at + 2, 6)));
            }
            at += units * 8;
        }
        return new NeighborAdvertisement(frame.source(), frame.destination(), source, destination, flags, target, tlla);
    }

    private static byte[] zeroChecksum(byte[] p, int icmp, int length) {
        byte[] copy = Bytes.slice(p, icmp, length);
        copy[2] = 0;
        copy[3] = 0;
        return copy;
    }

    private static MalformedPacketException refuse(Reason reason, String detail, byte[] ipPacket) {
        return new MalformedPacketException(reason, "cannot decode Neighbor Advertisement: " + detail,
                ipPacket, 0, ipPacket.length);
    }
}
