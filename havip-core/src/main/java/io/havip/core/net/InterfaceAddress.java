package io.havip.core.net;

/**
 * An address with the prefix length it is configured with on an interface, e.g.
 * {@code 198.51.100.50/24}: what {@code ip addr add} takes and a VIP is bound as.
 * Host bits are expected here, unlike {@link Cidr}.
 */
public record InterfaceAddress(IpAddress address, int prefixLength) {

    public InterfaceAddress {
        if (address == null) {
            throw new IllegalArgumentException("address is null");
        }
        if (prefixLength < 0 || prefixLength > address.bitLength()) {
            throw new IllegalArgumentException("\"" + address + "/" + prefixLength + "\": prefix length " + prefixLength
                    + " is outside 0-" + address.bitLength());
        }
    }

    /** Parses {@code 198.51.100.50/24}; without a prefix the host prefix (/32 or /128) is used, as keepalived does. */
    public static InterfaceAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("address is null");
        }
        int slash = text.indexOf('/');
        IpAddress address;
        try {
            address = IpAddress.parse(slash < 0 ? text : text.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\": " + e.getMessage(), e);
        }
        int prefix = slash < 0 ? address.bitLength() : Cidr.parsePrefix(text, text.substring(slash + 1), address.bitLength());
        return new InterfaceAddress(address, prefix);
    }

    public static InterfaceAddress host(IpAddress address) {
        return new InterfaceAddress(address, address.bitLength());
    }

    public IpFamily family() {
        return address.family();
    }

    public Cidr subnet() {
        return Cidr.of(address, prefixLength);
    }

    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
