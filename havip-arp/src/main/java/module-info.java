/**
 * Linux networking through JNA: rtnetlink (addresses, links, routes, rules), raw and packet
 * sockets, gratuitous ARP and unsolicited NA, the shared VRRP socket hub, conflict detection.
 * The VRRP engine is its user; applications normally need none of it directly.
 */
module io.havip.arp {
    requires transitive io.havip.core;
    requires com.sun.jna;
    requires org.slf4j;

    exports io.havip.arp.garp;
    exports io.havip.arp.linux;
    exports io.havip.arp.packet;
    // JNA reads and writes the fields of the Structure classes and proxies the native interfaces
    opens io.havip.arp.linux to com.sun.jna;
}
