package io.havip.vrrp.machine;

/**
 * What a router that is not master (BACKUP or FAULT) does when one of its virtual addresses
 * appears on its interface without its doing: added by hand, by a network manager or a DHCP
 * client, or by a script. With the master holding it too, two hosts answer ARP / NDP for the
 * address and clients reach either, breaking their connections at random; hence the default.
 * Either way the router logs it (WARN, rate-limited) and counts it
 * ({@code RouterStats.strayAddresses}). A router that becomes master adopts an address already
 * there; one that leaves master removes the addresses as always.
 */
public enum StrayAddressPolicy {
    /** Remove the address from the interface (the default): only the master may hold it. */
    REMOVE,
    /**
     * Leave the address where it is and only report it: for hosts where another tool owns the
     * interface's addresses and fighting it would be worse than two holders.
     */
    REPORT
}
