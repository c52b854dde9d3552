package io.havip.arp.packet;

import java.util.Arrays;

/**
 * A packet that a decoder of this package refused. Decoders throw this and nothing else
 * for any content of their input, so a receive loop can count the {@link #reason()} and
 * drop the packet (compare pcap4j's {@code IllegalRawDataException}, which also carries
 * the raw bytes). The message says what was being decoded, which field was wrong with
 * its value, and ends with a hex dump of the refused bytes.
 */
public final class MalformedPacketException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a packet was refused: a closed set, fit for drop counters (compare MetalLB's {@code dropReason}). */
    public enum Reason {
        /** Fewer bytes than the fixed part of the header or than a length field announces. */
        TRUNCATED,
        /** The EtherType (or 802.3 length field) is not the one this decoder handles. */
        UNEXPECTED_ETHERTYPE,
        /** ARP hardware type other than Ethernet (1), RFC 826 / IANA arp-parameters. */
        UNSUPPORTED_HARDWARE_TYPE,
        /** ARP protocol type other than IPv4 (0x0800). */
        UNSUPPORTED_PROTOCOL_TYPE,
        /** ARP hardware/protocol address length other than 6/4. */
        BAD_ADDRESS_LENGTH,
        /** ARP opcode other than request (1) or reply (2). */
        UNKNOWN_OPERATION,
        /** The IP version nibble is not 6. */
        NOT_IPV6,
        /** The IPv6 next header is not ICMPv6 (58); extension headers are not followed. */
        UNSUPPORTED_NEXT_HEADER,
        /** IPv6 hop limit other than 255 on a Neighbor Discovery message (RFC 4861 section 7.1.2). */
        BAD_HOP_LIMIT,
        /** The ICMPv6 message is not a Neighbor Advertisement (type 136). */
        NOT_NEIGHBOR_ADVERTISEMENT,
        /** ICMPv6 code other than 0 on a Neighbor Advertisement (RFC 4861 section 7.1.2). */
        BAD_ICMP_CODE,
        /** The ICMPv6 checksum over the pseudo-header does not verify (RFC 4443 section 2.3). */
        BAD_CHECKSUM,
        /** A Neighbor Discovery option with length 0, running past the packet, or malformed (RFC 4861 section 4.6). */
        BAD_OPTION,
        /** A multicast address where RFC 4861 section 7.1.2 or RFC 4291 section 2.7 forbids one. */
        MULTICAST_ADDRESS,
        /** Solicited flag set on an advertisement sent to a multicast destination (RFC 4861 section 7.1.2). */
        SOLICITED_TO_MULTICAST
    }

    /** Bytes of the refused packet kept for the dump: a full Ethernet frame without FCS (1514) is enough. */
    static final int MAX_KEPT_BYTES = 1514;

    private final Reason reason;
    private final byte[] data;
    private final int length;

    MalformedPacketException(Reason reason, String detail, byte[] packet, int offset, int length) {
        super(detail + " — refused packet (" + length + " bytes):\n"
                + Bytes.hexDump(packet, offset, Math.min(length, MAX_KEPT_BYTES))
                + (length > MAX_KEPT_BYTES ? "\n... " + (length - MAX_KEPT_BYTES) + " more bytes" : ""));
        this.reason = reason;
        this.data = Arrays.copyOfRange(packet, offset, offset + Math.min(length, MAX_KEPT_BYTES));
        this.length = length;
    }

    /** The reason, for counters and tests. */
    public Reason reason() {
        return reason;
    }

    /** The refused bytes (a copy; at most the first 1514 of them). */
    public byte[] data() {
        return data.clone();
    }

    /** The length of the refused input, which may exceed {@code data().length}. */
    public int length() {
        return length;
    }

    /** The refused bytes as a tshark-style hex dump (offset, 16 bytes a line). */
    public String hexDump() {
        return Bytes.hexDump(data, 0, data.length);
    }
}
