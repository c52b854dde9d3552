package io.havip.core.net;

import java.math.BigInteger;

/** An IPv6 address held as two 64-bit halves; {@link #toString()} is the RFC 5952 canonical form. */
public record Ipv6Address(long high, long low) implements IpAddress {

    /**
     * Parses RFC 4291 text: eight groups of up to four hex digits, one {@code ::}, an
     * optional trailing dotted IPv4 part. Zone ids ({@code %eth0}) are refused: an
     * interface is configured separately.
     */
    public static Ipv6Address parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("IPv6 address is null");
        }
        if (text.indexOf('%') >= 0) {
            throw new IllegalArgumentException("\"" + text + "\": zone ids are not accepted; name the interface separately");
        }
        int doubleColon = text.indexOf("::");
        if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
            throw new IllegalArgumentException("\"" + text + "\": \"::\" may appear only once");
        }
        int[] groups = new int[8];
        int[] head;
        int[] tail;
        if (doubleColon >= 0) {
            head = groups(text, text.substring(0, doubleColon), false);
            tail = groups(text, text.substring(doubleColon + 2), true);
            if (head.length + tail.length > 7) {
                throw new IllegalArgumentException("\"" + text + "\": too many groups around \"::\"");
            }
        } else {
            head = groups(text, text, true);
            tail = new int[0];
            if (head.length != 8) {
                throw new IllegalArgumentException("\"" + text + "\": an IPv6 address has 8 groups, found " + head.length);
            }
        }
        System.arraycopy(head, 0, groups, 0, head.length);
        System.arraycopy(tail, 0, groups, 8 - tail.length, tail.length);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 4; i++) {
            hi = (hi << 16) | groups[i];
            lo = (lo << 16) | groups[i + 4];
        }
        return new Ipv6Address(hi, lo);
    }

    private static int[] groups(String whole, String part, boolean ipv4TailAllowed) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] texts = part.split(":", -1);
        int count = texts.length;
        boolean v4 = ipv4TailAllowed && texts[count - 1].indexOf('.') >= 0;
        int[] out = new int[v4 ? count + 1 : count];
        for (int i = 0; i < count; i++) {
            String g = texts[i];
            if (v4 && i == count - 1) {
                int bits;
                try {
                    bits = Ipv4Address.parse(g).bits();
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("\"" + whole + "\": embedded IPv4 part \"" + g + "\" is invalid", e);
                }
                out[i] = bits >>> 16;
                out[i + 1] = bits & 0xffff;
                continue;
            }
            if (g.isEmpty() || g.length() > 4) {
                throw new IllegalArgumentException("\"" + whole + "\": group \"" + g + "\" must have 1 to 4 hex digits");
            }
            int value = 0;
            for (int k = 0; k < g.length(); k++) {
                int d = hexDigit(g.charAt(k));
                if (d < 0) {
                    throw new IllegalArgumentException("\"" + whole + "\": group \"" + g + "\" is not hexadecimal");
                }
                value = (value << 4) | d;
            }
            out[i] = value;
        }
        return out;
    }

    /** The value of an ASCII hex digit, or -1 ({@link Character#digit} would also accept e.g. full-width digits). */
    static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    public static Ipv6Address ofBytes(byte[] b) {
        if (b.length != 16) {
            throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + b.length);
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xff);
            lo = (lo << 8) | (b[i + 8] & 0xff);
        }
        return new Ipv6Address(hi, lo);
    }

    @Override
    public IpFamily family() {
        return IpFamily.IPV6;
    }

    @Override
    public byte[] toBytes() {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[i + 8] = (byte) (low >>> (56 - 8 * i));
        }
        return b;
    }

    @Override
    public BigInteger toBigInteger() {
        return new BigInteger(1, toBytes());
    }

    @Override
    public IpAddress plus(BigInteger delta) {
        return AddressArithmetic.plus(this, delta);
    }

    /** True for fe80::/10, the scope VRRPv3 over IPv6 sends from (RFC 5798 section 5.1.2.2). */
    public boolean isLinkLocal() {
        return (high >>> 54) == 0x3FA;
    }

    /** True for ff00::/8. */
    public boolean isMulticast() {
        return (high >>> 56) == 0xFF;
    }

    /** The solicited-node multicast group ff02::1:ffXX:XXXX of this address (RFC 4291 section 2.7.1). */
    public Ipv6Address solicitedNodeMulticast() {
        return new Ipv6Address(0xff02_0000_0000_0000L, 0x0000_0001_ff00_0000L | (low & 0xff_ffffL));
    }

    /** True for ::ffff:0:0/96, an IPv4 address mapped into IPv6 (RFC 4291 section 2.5.5.2). */
    public boolean isIpv4Mapped() {
        return high == 0 && (low >>> 32) == 0xffffL;
    }

    /**
     * RFC 5952 section 4: lower case, leading zeros dropped, the longest run (2+) of zero
     * groups as "::" (the first one on a tie); IPv4-mapped addresses end in dotted decimal
     * ({@code ::ffff:192.0.2.1}) as section 5 recommends.
     */
    @Override
    public String toString() {
        if (isIpv4Mapped()) {
            return "::ffff:" + new Ipv4Address((int) low);
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
            g[i + 4] = (int) (low >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
