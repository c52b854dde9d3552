package io.havip.arp.linux;

import io.havip.core.net.MacAddress;

/**
 * One link as RTM_GETLINK / RTM_NEWLINK reports it (rtnetlink(7), struct ifinfomsg and its
 * IFLA_* attributes).
 *
 * @param index     the interface index
 * @param name      IFLA_IFNAME
 * @param flags     the full 32-bit {@code IFF_*} flags, including {@code IFF_LOWER_UP}
 * @param mtu       IFLA_MTU, 0 when absent
 * @param mac       IFLA_ADDRESS when it is 6 bytes long, else {@link MacAddress#ZERO}
 * @param operState IFLA_OPERSTATE (RFC 2863: 0 unknown, 2 down, 5 dormant, 6 up), -1 when absent
 */
public record LinkState(int index, String name, int flags, int mtu, MacAddress mac, int operState) {

    public LinkState {
        if (index <= 0) {
            throw new IllegalArgumentException("link index " + index + " is not positive");
        }
        if (name == null || mac == null) {
            throw new IllegalArgumentException("name and mac are required (use MacAddress.ZERO)");
        }
    }

    /** IFF_UP: administratively up. */
    public boolean isAdminUp() {
        return (flags & Sys.IFF_UP) != 0;
    }

    /** IFF_LOWER_UP: the driver reports carrier (the cable / peer is there). */
    public boolean hasCarrier() {
        return (flags & Sys.IFF_LOWER_UP) != 0;
    }

    /** Admin up and carrier: packets can flow. This is what {@link LinkMonitor} reports changes of. */
    public boolean isUp() {
        return isAdminUp() && hasCarrier();
    }

    /** IFF_NOARP. */
    public boolean isNoArp() {
        return (flags & Sys.IFF_NOARP) != 0;
    }
}
