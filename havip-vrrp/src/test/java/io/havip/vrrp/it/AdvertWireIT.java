package io.havip.vrrp.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Capture;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What havip's engine (VrrpCodec through RawVrrpTransport) puts on the wire, as tshark's VRRP
 * dissector reads it: a node runs alone, becomes master and advertises; a second node captures.
 * {@code vrrp.checksum.status} 1 is tshark's "Good" (it verifies the checksum, with the
 * pseudo-header for v3).
 */
@ExtendWith(TestbedExtension.class)
class AdvertWireIT {

    private static Capture captureAdverts(Node master, Node observer, String filter, List<String> args) throws Exception {
        Capture capture = Capture.start(observer, filter, 3);
        try (HavipProcess h = HavipProcess.start(master, args)) {
            capture.finish(20);
            return capture;
        } catch (Exception | Error e) {
            capture.close();
            throw e;
        }
    }

    @Test
    void v3Ipv4MulticastAdvertIsAValidVrrpPacket(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        try (Capture c = captureAdverts(a, b, "ip proto 112", List.of("vrid=51", "version=3", "interval-ms=100",
                "priority=120", "vips=198.51.100.50/24,198.51.100.51/24"))) {
            List<List<String>> rows = c.fields("vrrp", List.of(), "ip.src", "ip.dst", "ip.ttl", "vrrp.version",
                    "vrrp.type", "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.addr_count", "vrrp.short_adver_int",
                    "vrrp.checksum.status");
            assertThat(rows).as(c.verbose()).hasSize(3).containsOnly(List.of("198.51.100.11", "224.0.0.18", "255", "3",
                    "1", "51", "120", "2", "10", "1"));
            assertThat(c.verbose()).contains("198.51.100.50").contains("198.51.100.51");
        }
    }

    @Test
    void v2PassAdvertCarriesThePasswordAndAGoodChecksum(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        try (Capture c = captureAdverts(a, b, "ip proto 112", List.of("vrid=52", "version=2", "interval-ms=1000",
                "priority=100", "password=hvpass1", "vips=198.51.100.50/24"))) {
            List<List<String>> rows = c.fields("vrrp", List.of(), "ip.ttl", "vrrp.version", "vrrp.virt_rtr_id",
                    "vrrp.prio", "vrrp.auth_type", "vrrp.adver_int", "vrrp.auth_string", "vrrp.ip_addr",
                    "vrrp.checksum.status");
            assertThat(rows).as(c.verbose()).hasSize(3).containsOnly(List.of("255", "2", "52", "100", "1", "1", "hvpass1",
                    "198.51.100.50", "1"));
        }
    }

    @Test
    void v3Ipv6AdvertComesFromTheLinkLocalAddressWithAGoodChecksum(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        String linkLocal = Mode.linkLocal(a);
        try (Capture c = captureAdverts(a, b, "ip6 proto 112", List.of("vrid=53", "version=3", "interval-ms=100",
                "priority=200", "vips=2001:db8::50/64"))) {
            List<List<String>> rows = c.fields("vrrp", List.of(), "ipv6.src", "ipv6.dst", "ipv6.hlim", "vrrp.version",
                    "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.ipv6_addr", "vrrp.checksum.status");
            assertThat(rows).as(c.verbose()).hasSize(3).containsOnly(List.of(linkLocal, "ff02::12", "255", "3", "53",
                    "200", "2001:db8::50", "1"));
        }
    }
}
