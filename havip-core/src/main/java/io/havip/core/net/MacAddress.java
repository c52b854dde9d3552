package io.havip.core.net;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 48-bit Ethernet MAC address. Accepts {@code 02:00:c6:33:64:0b},
 * {@code 02-00-C6-33-64-0B} and {@code 0200.c633.640b}; prints lower-case colon form.
 */
public record MacAddress(long bits) {

    public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);
    public static final MacAddress ZERO = new MacAddress(0);

    public MacAddress {
        if ((bits >>> 48) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits, got 0x" + Long.toHexString(bits));
        }
    }

    // Written out rather than generated: the record's generated methods link on first use, which
    // would cost a takeover that compares MACs for the first time a fraction of a millisecond.
    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && m.bits == bits;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(bits);
    }

    public static MacAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("MAC address is null");
        }
        String hex;
        if (text.length() == 17 && (allSeparators(text, ':') || allSeparators(text, '-'))) {
            hex = text.replace(":", "").replace("-", "");
        } else if (text.length() == 14 && text.charAt(4) == '.' && text.charAt(9) == '.') {
            hex = text.replace(".", "");
        } else {
            throw new IllegalArgumentException("\"" + text
                    + "\": expected six hex pairs like 02:00:c6:33:64:0b (or with '-', or 0200.c633.640b)");
        }
        long bits = 0;
        for (int i = 0; i < 12; i++) {
            int d = Ipv6Address.hexDigit(hex.charAt(i));
            if (d < 0) {
                throw new IllegalArgumentException("\"" + text + "\": '" + hex.charAt(i) + "' is not a hex digit");
            }
            bits = (bits << 4) | d;
        }
        return new MacAddress(bits);
    }

    private static boolean allSeparators(String text, char sep) {
        for (int i = 2; i < 17; i += 3) {
            if (text.charAt(i) != sep) {
                return false;
            }
        }
        return true;
    }

    public static MacAddress ofBytes(byte[] b) {
        if (b == null) {
            throw new IllegalArgumentException("MAC address bytes are null");
        }
        if (b.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + b.length + ": " + HexFormat.of().formatHex(b));
        }
        long bits = 0;
        for (byte x : b) {
            bits = (bits << 8) | (x & 0xff);
        }
        return new MacAddress(bits);
    }

    /** The VRRP virtual router MAC 00-00-5E-00-01-{VRID} (RFC 5798 section 7.3); IPv6 uses 00-00-5E-00-02-{VRID}. */
    public static MacAddress vrrp(IpFamily family, int vrid) {
        if (vrid < 1 || vrid > 255) {
            throw new IllegalArgumentException("VRID " + vrid + " is outside 1-255");
        }
        return new MacAddress(0x00005e000100L + (family == IpFamily.IPV6 ? 0x100 : 0) + vrid);
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (bits >>> (40 - 8 * i));
        }
        return b;
    }

    public boolean isMulticast() {
        return ((bits >>> 40) & 1) == 1;
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(toBytes());
    }

    /** Equality helper for raw buffers. */
    public boolean matches(byte[] b) {
        return Arrays.equals(toBytes(), b);
    }
}
