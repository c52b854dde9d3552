package io.havip.arp.packet;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal reader of classic libpcap files (24-byte global header, 16-byte record
 * headers; https://wiki.wireshark.org/Development/LibpcapFileFormat), for golden tests.
 * Accepts both byte orders and both microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d) magics.
 */
public final class ClassicPcap {

    /** One captured frame and its timestamp in nanoseconds since the epoch. */
    public record Record(long timestampNanos, int originalLength, byte[] data) {
    }

    private ClassicPcap() {
    }

    public static List<Record> readResource(String name) {
        try (InputStream in = ClassicPcap.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + name + " is missing");
            }
            return read(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<Record> read(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        long fractionToNanos;
        if (magic == 0xa1b2c3d4 || Integer.reverseBytes(magic) == 0xa1b2c3d4) {
            fractionToNanos = 1000;
        } else if (magic == 0xa1b23c4d || Integer.reverseBytes(magic) == 0xa1b23c4d) {
            fractionToNanos = 1;
        } else {
            throw new IllegalArgumentException("not a classic pcap file: magic 0x" + Integer.toHexString(magic));
        }
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            b.order(ByteOrder.BIG_ENDIAN);
        }
        int linkType = b.getInt(20);
        if (linkType != 1) {
            throw new IllegalArgumentException("link type " + linkType + " is not Ethernet (1)");
        }
        List<Record> records = new ArrayList<>();
        b.position(24);
        while (b.remaining() >= 16) {
            long seconds = Integer.toUnsignedLong(b.getInt());
            long fraction = Integer.toUnsignedLong(b.getInt());
            int captured = b.getInt();
            int original = b.getInt();
            if (captured < 0 || captured > b.remaining()) {
                throw new IllegalArgumentException("record of " + captured + " bytes runs past the end of the file");
            }
            byte[] data = new byte[captured];
            b.get(data);
            records.add(new Record(seconds * 1_000_000_000L + fraction * fractionToNanos, original, data));
        }
        if (b.hasRemaining()) {
            throw new IllegalArgumentException(b.remaining() + " stray bytes at the end of the file");
        }
        return records;
    }
}
