package io.havip.arp.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.arp.testbed.Capture;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.arp.testbed.VrrpTestPackets;
import io.havip.core.AdvertTransport.Received;
import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv6Address;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestbedExtension.class)
class RawVrrpTransportIT {

    private static final Duration WAIT = Duration.ofSeconds(5);

    static IpAddress linkLocal(Node n) throws Exception {
        return n.call(() -> {
            try (RtNetlink nl = RtNetlink.open()) {
                return nl.addresses(nl.ifindex("eth0")).stream().map(e -> e.address().address())
                        .filter(a -> a instanceof Ipv6Address v6 && v6.isLinkLocal()).findFirst().orElseThrow();
            }
        });
    }

    @Test
    void ipv4MulticastAndUnicastArriveWithTtl255AndTsharkAcceptsThem(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        IpAddress vip = IpAddress.parse("198.51.100.50");
        try (RawVrrpTransport ta = a.call(() -> RawVrrpTransport.openMulticast("eth0", a.ipv4()));
                RawVrrpTransport tb = b.call(() -> RawVrrpTransport.openMulticast("eth0", b.ipv4()));
                Capture capture = Capture.start(b, "ip proto 112", 2)) {
            byte[] multicast = VrrpTestPackets.v3Advert(a.ipv4(), RawVrrpTransport.GROUP_V4, 51, 100, 100, vip);
            ta.send(RawVrrpTransport.GROUP_V4, multicast);
            Received m = tb.receive(WAIT);
            assertThat(m).isEqualTo(new Received(a.ipv4(), RawVrrpTransport.GROUP_V4, 255, "eth0", multicast));

            byte[] unicast = VrrpTestPackets.v3Advert(a.ipv4(), b.ipv4(), 51, 100, 100, vip);
            ta.send(b.ipv4(), unicast);
            assertThat(tb.receive(WAIT)).isEqualTo(new Received(a.ipv4(), b.ipv4(), 255, "eth0", unicast));
            assertThat(ta.receive(Duration.ofMillis(300))).as("multicast loopback is off").isNull();

            capture.finish(10);
            List<List<String>> rows = capture.fields("vrrp", List.of(), "ip.src", "ip.dst", "ip.ttl", "vrrp.version",
                    "vrrp.type", "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.ip_addr", "vrrp.checksum.status");
            assertThat(rows).as(capture.verbose()).containsExactly(
                    List.of("198.51.100.11", "224.0.0.18", "255", "3", "1", "51", "100", "198.51.100.50", "1"),
                    List.of("198.51.100.11", "198.51.100.12", "255", "3", "1", "51", "100", "198.51.100.50", "1"));
        }
    }

    @Test
    void ipv6FromLinkLocalToFf02_12WithKernelChecksumAndHopLimit255(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        IpAddress aLinkLocal = linkLocal(a);
        IpAddress bLinkLocal = linkLocal(b);
        IpAddress vip = IpAddress.parse("2001:db8::50");
        try (RawVrrpTransport ta = a.call(() -> RawVrrpTransport.openMulticast("eth0", aLinkLocal));
                RawVrrpTransport tb = b.call(() -> RawVrrpTransport.openMulticast("eth0", bLinkLocal));
                Capture capture = Capture.start(b, "ip6 proto 112", 1)) {
            // checksum left 0: the kernel fills it in (IPV6_CHECKSUM offset 6)
            byte[] advert = VrrpTestPackets.v3Advert(aLinkLocal, RawVrrpTransport.GROUP_V6, 52, 200, 100, vip);
            advert[6] = 0;
            advert[7] = 0;
            ta.send(RawVrrpTransport.GROUP_V6, advert);
            Received m = tb.receive(WAIT);
            assertThat(m).isNotNull();
            assertThat(m.source()).isEqualTo(aLinkLocal);
            assertThat(m.destination()).isEqualTo(RawVrrpTransport.GROUP_V6);
            assertThat(m.ttl()).isEqualTo(255);
            assertThat(m.interfaceName()).isEqualTo("eth0");
            byte[] expected = VrrpTestPackets.v3Advert(aLinkLocal, RawVrrpTransport.GROUP_V6, 52, 200, 100, vip);
            assertThat(m.payload()).as("kernel-computed checksum equals ours").isEqualTo(expected);

            capture.finish(10);
            assertThat(capture.fields("vrrp", List.of(), "ipv6.src", "ipv6.dst", "ipv6.hlim", "vrrp.version",
                    "vrrp.prio", "vrrp.ipv6_addr", "vrrp.checksum.status"))
                    .as(capture.verbose())
                    .containsExactly(List.of(aLinkLocal.toString(), "ff02::12", "255", "3", "200", "2001:db8::50", "1"));
        }
    }

    @Test
    void aVridFilterLetsOnlyThatRoutersAdvertsThroughInBothFamilies(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        IpAddress aLinkLocal = linkLocal(a);
        IpAddress bLinkLocal = linkLocal(b);
        try (RawVrrpTransport ta = a.call(() -> RawVrrpTransport.openMulticast("eth0", a.ipv4()));
                RawVrrpTransport only51 = b.call(() -> RawVrrpTransport.openMulticast("eth0", b.ipv4())
                        .acceptOnlyVrid(51));
                RawVrrpTransport only52 = b.call(() -> RawVrrpTransport.openMulticast("eth0", b.ipv4())
                        .acceptOnlyVrid(52));
                RawVrrpTransport ta6 = a.call(() -> RawVrrpTransport.openMulticast("eth0", aLinkLocal));
                RawVrrpTransport only51v6 = b.call(() -> RawVrrpTransport.openMulticast("eth0", bLinkLocal)
                        .acceptOnlyVrid(51))) {
            byte[] vr52 = VrrpTestPackets.v3Advert(a.ipv4(), RawVrrpTransport.GROUP_V4, 52, 100, 100);
            byte[] vr51 = VrrpTestPackets.v3Advert(a.ipv4(), RawVrrpTransport.GROUP_V4, 51, 100, 100);
            ta.send(RawVrrpTransport.GROUP_V4, vr52);
            ta.send(RawVrrpTransport.GROUP_V4, vr51);
            assertThat(only51.receive(WAIT).payload()).as("VRID 52 filtered out, 51 through").isEqualTo(vr51);
            assertThat(only52.receive(WAIT).payload()).isEqualTo(vr52);
            assertThat(only52.receive(Duration.ofMillis(300))).as("VRID 51 filtered out").isNull();

            byte[] v6vr52 = VrrpTestPackets.v3Advert(aLinkLocal, RawVrrpTransport.GROUP_V6, 52, 100, 100);
            byte[] v6vr51 = VrrpTestPackets.v3Advert(aLinkLocal, RawVrrpTransport.GROUP_V6, 51, 100, 100);
            ta6.send(RawVrrpTransport.GROUP_V6, v6vr52);
            ta6.send(RawVrrpTransport.GROUP_V6, v6vr51);
            assertThat(only51v6.receive(WAIT).payload()).isEqualTo(v6vr51);
            assertThat(only51v6.receive(Duration.ofMillis(300))).isNull();
            assertThatThrownBy(() -> only52.acceptOnlyVrid(0)).hasMessageContaining("VRID 0 is outside 1-255");
        }
    }

    @Test
    void unicastModeJoinsNoGroup(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        try (RawVrrpTransport ta = a.call(() -> RawVrrpTransport.openMulticast("eth0", a.ipv4()));
                RawVrrpTransport tb = b.call(() -> RawVrrpTransport.openUnicast("eth0", b.ipv4()))) {
            ta.send(RawVrrpTransport.GROUP_V4, VrrpTestPackets.v3Advert(a.ipv4(), RawVrrpTransport.GROUP_V4, 1, 1, 100));
            assertThat(tb.receive(Duration.ofMillis(500))).isNull();
            byte[] unicast = VrrpTestPackets.v3Advert(a.ipv4(), b.ipv4(), 1, 1, 100);
            ta.send(b.ipv4(), unicast);
            assertThat(tb.receive(WAIT).payload()).isEqualTo(unicast);
            assertThat(b.ip("maddr", "show", "dev", "eth0")).doesNotContain("224.0.0.18");
        }
    }

    @Test
    void closeUnblocksAWaitingReceiver(Testbed net) throws Exception {
        Node a = net.addNode("a");
        RawVrrpTransport t = a.call(() -> RawVrrpTransport.openMulticast("eth0", a.ipv4()));
        CompletableFuture<Object> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return t.receive(Duration.ofSeconds(60));
            } catch (Exception e) {
                return e;
            }
        });
        assertThat(waiting.isDone()).isFalse();
        t.close();
        t.close();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> t.send(RawVrrpTransport.GROUP_V4, new byte[8]))
                .isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void wrongSourceOrInterfaceIsExplained(Testbed net) throws Exception {
        Node a = net.addNode("a");
        assertThatThrownBy(() -> a.call(() -> RawVrrpTransport.openMulticast("eth0", IpAddress.parse("203.0.113.9"))))
                .isInstanceOf(NativeException.class)
                .hasMessageStartingWith("cannot open a VRRP raw socket on eth0 from 203.0.113.9: Cannot assign requested"
                        + " address (EADDRNOTAVAIL, errno 99, bind(source 203.0.113.9))");
        assertThatThrownBy(() -> a.call(() -> RawVrrpTransport.openMulticast("nosuch0", a.ipv4())))
                .isInstanceOf(NativeException.class).hasMessageContaining("interface nosuch0 does not exist");
    }
}
