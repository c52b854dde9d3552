package io.havip.arp.packet;

import java.util.Objects;

/** Big-endian (network order, RFC 1700 "Data Notations") reads and writes, bounds checks and hex dumps. */
final class Bytes {

    private Bytes() {
    }

    static int u8(byte[] b, int at) {
        return b[at] & 0xff;
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    static void putU16(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }

    static byte[] slice(byte[] b, int at, int length) {
        byte[] out = new byte[length];
        System.arraycopy(b, at, out, 0, length);
        return out;
    }

    /** Checks the caller's window into {@code data}: a caller bug, so an unchecked exception. */
    static void checkWindow(byte[] data, int offset, int length) {
        Objects.requireNonNull(data, "data");
        Objects.checkFromIndexSize(offset, length, data.length);
    }

    static String hexDump(byte[] b, int offset, int length) {
        StringBuilder sb = new StringBuilder(length * 4 + 16);
        for (int line = 0; line < length; line += 16) {
            if (line > 0) {
                sb.append('\n');
            }
            sb.append(String.format("%04x ", line));
            for (int i = line; i < Math.min(line + 16, length); i++) {
                sb.append(' ').append(Character.forDigit((b[offset + i] >>> 4) & 0xf, 16))
                        .append(Character.forDigit(b[offset + i] & 0xf, 16));
            }
        }
        return sb.toString();
    }
}
