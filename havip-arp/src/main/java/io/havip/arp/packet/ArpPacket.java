package io.havip.arp.packet;

import io.havip.arp.packet.MalformedPacketException.Reason;

import io.havip.core.net.Ipv4Address;
import io.havip.core.net.MacAddress;
import java.util.Objects;

/**
 * An ARP packet for IPv4 over Ethernet (RFC 826), the only kind havip sends or reads:
 *
 * <pre>
 *  0               2               4       5       6               8
 * +---------------+---------------+-------+-------+---------------+
 * | htype = 1     | ptype = 0x0800| hlen 6| plen 4| operation     |
 * +---------------+---------------+-------+-------+---------------+
 * | sender hardware address (6)           | sender IP (4)         |
 * +---------------------------------------+-----------------------+
 * | target hardware address (6)           | target IP (4)         |   28 bytes
 * +---------------------------------------+-----------------------+
 * </pre>
 *
 * @param operation request or reply
 * @param senderMac sender hardware address
 * @param senderIp sender protocol address
 * @param targetMac target hardware address
 * @param targetIp target protocol address
 */
public record ArpPacket(Operation operation, MacAddress senderMac, Ipv4Address senderIp,
                        MacAddress targetMac, Ipv4Address targetIp) {

    /** Bytes of an Ethernet/IPv4 ARP packet: 8 fixed + 2 x (6 + 4). */
    public static final int LENGTH = 28;
    /** ar$hrd for Ethernet (RFC 826; IANA arp-parameters hardware type 1). */
    public static final int HARDWARE_TYPE_ETHERNET = 1;
    /** ar$pro: the EtherType of IPv4 (RFC 826 reuses EtherType values). */
    public static final int PROTOCOL_TYPE_IPV4 = EthernetFrame.ETHERTYPE_IPV4;
    /** ar$hln for Ethernet. */
    public static final int HARDWARE_LENGTH = 6;
    /** ar$pln for IPv4. */
    public static final int PROTOCOL_LENGTH = 4;

    /** ar$op values of RFC 826 (IANA arp-parameters opcodes 1 and 2). */
    public enum Operation {
        REQUEST(1),
        REPLY(2);

        private final int code;

        Operation(int code) {
            this.code = code;
        }

        /** The wire value. */
        public int code() {
            return code;
        }
    }

    public ArpPacket {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(senderMac, "sender MAC");
        Objects.requireNonNull(senderIp, "sender IP");
        Objects.requireNonNull(targetMac, "target MAC");
        Objects.requireNonNull(targetIp, "target IP");
    }

    /**
     * True when sender and target protocol addresses are equal: the definition of a
     * gratuitous ARP that tshark's "[Is gratuitous: True]" and RFC 5227 section 3 use.
     */
    public boolean isGratuitous() {
        return senderIp.equals(targetIp);
    }

    /** The 28 packet bytes (no Ethernet header). */
    public byte[] encode() {
        byte[] out = new byte[LENGTH];
        Bytes.putU16(out, 0, HARDWARE_TYPE_ETHERNET);
        Bytes.putU16(out, 2, PROTOCOL_TYPE_IPV4);
        out[4] = HARDWARE_LENGTH;
        out[5] = PROTOCOL_LENGTH;
        Bytes.putU16(out, 6, operation.code());
        System.arraycopy(senderMac.toBytes(), 0, out, 8, 6);
        System.arraycopy(senderIp.toBytes(), 0, out, 14, 4);
        System.arraycopy(targetMac.toBytes(), 0, out, 18, 6);
        System.arraycopy(targetIp.toBytes(), 0, out, 24, 4);
        return out;
    }

    /** This packet in an Ethernet frame from {@code source} to {@code destination}. */
    public EthernetFrame toFrame(MacAddress destination, MacAddress source) {
        return new EthernetFrame(destination, source, EthernetFrame.ETHERTYPE_ARP, encode());
    }

    /** Decodes a whole array; see {@link #decode(byte[], int, int)}. */
    public static ArpPacket decode(byte[] packet) throws MalformedPacketException {
        Objects.requireNonNull(packet, "packet");
        return decode(packet, 0, packet.length);
    }

    /**
     * Decodes an ARP packet starting at {@code offset}; bytes after the first 28 (Ethernet
     * padding) are ignored.
     *
     * @throws MalformedPacketException for anything but a 28-byte Ethernet/IPv4 request or reply
     * @throws IndexOutOfBoundsException if the window lies outside {@code packet} (a caller bug)
     */
    public static ArpPacket decode(byte[] packet, int offset, int length) throws MalformedPacketException {
        Bytes.checkWindow(packet, offset, length);
        if (length < 8) {
            throw refuse(Reason.TRUNCATED, length + " bytes is shorter than the 8-byte fixed header",
                    packet, offset, length);
        }
        int htype = Bytes.u16(packet, offset);
        if (htype != HARDWARE_TYPE_ETHERNET) {
            throw refuse(Reason.UNSUPPORTED_HARDWARE_TYPE, "hardware type " + htype
                    + " is not Ethernet (1)", packet, offset, length);
        }
        int ptype = Bytes.u16(packet, offset + 2);
        if (ptype != PROTOCOL_TYPE_IPV4) {
            throw refuse(Reason.UNSUPPORTED_PROTOCOL_TYPE, "protocol type 0x" + Integer.toHexString(ptype)
                    + " is not IPv4 (0x0800)", packet, offset, length);
        }
        int hlen = Bytes.u8(packet, offset + 4);
        int plen = Bytes.u8(packet, offset + 5);
        if (hlen != HARDWARE_LENGTH || plen != PROTOCOL_LENGTH) {
            throw refuse(Reason.BAD_ADDRESS_LENGTH, "address lengths " + hlen + "/" + plen
                    + " are not 6/4 for Ethernet/IPv4", packet, offset, length);
        }
        int op = Bytes.u16(packet, offset + 6);
        Operation operation = switch (op) {
            case 1 -> Operation.REQUEST;
            case 2 -> Operation.REPLY;
            default -> throw refuse(Reason.UNKNOWN_OPERATION, "operation " + op
                    + " is neither request (1) nor reply (2)", packet, offset, length);
        };
        if (length < LENGTH) {
            throw refuse(Reason.TRUNCATED, length + " bytes is shorter than the 28 bytes of an Ethernet/IPv4 ARP packet",
                    packet, offset, length);
        }
        return new ArpPacket(operation,
                MacAddress.ofBytes(Bytes.slice(packet, offset + 8, 6)),
                Ipv4Address.ofBytes(Bytes.slice(packet, offset + 14, 4)),
                MacAddress.ofBytes(Bytes.slice(packet, offset + 18, 6)),
                Ipv4Address.ofBytes(Bytes.slice(packet, offset + 24, 4)));
    }

    /**
     * The ARP packet carried by {@code frame}.
     *
     * @throws MalformedPacketException {@code UNEXPECTED_ETHERTYPE} unless the type is 0x0806,
     *     or any refusal of {@link #decode(byte[], int, int)}
     */
    public static ArpPacket fromFrame(EthernetFrame frame) throws MalformedPacketException {
        Objects.requireNonNull(frame, "frame");
        byte[] payload = frame.payload();
        if (frame.etherType() != EthernetFrame.ETHERTYPE_ARP) {
            throw refuse(Reason.UNEXPECTED_ETHERTYPE, "EtherType 0x" + String.format("%04x", frame.etherType())
                    + " is not ARP (0x0806)", payload, 0, payload.length);
        }
        return decode(payload, 0, payload.length);
    }

    private static MalformedPacketException refuse(Reason reason, String detail, byte[] packet, int offset, int length) {
        return new MalformedPacketException(reason, "cannot decode ARP packet: " + detail, packet, offset, length);
    }
}
