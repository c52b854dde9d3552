package io.havip.vrrp.codec;

import io.havip.core.net.IpAddress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Just enough of classic libpcap (not pcapng) to pull IPv4 packets out of Ethernet captures:
 * 24-byte global header (magic decides byte order; micro- or nanosecond magic), 16-byte record
 * headers, 14-byte Ethernet header, IPv4 header of IHL words.
 */
final class PcapReader {

    /** One IPv4 packet from a capture; {@code payload} is cut at the IP total length. */
    record Ipv4Packet(int frameNumber, int ttl, int protocol, int dscpEcn, IpAddress source, IpAddress destination,
                      byte[] payload) {
    }

    private PcapReader() {
    }

    static List<Ipv4Packet> ipv4Packets(String resource) throws IOException {
        byte[] file;
        try (InputStream in = PcapReader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("test resource " + resource + " is missing");
            }
            file = in.readAllBytes();
        }
        ByteBuffer b = ByteBuffer.wrap(file);
        int magic = b.order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
            b.order(ByteOrder.BIG_ENDIAN);
        } else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
            b.order(ByteOrder.LITTLE_ENDIAN);
        } else {
            throw new IOException(resource + ": not a classic pcap file (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int linkType = b.getInt(20);
        if (linkType != 1) {
            throw new IOException(resource + ": link type " + linkType + ", expected 1 (Ethernet)");
        }
        List<Ipv4Packet> out = new ArrayList<>();
        int at = 24;
        int frame = 0;
        while (at + 16 <= file.length) {
            int captured = b.getInt(at + 8);
            int start = at + 16;
            if (start + captured > file.length) {
                throw new IOException(resource + ": record " + (frame + 1) + " runs past the end of the file");
            }
            frame++;
            at = start + captured;
            if (captured < 14 + 20) {
                continue;
            }
            int etherType = ((file[start + 12] & 0xff) << 8) | (file[start + 13] & 0xff);
            int ip = start + 14;
            if (etherType != 0x0800 || (file[ip] & 0xf0) != 0x40) {
                continue;
            }
            int ihl = (file[ip] & 0x0f) * 4;
            int totalLength = ((file[ip + 2] & 0xff) << 8) | (file[ip + 3] & 0xff);
            out.add(new Ipv4Packet(frame, file[ip + 8] & 0xff, file[ip + 9] & 0xff, file[ip + 1] & 0xff,
                    IpAddress.ofBytes(Arrays.copyOfRange(file, ip + 12, ip + 16)),
                    IpAddress.ofBytes(Arrays.copyOfRange(file, ip + 16, ip + 20)),
                    Arrays.copyOfRange(file, ip + ihl, ip + totalLength)));
        }
        return out;
    }
}
