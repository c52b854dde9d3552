package io.havip.vrrp.fuzz;

import io.havip.core.net.IpAddress;
import io.havip.vrrp.codec.V3Ipv4Checksum;
import io.havip.vrrp.codec.VrrpCodec;
import io.havip.vrrp.codec.VrrpVersion;
import java.util.Arrays;

/**
 * How the VRRP harnesses read a fuzz input as one received packet, so a corpus file is a
 * readable, hand-craftable byte string:
 * <pre>
 * byte 0      flags: bit 0 IPv6 (else IPv4); bit 1 fix up the checksum before delivery;
 *                    bit 2 (machine/engine harnesses) unicast to the router instead of multicast
 * byte 1      the TTL / hop limit it arrived with
 * 4 or 16     IP source address
 * 4 or 16     IP destination address (the codec harness only; the others derive it from bit 2)
 * the rest    the VRRP message (the IP payload)
 * </pre>
 * The checksum fix-up lets the fuzzer get past the checksum to the fields behind it: a
 * mutated field would otherwise almost always be refused as BAD_CHECKSUM.
 *
 * @param ttl         byte 1, 0-255
 * @param unicast     flag bit 2
 * @param destination read from the input, or null when the caller supplies it
 */
public record FuzzPacket(IpAddress source, IpAddress destination, int ttl, boolean unicast, byte[] message) {

    public static final int IPV6 = 1;
    public static final int FIX_CHECKSUM = 2;
    public static final int UNICAST = 4;

    /** The packet in {@code input}, reading a destination address when {@code withDestination}; null when too short. */
    public static FuzzPacket read(byte[] input, boolean withDestination) {
        if (input.length < 2) {
            return null;
        }
        int flags = input[0] & 0xff;
        int len = (flags & IPV6) != 0 ? 16 : 4;
        int at = 2;
        if (input.length < at + len * (withDestination ? 2 : 1)) {
            return null;
        }
        IpAddress source = IpAddress.ofBytes(Arrays.copyOfRange(input, at, at + len));
        at += len;
        IpAddress destination = null;
        if (withDestination) {
            destination = IpAddress.ofBytes(Arrays.copyOfRange(input, at, at + len));
            at += len;
        }
        return new FuzzPacket(source, destination, input[1] & 0xff, (flags & UNICAST) != 0,
                fixChecksum(flags, Arrays.copyOfRange(input, at, input.length), source, destination));
    }

    /** The packet with {@code dst} as its destination, its checksum fixed for it when the input asked so. */
    public FuzzPacket to(IpAddress dst, byte[] input) {
        return new FuzzPacket(source, dst, ttl, unicast, fixChecksum(input[0] & 0xff, message, source, dst));
    }

    private static byte[] fixChecksum(int flags, byte[] message, IpAddress source, IpAddress destination) {
        if ((flags & FIX_CHECKSUM) == 0 || destination == null || message.length < VrrpCodec.HEADER_LENGTH) {
            return message;
        }
        // version 2 checksums the message alone; anything else is summed as v3 (with the pseudo-header)
        VrrpVersion version = (message[0] & 0xf0) == 0x20 ? VrrpVersion.V2 : VrrpVersion.V3;
        int sum = VrrpCodec.checksum(message, version, source, destination, V3Ipv4Checksum.PSEUDO_HEADER);
        byte[] out = message.clone();
        out[6] = (byte) (sum >>> 8);
        out[7] = (byte) sum;
        return out;
    }

    /** Builds an input in this layout (for writing seeds). */
    public static byte[] write(int flags, int ttl, IpAddress source, IpAddress destination, byte[] message) {
        byte[] s = source.toBytes();
        byte[] d = destination == null ? new byte[0] : destination.toBytes();
        byte[] out = new byte[2 + s.length + d.length + message.length];
        out[0] = (byte) (flags | (s.length == 16 ? IPV6 : 0));
        out[1] = (byte) ttl;
        System.arraycopy(s, 0, out, 2, s.length);
        System.arraycopy(d, 0, out, 2 + s.length, d.length);
        System.arraycopy(message, 0, out, 2 + s.length + d.length, message.length);
        return out;
    }
}
