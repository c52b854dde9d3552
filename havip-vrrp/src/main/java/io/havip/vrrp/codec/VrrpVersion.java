package io.havip.vrrp.codec;

/** VRRP version 2 (RFC 3768, IPv4 only) or 3 (RFC 5798 as updated by RFC 9568, IPv4 and IPv6). */
public enum VrrpVersion {
    V2(2),
    V3(3);

    private final int number;

    VrrpVersion(int number) {
        this.number = number;
    }

    /** The value of the 4-bit version field. */
    public int number() {
        return number;
    }

    public static VrrpVersion of(int number) {
        return switch (number) {
            case 2 -> V2;
            case 3 -> V3;
            default -> throw new IllegalArgumentException("VRRP version " + number + " is not 2 or 3");
        };
    }
}
