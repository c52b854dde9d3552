package io.havip.arp.testbed;

import io.havip.core.net.IpAddress;
import java.io.ByteArrayOutputStream;

/**
 * A tiny VRRPv3 advertisement builder for havip-arp's own wire tests (the real codec lives
 * downstream in havip-vrrp). RFC 5798 section 5.2:
 *
 * <pre>
 *  0                   1                   2                   3
 *  |Version| Type  | Virtual Rtr ID|   Priority    |Count IPvX Addr|
 *  |(rsvd) |     Max Adver Int     |          Checksum             |
 *  |                       IPvX Address(es)                        |
 * </pre>
 *
 * The checksum covers an IPv4 / IPv6 pseudo-header (RFC 5798 section 5.2.8).
 */
public final class VrrpTestPackets {

    private VrrpTestPackets() { }

    /** A VRRPv3 advert from {@code source} to {@code destination} with a correct checksum. */
    public static byte[] v3Advert(IpAddress source, IpAddress destination, int vrid, int priority,
            int maxAdverCentis, IpAddress... addresses) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x31);
        out.write(vrid);
        out.write(priority);
        out.write(addresses.length);
        out.write(maxAdverCentis >> 8 & 0x0f);
        out.write(maxAdverCentis & 0xff);
        out.write(0);
        out.write(0);
        for (IpAddress a : addresses) {
            out.writeBytes(a.toBytes());
        }
        byte[] p = out.toByteArray();
        int sum = checksum(source, destination, p);
        p[6] = (byte) (sum >> 8);
        p[7] = (byte) sum;
        return p;
    }

    /** The Internet checksum of {@code packet} with the pseudo-header for protocol 112. */
    public static int checksum(IpAddress source, IpAddress destination, byte[] packet) {
        ByteArrayOutputStream pseudo = new ByteArrayOutputStream();
        pseudo.writeBytes(source.toBytes());
        pseudo.writeBytes(destination.toBytes());
        if (source.toBytes().length == 4) {
            pseudo.write(0);
            pseudo.write(112);
            pseudo.write(packet.length >> 8);
            pseudo.write(packet.length);
        } else {
            pseudo.writeBytes(new byte[] {0, 0, (byte) (packet.length >> 8), (byte) packet.length, 0, 0, 0, 112});
        }
        pseudo.writeBytes(packet);
        byte[] b = pseudo.toByteArray();
        long sum = 0;
        for (int i = 0; i < b.length; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (i + 1 < b.length ? b[i + 1] & 0xff : 0);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
