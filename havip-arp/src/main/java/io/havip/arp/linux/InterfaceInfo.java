package io.havip.arp.linux;

import io.havip.core.net.MacAddress;

/**
 * What the ioctl interface requests report for one interface: index (SIOCGIFINDEX),
 * hardware address (SIOCGIFHWADDR), flags (SIOCGIFFLAGS, the low 16 bits of
 * {@code IFF_*} only: carrier comes from {@link LinkState#hasCarrier()}), MTU (SIOCGIFMTU).
 *
 * @param name  the interface name, at most 15 bytes
 * @param index the interface index, positive
 * @param mac   the hardware address; {@link MacAddress#ZERO} for interfaces without one
 * @param flags the {@code IFF_*} flags of SIOCGIFFLAGS
 * @param mtu   the MTU in bytes
 */
public record InterfaceInfo(String name, int index, MacAddress mac, int flags, int mtu) {

    public InterfaceInfo {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("interface name is empty");
        }
        if (index <= 0) {
            throw new IllegalArgumentException("interface index " + index + " of " + name + " is not positive");
        }
        if (mac == null) {
            throw new IllegalArgumentException("mac is null for " + name + " (use MacAddress.ZERO)");
        }
    }

    /** IFF_UP: administratively up. */
    public boolean isUp() {
        return (flags & Sys.IFF_UP) != 0;
    }

    /** IFF_RUNNING: operationally up (RFC 2863 "up"). */
    public boolean isRunning() {
        return (flags & Sys.IFF_RUNNING) != 0;
    }

    /** IFF_NOARP: the interface does not use ARP / neighbour discovery; no gratuitous ARP or NA is sent on it. */
    public boolean isNoArp() {
        return (flags & Sys.IFF_NOARP) != 0;
    }

    public boolean isLoopback() {
        return (flags & Sys.IFF_LOOPBACK) != 0;
    }

    public boolean isMulticast() {
        return (flags & Sys.IFF_MULTICAST) != 0;
    }
}
