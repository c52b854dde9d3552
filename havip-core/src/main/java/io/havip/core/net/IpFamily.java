package io.havip.core.net;

/** IPv4 or IPv6, with the facts the codecs and the kernel need. */
public enum IpFamily {
    IPV4(32, 4),
    IPV6(128, 16);

    private final int bits;
    private final int bytes;

    IpFamily(int bits, int bytes) {
        this.bits = bits;
        this.bytes = bytes;
    }

    public int bits() {
        return bits;
    }

    public int bytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return this == IPV4 ? "IPv4" : "IPv6";
    }
}
