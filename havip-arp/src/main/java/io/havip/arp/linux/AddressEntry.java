package io.havip.arp.linux;

import io.havip.core.net.InterfaceAddress;

/**
 * One address as RTM_GETADDR reports it (rtnetlink(7), struct ifaddrmsg and IFA_*).
 *
 * @param ifindex the interface index it is on
 * @param address the local address (IFA_LOCAL, or IFA_ADDRESS when there is no IFA_LOCAL) with its prefix
 * @param flags   IFA_FLAGS when present, else ifa_flags ({@code IFA_F_SECONDARY} 0x01, {@code IFA_F_NODAD} 0x02,
 *                {@code IFA_F_TENTATIVE} 0x40, {@code IFA_F_PERMANENT} 0x80, ...)
 * @param scope   the rt_scope (0 universe, 253 link, 254 host)
 * @param label   IFA_LABEL (IPv4 only), "" when absent
 */
public record AddressEntry(int ifindex, InterfaceAddress address, int flags, int scope, String label) {

    public AddressEntry {
        if (address == null || label == null) {
            throw new IllegalArgumentException("address and label are required");
        }
    }

    /** IFA_F_TENTATIVE: IPv6 duplicate address detection has not finished; the address cannot be bound yet. */
    public boolean isTentative() {
        return (flags & 0x40) != 0;
    }
}
