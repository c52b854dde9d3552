package io.havip.arp.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.IpFamily;
import io.havip.core.net.MacAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The virtual MAC interface against the kernel and against keepalived 2.2.7: the same config in
 * two namespaces, one with keepalived's {@code use_vmac}, one with {@link VirtualMacInterface},
 * must give the same link (kind, mode, MAC, lower link, up) and the same sysctls on the vmac
 * and its base; a leftover vmac is adopted, another interface of that name refused and left
 * alone, a vmac deleted by hand recreated, and the base's settings put back on close.
 */
@ExtendWith(TestbedExtension.class)
class VirtualMacInterfaceIT {

    @ParameterizedTest
    @EnumSource(IpFamily.class)
    void createsWhatKeepalivedCreates(IpFamily family, Testbed net) throws Exception {
        LinuxTestRequirements.require("ip", "keepalived", "sysctl");
        Node k = net.addNode("keep");
        Node h = net.addNode("havip");
        String vmac = family == IpFamily.IPV4 ? "vrrp.51" : "vrrp6.51";
        String vip = family == IpFamily.IPV4 ? "198.51.100.50/24" : "2001:db8::50/64";
        Path dir = Files.createTempDirectory("vmac-keepalived");
        Path conf = Files.writeString(dir.resolve("keepalived.conf"), "global_defs {\n router_id keep\n}\n"
                + "vrrp_instance VI_1 {\n state BACKUP\n interface eth0\n virtual_router_id 51\n priority 100\n"
                + " advert_int 1\n use_vmac " + vmac + "\n virtual_ipaddress {\n  " + vip + "\n }\n}\n");
        Process keepalived = new ProcessBuilder("ip", "netns", "exec", k.namespace(), "keepalived", "-n", "-l", "-D",
                "-R", "-P", "-f", conf.toString(), "-p", dir.resolve("k.pid").toString(), "-r",
                dir.resolve("k.vrrp.pid").toString()).redirectErrorStream(true).redirectOutput(dir.resolve("k.log").toFile())
                .start();
        try (VirtualMacInterface v = h.call(() -> VirtualMacInterface.open("VI_1", "eth0", vmac, 51, family, false))) {
            awaitUp(k, vmac, keepalived, dir);
            Map<String, String> theirs = observe(k, vmac, family);
            Map<String, String> ours = observe(h, vmac, family);
            System.out.printf("VirtualMacInterfaceIT %s: keepalived %s%n  havip     %s%n", family, theirs, ours);
            assertThat(ours).isEqualTo(theirs);
            assertThat(ours.get("kind")).isEqualTo("macvlan");
            assertThat(ours.get("mode")).isEqualTo("private");
            assertThat(ours.get("mac")).isEqualTo(MacAddress.vrrp(family, 51).toString());
            assertThat(v.mac()).isEqualTo(MacAddress.vrrp(family, 51));
        } finally {
            keepalived.destroy();
            if (!keepalived.waitFor(20, TimeUnit.SECONDS)) {
                keepalived.destroyForcibly().waitFor();
            }
            System.out.println("--- keepalived log:\n" + Files.readString(dir.resolve("k.log")));
        }
        assertThat(h.ip("link", "show")).as("havip deleted its vmac on close").doesNotContain(vmac + "@");
    }

    @Test
    void adoptsALeftoverReplacesAWrongMacvlanAndRefusesAnyOtherInterface(Testbed net) throws Exception {
        Node a = net.addNode("a");
        a.ip("link", "add", "link", "eth0", "name", "vrrp.51", "address", "00:00:5e:00:01:33", "type", "macvlan",
                "mode", "private");
        int leftover = index(a, "vrrp.51");
        try (VirtualMacInterface v = a.call(() -> VirtualMacInterface.open("VI_1", "eth0", "vrrp.51", 51,
                IpFamily.IPV4, false))) {
            assertThat(v.adopted()).isTrue();
            assertThat(index(a, "vrrp.51")).as("the leftover itself, not a new link").isEqualTo(leftover);
            assertThat(a.ip("link", "show", "vrrp.51")).contains("UP");
        }
        // a macvlan of the same base in bridge mode with another MAC: replaced
        a.ip("link", "add", "link", "eth0", "name", "vrrp.52", "address", "02:00:00:00:00:52", "type", "macvlan",
                "mode", "bridge");
        try (VirtualMacInterface v = a.call(() -> VirtualMacInterface.open("VI_2", "eth0", "vrrp.52", 52,
                IpFamily.IPV4, false))) {
            assertThat(v.adopted()).isFalse();
            assertThat(a.ip("-d", "link", "show", "vrrp.52")).contains("00:00:5e:00:01:34").contains("macvlan mode private");
        }
        // anything else of that name is not ours: refused, named, left alone
        a.ip("link", "add", "vrrp.53", "type", "bridge");
        assertThatThrownBy(() -> a.call(() -> VirtualMacInterface.open("VI_3", "eth0", "vrrp.53", 53, IpFamily.IPV4,
                false))).isInstanceOf(IOException.class)
                .hasMessageContaining("VI_3: cannot use vrrp.53 as the virtual MAC interface on eth0: an interface"
                        + " named vrrp.53 exists already and is a bridge")
                .hasMessageContaining("havip leaves it alone").hasMessageContaining("ip link del vrrp.53")
                .hasMessageContaining("use_vmac NAME");
        assertThat(a.ip("-d", "link", "show", "vrrp.53")).contains("bridge");
        // a macvlan of another base: not ours either
        a.ip("link", "add", "eth9", "type", "bridge");
        a.ip("link", "add", "link", "eth9", "name", "vrrp.54", "type", "macvlan", "mode", "private");
        assertThatThrownBy(() -> a.call(() -> VirtualMacInterface.open("VI_4", "eth0", "vrrp.54", 54, IpFamily.IPV4,
                false))).hasMessageContaining("is a macvlan on interface #" + index(a, "eth9"));
        assertThat(a.ip("link", "show", "vrrp.54")).contains("vrrp.54@eth9");
    }

    @Test
    void deletedByHandIsRecreatedAndCloseRestoresTheBase(Testbed net) throws Exception {
        Node a = net.addNode("a");
        assertThat(sysctl(a, "net.ipv4.conf.eth0.arp_ignore")).isEqualTo("0");
        assertThat(sysctl(a, "net.ipv4.igmp_link_local_mcast_reports")).isEqualTo("1");
        VirtualMacInterface v = a.call(() -> VirtualMacInterface.open("VI_1", "eth0", "vrrp.51", 51, IpFamily.IPV4,
                false));
        try {
            assertThat(sysctl(a, "net.ipv4.conf.eth0.arp_ignore")).isEqualTo("1");
            assertThat(sysctl(a, "net.ipv4.conf.eth0.arp_filter")).isEqualTo("1");
            assertThat(sysctl(a, "net.ipv4.conf.eth0.arp_announce")).isEqualTo("2");
            assertThat(sysctl(a, "net.ipv4.igmp_link_local_mcast_reports")).isEqualTo("0");
            assertThat(a.call(v::ensurePresent)).as("present: nothing to do").isFalse();
            a.ip("link", "del", "vrrp.51");
            assertThat(a.call(v::ensurePresent)).isTrue();
            assertThat(v.recreations()).isEqualTo(1);
            assertThat(a.ip("-d", "link", "show", "vrrp.51")).contains("00:00:5e:00:01:33").contains("macvlan mode private")
                    .contains("UP");
            assertThat(sysctl(a, "net.ipv4.conf.vrrp/51.arp_ignore")).isEqualTo("1");
            assertThat(sysctl(a, "net.ipv6.conf.vrrp/51.disable_ipv6")).isEqualTo("1");
        } finally {
            a.run(v::close);
        }
        assertThat(a.ip("link", "show")).doesNotContain("vrrp.51");
        assertThat(sysctl(a, "net.ipv4.conf.eth0.arp_ignore")).as("put back").isEqualTo("0");
        assertThat(sysctl(a, "net.ipv4.conf.eth0.arp_filter")).isEqualTo("0");
        assertThat(sysctl(a, "net.ipv4.conf.eth0.arp_announce")).isEqualTo("0");
        assertThat(sysctl(a, "net.ipv4.igmp_link_local_mcast_reports")).isEqualTo("1");
    }

    @Test
    void mistakenInputIsNamed(Testbed net) throws Exception {
        Node a = net.addNode("a");
        assertThatThrownBy(() -> VirtualMacInterface.open("VI_1", "eth0", "vrrp-sixteen-chr", 51, IpFamily.IPV4, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("VI_1: the virtual MAC interface name \"vrrp-sixteen-chr\" is 16 bytes long; interface"
                        + " names are at most 15 (IFNAMSIZ - 1)");
        assertThatThrownBy(() -> a.call(() -> VirtualMacInterface.open("VI_1", "nosuch0", "vrrp.51", 51, IpFamily.IPV4,
                false))).isInstanceOf(IOException.class).hasMessage("cannot create the virtual MAC interface vrrp.51 for"
                + " VI_1: base interface nosuch0 does not exist in this network namespace (see `ip link`)");
        // a base that is down: the vmac is made all the same and follows the base's carrier
        a.ip("link", "set", "eth0", "down");
        try (VirtualMacInterface v = a.call(() -> VirtualMacInterface.open("VI_1", "eth0", "vrrp.51", 51, IpFamily.IPV4,
                false))) {
            assertThat(a.ip("link", "show", "vrrp.51")).contains("LOWERLAYERDOWN");
            a.ip("link", "set", "eth0", "up");
        }
    }

    @Test
    void aBaseRemovedTakesTheVmacAndItComesBackWithTheBase(Testbed net) throws Exception {
        Node a = net.addNode("a");
        a.ip("link", "add", "br9", "address", "02:00:00:00:00:09", "type", "bridge");
        a.ip("link", "set", "br9", "up");
        try (VirtualMacInterface v = a.call(() -> VirtualMacInterface.open("VI_1", "br9", "vrrp.51", 51, IpFamily.IPV4,
                false))) {
            a.ip("link", "del", "br9");
            assertThat(a.ip("link", "show")).as("the kernel deletes a macvlan with its base").doesNotContain("vrrp.51");
            assertThat(a.call(v::ensurePresent)).as("no base: nothing to create, no error").isFalse();
            a.ip("link", "add", "br9", "address", "02:00:00:00:00:09", "type", "bridge");
            assertThat(a.call(v::ensurePresent)).isTrue();
            assertThat(a.ip("-d", "link", "show", "vrrp.51")).contains("vrrp.51@br9").contains("00:00:5e:00:01:33");
        }
    }

    @Test
    void aRefusedNetlinkCallNamesTheCallTheValueAndTheErrno(Testbed net) throws Exception {
        Node a = net.addNode("a");
        // a macvlan cannot sit on the loopback device: the kernel refuses the RTM_NEWLINK
        assertThatThrownBy(() -> a.call(() -> VirtualMacInterface.open("VI_1", "lo", "vrrp.51", 51, IpFamily.IPV4,
                false))).isInstanceOf(NativeException.class)
                .hasMessageStartingWith("cannot create macvlan vrrp.51 on lo with MAC 00:00:5e:00:01:33 (mode private): ")
                .hasMessageContaining("RTM_NEWLINK").hasMessageContaining("errno")
                .hasMessageContaining("is the macvlan module available (modprobe macvlan), and is lo an Ethernet"
                        + " interface?");
        assertThat(a.ip("link", "show")).doesNotContain("vrrp.51");
    }

    private static void awaitUp(Node n, String ifname, Process keepalived, Path dir) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            if (n.exec("ip", "link", "show", ifname).exit() == 0 && n.ip("link", "show", ifname).contains(",UP")) {
                Thread.sleep(300); // keepalived sets its sysctls and address right after the link
                return;
            }
            if (!keepalived.isAlive()) {
                break;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("keepalived made no " + ifname + " within 20 s:\n" + Files.readString(dir.resolve("k.log")));
    }

    /** What matters of a vmac and its base, as ip(8) and sysctl(8) show it. */
    private static Map<String, String> observe(Node n, String vmac, IpFamily family) {
        String d = n.ip("-d", "link", "show", vmac);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("link", find(d, "^\\d+: (\\S+):"));
        m.put("kind", find(d, "\\n\\s+(macvlan) mode"));
        m.put("mode", find(d, "macvlan mode (\\S+)"));
        m.put("mac", find(d, "link/ether (\\S+)"));
        m.put("flags", find(d, "<([^>]*)>"));
        m.put("addrgenmode", find(d, "addrgenmode (\\S+)"));
        String s = vmac.replace('.', '/');
        for (String key : List.of("arp_ignore", "arp_filter", "accept_local", "rp_filter")) {
            m.put(vmac + "." + key, sysctl(n, "net.ipv4.conf." + s + "." + key));
            m.put("eth0." + key, sysctl(n, "net.ipv4.conf.eth0." + key));
        }
        m.put(vmac + ".disable_ipv6", sysctl(n, "net.ipv6.conf." + s + ".disable_ipv6"));
        m.put("all.rp_filter", sysctl(n, "net.ipv4.conf.all.rp_filter"));
        String v6 = n.ip("-6", "addr", "show", "dev", vmac);
        m.put("ipv6 link-local", v6.contains("fe80::") ? (v6.contains(linkLocal(n)) ? "the base's" : "another") : "none");
        return m;
    }

    private static String linkLocal(Node n) {
        return find(n.ip("-6", "addr", "show", "dev", "eth0", "scope", "link"), "inet6 (fe80::[0-9a-f:]+)/");
    }

    private static String sysctl(Node n, String key) {
        return n.exec("sysctl", "-n", key).check().stdout().trim();
    }

    private static int index(Node n, String ifname) {
        return Integer.parseInt(find(n.ip("link", "show", ifname), "^(\\d+):"));
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        return m.find() ? m.group(1) : "";
    }
}
