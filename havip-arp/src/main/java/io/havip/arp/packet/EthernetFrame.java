package io.havip.arp.packet;

import io.havip.core.net.MacAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An Ethernet II frame without preamble and FCS, as an AF_PACKET {@code SOCK_RAW} socket
 * sends and receives it:
 *
 * <pre>
 *  0                   6                   12      14
 * +-------------------+-------------------+-------+------------------
 * |  destination MAC  |    source MAC     | type  | payload ...
 * +-------------------+-------------------+-------+------------------
 * </pre>
 *
 * <p>The frame does not know the payload's own length, so a received payload keeps any
 * padding; the payload decoders ignore trailing bytes. An 802.1Q tag is not interpreted:
 * such a frame decodes with type {@link #ETHERTYPE_VLAN} and the tag at the start of the
 * payload, and the ARP and NA decoders refuse it by type.
 */
public record EthernetFrame(MacAddress destination, MacAddress source, int etherType, byte[] payload) {

    /** Destination, source, type: 14 bytes (IEEE 802.3 clause 3.1.1). */
    public static final int HEADER_LENGTH = 14;
    /**
     * The minimum frame without FCS: 64-byte minimum frame (IEEE 802.3 clause 4.4.2,
     * minFrameSize 512 bits) less the 4-byte FCS. {@link #encode()} pads to it because a
     * shorter frame handed to a NIC is padded there anyway, and some bridges drop runts.
     */
    public static final int MIN_LENGTH = 60;
    /** Type values below 0x0600 are 802.3 length fields, not EtherTypes (IEEE 802.3 clause 3.2.6). */
    public static final int MIN_ETHERTYPE = 0x0600;
    /** IPv4, IANA ieee-802-numbers. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** ARP (RFC 826). */
    public static final int ETHERTYPE_ARP = 0x0806;
    /** IEEE 802.1Q VLAN tag (TPID). */
    public static final int ETHERTYPE_VLAN = 0x8100;
    /** IPv6 (RFC 2464 section 3). */
    public static final int ETHERTYPE_IPV6 = 0x86DD;

    public EthernetFrame {
        Objects.requireNonNull(destination, "destination MAC");
        Objects.requireNonNull(source, "source MAC");
        Objects.requireNonNull(payload, "payload");
        if (etherType < MIN_ETHERTYPE || etherType > 0xffff) {
            throw new IllegalArgumentException("EtherType 0x" + Integer.toHexString(etherType)
                    + " is outside 0x0600-0xffff (smaller values are 802.3 length fields)");
        }
        payload = payload.clone();
    }

    /** The payload (a copy). */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload length in bytes, without copying. */
    public int payloadLength() {
        return payload.length;
    }

    /** The frame bytes, zero-padded to {@link #MIN_LENGTH} when shorter. */
    public byte[] encode() {
        int length = Math.max(MIN_LENGTH, HEADER_LENGTH + payload.length);
        return writeTo(new byte[length]);
    }

    /** The frame bytes without padding (what veth puts on the wire, as in the keepalived captures). */
    public byte[] encodeUnpadded() {
        return writeTo(new byte[HEADER_LENGTH + payload.length]);
    }

    private byte[] writeTo(byte[] out) {
        System.arraycopy(destination.toBytes(), 0, out, 0, 6);
        System.arraycopy(source.toBytes(), 0, out, 6, 6);
        Bytes.putU16(out, 12, etherType);
        System.arraycopy(payload, 0, out, HEADER_LENGTH, payload.length);
        return out;
    }

    /** Decodes a whole array as a frame. */
    public static EthernetFrame decode(byte[] frame) throws MalformedPacketException {
        Objects.requireNonNull(frame, "frame");
        return decode(frame, 0, frame.length);
    }

    /**
     * Decodes {@code length} bytes at {@code offset}.
     *
     * @throws MalformedPacketException {@code TRUNCATED} below 14 bytes; {@code UNEXPECTED_ETHERTYPE}
     *     for an 802.3 length field (type below 0x0600)
     * @throws IndexOutOfBoundsException if the window lies outside {@code frame} (a caller bug)
     */
    public static EthernetFrame decode(byte[] frame, int offset, int length) throws MalformedPacketException {
        Bytes.checkWindow(frame, offset, length);
        if (length < HEADER_LENGTH) {
            throw new MalformedPacketException(MalformedPacketException.Reason.TRUNCATED,
                    "cannot decode Ethernet frame: " + length + " bytes is shorter than the 14-byte header",
                    frame, offset, length);
        }
        int type = Bytes.u16(frame, offset + 12);
        if (type < MIN_ETHERTYPE) {
            throw new MalformedPacketException(MalformedPacketException.Reason.UNEXPECTED_ETHERTYPE,
                    "cannot decode Ethernet frame: type field " + type
                            + " is an 802.3 length (below 0x0600), not an Ethernet II EtherType", frame, offset, length);
        }
        return new EthernetFrame(
                MacAddress.ofBytes(Bytes.slice(frame, offset, 6)),
                MacAddress.ofBytes(Bytes.slice(frame, offset + 6, 6)),
                type,
                Bytes.slice(frame, offset + HEADER_LENGTH, length - HEADER_LENGTH));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EthernetFrame f && destination.equals(f.destination) && source.equals(f.source)
                && etherType == f.etherType && Arrays.equals(payload, f.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(destination, source, etherType) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "EthernetFrame[" + source + " -> " + destination + ", type 0x" + String.format("%04x", etherType)
                + ", payload " + HexFormat.of().formatHex(payload) + "]";
    }
}
