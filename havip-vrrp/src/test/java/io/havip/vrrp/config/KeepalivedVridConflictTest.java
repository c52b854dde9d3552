package io.havip.vrrp.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Two vrrp_instances that are one virtual router to the network (issue #17 item 7, the reader's
 * half), refused as keepalived 2.2.7's check_vrid_conflicts refuses them; the same verdicts
 * from {@code keepalived -t} on the same files are in HavipdConfigFilesIT.
 */
class KeepalivedVridConflictTest {

    private static final Path FILE = Path.of("/etc/keepalived/keepalived.conf");

    /** An instance at 8 lines; {@code extra} goes after the VRID line. */
    static String instance(String name, String iface, int vrid, String vip, String extra) {
        return "vrrp_instance " + name + " {\n" + (iface == null ? "" : " interface " + iface + "\n") + " virtual_router_id "
                + vrid + "\n" + extra + " virtual_ipaddress {\n  " + vip + "\n }\n}\n";
    }

    private static KeepalivedConfig read(String text) {
        return KeepalivedConfigReader.parse(text, FILE);
    }

    private static String error(String text) {
        try {
            read(text);
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("no ConfigException for:\n" + text);
    }

    @Test
    void sameVridFamilyAndInterfaceIsRefusedNamingBoth() {
        String text = instance("A", "eth0", 51, "198.51.100.50", "") + instance("B", "eth0", 51, "198.51.100.51", "");
        assertThat(error(text)).isEqualTo(FILE + ":10: key 'virtual_router_id': vrrp_instance 'A' (" + FILE + ":3) and"
                + " vrrp_instance 'B' (" + FILE + ":10) both use virtual_router_id 51 for IPv4 on interface eth0: they would"
                + " be one virtual router, each taking the other's adverts for its own; keepalived refuses this file too"
                + " (allowed: another virtual_router_id for one of them, the same on its peers)");
        // VRRPv2 and VRRPv3 of one family share the VRID space (keepalived compares family and VRID only)
        assertThat(error(instance("A", "eth0", 51, "198.51.100.50", " version 2\n")
                + instance("B", "eth0", 51, "198.51.100.51", " version 3\n")))
                .contains("'A' (" + FILE + ":3) and vrrp_instance 'B' (" + FILE + ":11) both use virtual_router_id 51 for"
                        + " IPv4 on interface eth0");
        assertThat(error(instance("A", "eth0", 7, "2001:db8::50", "") + instance("B", "eth0", 7, "2001:db8::51", "")))
                .contains("both use virtual_router_id 7 for IPv6 on interface eth0");
        // use_vmac separates nothing, in keepalived either
        assertThat(error(instance("A", "eth0", 51, "198.51.100.50", " use_vmac\n")
                + instance("B", "eth0", 51, "198.51.100.51", " use_vmac\n"))).contains("both use virtual_router_id 51");
    }

    @Test
    void aDifferentMulticastDestinationDoesNotSeparateThemInHavip() {
        assertThat(error(instance("A", "eth0", 51, "198.51.100.50", " mcast_dst_ip 224.0.0.19\n")
                + instance("B", "eth0", 51, "198.51.100.51", ""))).endsWith("both use virtual_router_id 51 for IPv4 on"
                + " interface eth0: they would be one virtual router, each taking the other's adverts for its own"
                + " (keepalived would accept them only because of mcast_dst_ip, which havip does not support: both send"
                + " to the VRRP group) (allowed: another virtual_router_id for one of them, the same on its peers)");
    }

    @Test
    void otherInterfacesFamiliesOrUnicastBesideMulticastAreSeparate() {
        assertThat(read(instance("A", "eth0", 51, "198.51.100.50", "") + instance("B", "eth1", 51, "198.51.100.51", ""))
                .instances()).hasSize(2);
        assertThat(read(instance("A", "eth0", 51, "198.51.100.50", " version 2\n")
                + instance("B", "eth0", 51, "2001:db8::51", " version 3\n")).instances()).hasSize(2);
        assertThat(read(instance("A", "eth0", 51, "198.51.100.50", " unicast_peer {\n  198.51.100.10\n }\n")
                + instance("B", "eth0", 51, "198.51.100.51", "")).instances()).hasSize(2);
    }

    @Test
    void unicastInstancesConflictOnlyFromOneAddressToACommonPeer() {
        String peer10 = " unicast_peer {\n  198.51.100.10\n }\n";
        String peer11 = " unicast_peer {\n  198.51.100.11\n }\n";
        assertThat(error(instance("A", "eth0", 51, "198.51.100.50", peer10) + instance("B", "eth0", 51, "198.51.100.51",
                " unicast_peer {\n  198.51.100.11\n  198.51.100.10\n }\n"))).isEqualTo(FILE + ":13: key 'virtual_router_id':"
                + " vrrp_instance 'A' (" + FILE + ":3) and vrrp_instance 'B' (" + FILE + ":13) both use virtual_router_id 51"
                + " for IPv4 from the primary address of eth0 to unicast_peer 198.51.100.10: they would be one virtual"
                + " router, each taking the other's adverts for its own; keepalived refuses this file too (allowed: another"
                + " virtual_router_id for one of them, the same on its peers, or a different unicast_src_ip or"
                + " unicast_peer)");
        assertThat(error(instance("A", null, 51, "198.51.100.50", peer10 + " unicast_src_ip 198.51.100.1\n")
                + instance("B", "eth0", 51, "198.51.100.51", peer10 + " unicast_src_ip 198.51.100.1\n")))
                .contains("both use virtual_router_id 51 for IPv4 from unicast_src_ip 198.51.100.1 to unicast_peer"
                        + " 198.51.100.10");
        // told apart by peer, by source address, or by interface: accepted, as keepalived does
        assertThat(read(instance("A", "eth0", 51, "198.51.100.50", peer10) + instance("B", "eth0", 51, "198.51.100.51",
                peer11)).instances()).hasSize(2);
        assertThat(read(instance("A", "eth0", 51, "198.51.100.50", peer10 + " unicast_src_ip 198.51.100.1\n")
                + instance("B", "eth0", 51, "198.51.100.51", peer10 + " unicast_src_ip 198.51.100.2\n")).instances())
                .hasSize(2);
        assertThat(read(instance("A", "eth0", 51, "198.51.100.50", peer10) + instance("B", "eth1", 51, "198.51.100.51",
                peer10)).instances()).hasSize(2);
    }

    @Test
    void unicastFromAGivenAndAnImplicitAddressIsAWarning() {
        String peer10 = " unicast_peer {\n  198.51.100.10\n }\n";
        KeepalivedConfig c = read(instance("A", "eth0", 51, "198.51.100.50", peer10 + " unicast_src_ip 198.51.100.1\n")
                + instance("B", "eth0", 51, "198.51.100.51", peer10));
        assertThat(c.instances()).hasSize(2);
        assertThat(c.warnings()).extracting(ConfigWarning::toString).containsExactly(FILE + ":14: vrrp_instance 'A' ("
                + FILE + ":3) and vrrp_instance 'B' (" + FILE + ":14) both use virtual_router_id 51 for IPv4 and send to"
                + " unicast_peer 198.51.100.10; 'B' sends from the primary address of eth0: if that is 198.51.100.1, they"
                + " are one virtual router (keepalived then refuses the file); give 'B' a unicast_src_ip, or use another"
                + " virtual_router_id for one of them, the same on its peers");
    }
}
