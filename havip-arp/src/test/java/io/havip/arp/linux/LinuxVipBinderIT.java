package io.havip.arp.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.arp.garp.GarpConfig;
import io.havip.arp.packet.GratuitousArp;
import io.havip.arp.testbed.Capture;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.Clock;
import io.havip.core.ManualClock;
import io.havip.core.VipBinder;
import io.havip.core.VipBinder.AddressOutcome;
import io.havip.core.VipBinder.AddressOutcome.Outcome;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestbedExtension.class)
class LinuxVipBinderIT {

    static final InterfaceAddress VIP4 = InterfaceAddress.parse("198.51.100.50/24");
    static final InterfaceAddress VIP6 = InterfaceAddress.parse("2001:db8::50/64");
    static final MacAddress STALE = MacAddress.parse("02:00:00:00:00:99");
    static final String ANNOUNCEMENTS = "arp or (icmp6 and ip6[40] == 136)";

    /** Polls the peer's neighbour table (a wait for a kernel state, not a timing assertion). */
    static Optional<MacAddress> awaitNeighbour(Node peer, IpAddress address, MacAddress expected) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Optional<MacAddress> seen = peer.neighbour(address);
        while (!seen.equals(Optional.of(expected)) && System.nanoTime() < end) {
            Thread.sleep(50);
            seen = peer.neighbour(address);
        }
        return seen;
    }

    @Test
    void bindAddsAnnouncesAndThePeersNeighbourTableFollows(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        // b believes the VIPs are elsewhere (an old master); Linux updates existing entries from GARP / NA with Override
        b.ip("neigh", "replace", "198.51.100.50", "lladdr", STALE.toString(), "dev", "eth0", "nud", "stale");
        b.ip("neigh", "replace", "2001:db8::50", "lladdr", STALE.toString(), "dev", "eth0", "nud", "stale");
        GarpConfig twoAtOnce = GarpConfig.keepalivedDefaults().withMasterRepeat(2).withMasterDelay(Duration.ZERO);
        try (Capture capture = Capture.start(b, ANNOUNCEMENTS, 4);
                LinuxVipBinder binder = a.call(() -> LinuxVipBinder.open(twoAtOnce, GratuitousArp.Form.REQUEST,
                        Clock.system()))) {
            List<AddressOutcome> bound = a.call(() -> binder.bind("eth0", List.of(VIP4, VIP6)));
            assertThat(bound).containsExactly(new AddressOutcome(VIP4, Outcome.ADDED),
                    new AddressOutcome(VIP6, Outcome.ADDED));
            assertThat(a.addressesJson()).contains("\"local\":\"198.51.100.50\",\"prefixlen\":24")
                    .contains("\"local\":\"2001:db8::50\",\"prefixlen\":64");

            assertThat(awaitNeighbour(b, VIP4.address(), a.mac())).contains(a.mac());
            assertThat(awaitNeighbour(b, VIP6.address(), a.mac())).contains(a.mac());

            capture.finish(10);
            assertThat(capture.fields("arp", List.of(), "arp.isgratuitous", "arp.opcode", "arp.src.hw_mac",
                    "arp.src.proto_ipv4", "arp.dst.proto_ipv4", "eth.dst", "frame.len"))
                    .as(capture.verbose())
                    .containsExactly(
                            List.of("1", "1", a.mac().toString(), "198.51.100.50", "198.51.100.50", "ff:ff:ff:ff:ff:ff", "60"),
                            List.of("1", "1", a.mac().toString(), "198.51.100.50", "198.51.100.50", "ff:ff:ff:ff:ff:ff", "60"));
            assertThat(capture.fields("icmpv6", List.of(), "icmpv6.type", "icmpv6.checksum.status", "ipv6.hlim", "ipv6.dst",
                    "eth.dst", "icmpv6.nd.na.flag.o", "icmpv6.nd.na.flag.s", "icmpv6.nd.na.target_address",
                    "icmpv6.opt.linkaddr"))
                    .as(capture.verbose())
                    .hasSize(2)
                    .allSatisfy(row -> assertThat(row).containsExactly("136", "1", "255", "ff02::1", "33:33:00:00:00:01",
                            "1", "0", "2001:db8::50", a.mac().toString()));
            assertThat(binder.announcementsSent("eth0", List.of(VIP4, VIP6)))
                    .as("the frames on the wire are counted (RouterStats.announcementsSent)").isGreaterThanOrEqualTo(4);

            List<AddressOutcome> again = a.call(() -> binder.bind("eth0", List.of(VIP4)));
            assertThat(again).containsExactly(new AddressOutcome(VIP4, Outcome.ALREADY_PRESENT));
            assertThat(a.call(() -> binder.present("eth0", List.of(VIP4, VIP6, InterfaceAddress.parse("203.0.113.9/24")))))
                    .containsExactly(VIP4, VIP6);

            List<AddressOutcome> unbound = a.call(() -> binder.unbind("eth0", List.of(VIP4, VIP6)));
            assertThat(unbound).containsExactly(new AddressOutcome(VIP4, Outcome.REMOVED),
                    new AddressOutcome(VIP6, Outcome.REMOVED));
            assertThat(binder.announcing("eth0")).isEmpty();
            assertThat(a.addressesJson()).doesNotContain("198.51.100.50").doesNotContain("2001:db8::50");
            assertThat(a.call(() -> binder.unbind("eth0", List.of(VIP4))))
                    .containsExactly(new AddressOutcome(VIP4, Outcome.ALREADY_ABSENT));
        }
    }

    @Test
    void keepalivedDefaultsSendFiveNowAndFiveAfterTheDelayLikeKeepalivedOnTakeover(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        ManualClock clock = Clock.manual(Instant.parse("2026-01-01T00:00:00Z"));
        try (Capture capture = Capture.start(b, "arp", 10);
                LinuxVipBinder binder = a.call(() -> LinuxVipBinder.open(GarpConfig.keepalivedDefaults(),
                        GratuitousArp.Form.REQUEST, clock))) {
            a.call(() -> binder.bind("eth0", List.of(VIP4)));
            clock.advance(Duration.ofMillis(4_999));
            binder.tick();
            clock.advance(Duration.ofMillis(1));
            binder.tick(); // garp_master_delay passed: the second burst
            capture.finish(10);
            // keepalived-garp-on-takeover.pcap from keepalived 2.2.7: 10 gratuitous requests, 5 + 5
            assertThat(capture.fields("arp.isgratuitous == 1", List.of(), "arp.src.proto_ipv4")).hasSize(10);
        }
    }

    /**
     * A master that yields right after out-announcing the new master's virtual MAC hands the
     * address back to it: the peer's entries follow the virtual MAC, while every frame comes
     * from a's own MAC (a switch keeps learning the virtual MAC at the new master's port).
     */
    @Test
    void announceAtPointsThePeerAtAnotherMacFromOurOwn(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        MacAddress virtual4 = MacAddress.parse("00:00:5e:00:01:33");
        MacAddress virtual6 = MacAddress.parse("00:00:5e:00:02:33");
        b.ip("neigh", "replace", "198.51.100.50", "lladdr", a.mac().toString(), "dev", "eth0", "nud", "stale");
        b.ip("neigh", "replace", "2001:db8::50", "lladdr", a.mac().toString(), "dev", "eth0", "nud", "stale");
        GarpConfig twoAtOnce = GarpConfig.keepalivedDefaults().withMasterRepeat(2);
        try (Capture capture = Capture.start(b, ANNOUNCEMENTS, 4);
                LinuxVipBinder binder = a.call(() -> LinuxVipBinder.open(twoAtOnce, GratuitousArp.Form.REQUEST,
                        Clock.system()))) {
            a.call(() -> {
                binder.announceAt("eth0", List.of(VIP4), virtual4);
                binder.announceAt("eth0", List.of(VIP6), virtual6);
                return null;
            });
            assertThat(awaitNeighbour(b, VIP4.address(), virtual4)).contains(virtual4);
            assertThat(awaitNeighbour(b, VIP6.address(), virtual6)).contains(virtual6);
            assertThat(a.addressesJson()).as("announced, not bound").doesNotContain("198.51.100.50")
                    .doesNotContain("2001:db8::50");
            capture.finish(10);
            assertThat(capture.fields("arp", List.of(), "eth.src", "arp.src.hw_mac", "arp.src.proto_ipv4"))
                    .as(capture.verbose()).hasSize(2)
                    .allSatisfy(row -> assertThat(row).containsExactly(a.mac().toString(), virtual4.toString(),
                            "198.51.100.50"));
            assertThat(capture.fields("icmpv6", List.of(), "eth.src", "icmpv6.checksum.status",
                    "icmpv6.nd.na.flag.o", "icmpv6.nd.na.target_address", "icmpv6.opt.linkaddr"))
                    .as(capture.verbose()).hasSize(2)
                    .allSatisfy(row -> assertThat(row).containsExactly(a.mac().toString(), "1", "1", "2001:db8::50",
                            virtual6.toString()));
        }
    }

    @Test
    void noArpInterfaceGetsTheAddressButNoAnnouncement(Testbed net) throws Exception {
        Node a = net.addNode("a");
        a.ip("link", "set", "eth0", "arp", "off");
        try (LinuxVipBinder binder = a.call(LinuxVipBinder::open)) {
            assertThat(a.call(() -> binder.bind("eth0", List.of(VIP4))))
                    .containsExactly(new AddressOutcome(VIP4, Outcome.ADDED));
            assertThat(binder.announcing("eth0")).isEmpty();
            assertThat(a.addressesJson()).contains("198.51.100.50");
        }
    }

    @Test
    void missingInterfaceIsABindExceptionNamingIt(Testbed net) throws Exception {
        Node a = net.addNode("a");
        try (LinuxVipBinder binder = a.call(LinuxVipBinder::open)) {
            assertThatThrownBy(() -> a.call(() -> binder.bind("nosuch0", List.of(VIP4))))
                    .isInstanceOf(VipBinder.BindException.class)
                    .hasMessage("cannot bind [198.51.100.50/24] on nosuch0: interface nosuch0 does not exist in this"
                            + " network namespace (see `ip link`)");
        }
    }

    /**
     * After the interface's MAC changed (bond failover, {@code ip link set address}), a re-announcement
     * goes out from the new MAC, not from the one the announcements were built with: the peer's
     * entries follow for IPv4 (gratuitous ARP) and IPv6 (NA with the target link-layer address).
     */
    @Test
    void reannounceAfterAMacChangeAnnouncesFromTheNewMac(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        MacAddress fresh = MacAddress.parse("02:00:5e:00:33:77");
        GarpConfig once = GarpConfig.keepalivedDefaults().withMasterRepeat(1).withMasterDelay(Duration.ZERO);
        try (LinuxVipBinder binder = a.call(() -> LinuxVipBinder.open(once, GratuitousArp.Form.REQUEST,
                Clock.system()))) {
            b.ip("neigh", "replace", "198.51.100.50", "lladdr", STALE.toString(), "dev", "eth0", "nud", "stale");
            b.ip("neigh", "replace", "2001:db8::50", "lladdr", STALE.toString(), "dev", "eth0", "nud", "stale");
            a.call(() -> binder.bind("eth0", List.of(VIP4, VIP6)));
            MacAddress old = a.mac();
            assertThat(awaitNeighbour(b, VIP4.address(), old)).contains(old);
            assertThat(awaitNeighbour(b, VIP6.address(), old)).contains(old);
            Thread.sleep(1_100); // the peer's ARP locktime (1 s): a newer claim may not override before it

            a.ip("link", "set", "dev", "eth0", "address", fresh.toString());
            a.run(() -> binder.reannounce("eth0", List.of(VIP4, VIP6)));
            assertThat(awaitNeighbour(b, VIP4.address(), fresh)).contains(fresh);
            assertThat(awaitNeighbour(b, VIP6.address(), fresh)).contains(fresh);
        }
    }

    /**
     * One binder shared by several routers, each through its own view: each view lists its own
     * addresses, closing one stops only its announcements and leaves the binder working for the
     * others; the owner's close ends every view.
     */
    @Test
    void routersShareOneBinderThroughViewsThatCloseOnlyTheirOwn(Testbed net) throws Exception {
        Node a = net.addNode("a");
        InterfaceAddress vip2 = InterfaceAddress.parse("198.51.100.51/24");
        try (LinuxVipBinder binder = a.call(LinuxVipBinder::open)) {
            LinuxVipBinder.RouterBinder first = binder.forRouter();
            LinuxVipBinder.RouterBinder second = binder.forRouter();
            a.run(() -> {
                first.prepare("eth0", List.of(VIP4, VIP6));
                second.prepare("eth0", List.of(vip2));
                first.bind("eth0", List.of(VIP4, VIP6));
                second.bind("eth0", List.of(vip2));
            });
            assertThat(first.announcing("eth0")).containsExactlyInAnyOrder(VIP4, VIP6);
            assertThat(second.announcing("eth0")).containsExactly(vip2);
            assertThat(binder.announcing("eth0")).containsExactlyInAnyOrder(VIP4, VIP6, vip2);

            first.close();
            first.close(); // idempotent
            assertThat(binder.announcing("eth0")).as("the closed router's announcements stop")
                    .containsExactly(vip2);
            assertThatThrownBy(() -> a.call(() -> first.bind("eth0", List.of(VIP4))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("view");
            assertThat(a.call(() -> second.unbind("eth0", List.of(vip2))))
                    .containsExactly(new AddressOutcome(vip2, Outcome.REMOVED));
            assertThat(a.call(() -> second.bind("eth0", List.of(vip2))))
                    .as("the binder stays open for the others")
                    .containsExactly(new AddressOutcome(vip2, Outcome.ADDED));

            binder.close();
            assertThatThrownBy(() -> a.call(() -> second.bind("eth0", List.of(vip2))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }

    /**
     * The binder keeps the interface's facts and follows link events: an interface deleted and
     * made again under the same name (a new index) is bound on the new one, and the announcement
     * leaves from the new interface; arp turned off is seen without a lookup.
     */
    @Test
    void theInterfaceFactsFollowLinkEvents(Testbed net) throws Exception {
        Node a = net.addNode("a");
        a.ip("link", "add", "vx0", "type", "veth", "peer", "name", "vx1");
        a.ip("link", "set", "vx0", "up");
        a.ip("link", "set", "vx1", "up");
        try (LinuxVipBinder binder = a.call(LinuxVipBinder::open)) {
            a.run(() -> binder.prepare("vx0", List.of(VIP4)));
            assertThat(a.call(() -> binder.bind("vx0", List.of(VIP4))))
                    .containsExactly(new AddressOutcome(VIP4, Outcome.ADDED));
            a.run(() -> binder.unbind("vx0", List.of(VIP4)));

            a.ip("link", "del", "vx0");
            a.ip("link", "add", "vx0", "type", "veth", "peer", "name", "vx1");
            a.ip("link", "set", "vx0", "up");
            a.ip("link", "set", "vx1", "up");
            try (Capture capture = Capture.start(a, "vx1", "arp", 1)) {
                assertThat(a.call(() -> binder.bind("vx0", List.of(VIP4))))
                        .containsExactly(new AddressOutcome(VIP4, Outcome.ADDED));
                assertThat(a.ip("-j", "addr", "show", "dev", "vx0")).contains("\"local\":\"198.51.100.50\"");
                capture.finish(10);
                assertThat(capture.fields("arp", List.of(), "arp.src.proto_ipv4")).as(capture.verbose())
                        .isNotEmpty();
            }
            a.run(() -> binder.unbind("vx0", List.of(VIP4)));

            a.ip("link", "set", "vx0", "arp", "off");
            a.run(() -> binder.bind("vx0", List.of(VIP4)));
            assertThat(binder.announcing("vx0")).as("IFF_NOARP seen from the link event").isEmpty();
        }
    }

    /** Routers binding and releasing their own addresses from their own threads at once, on one binder. */
    @Test
    void concurrentRoutersOnOneBinderKeepTheirAddressesApart(Testbed net) throws Exception {
        Node a = net.addNode("a");
        int routers = 6;
        int rounds = 20;
        try (LinuxVipBinder binder = a.call(LinuxVipBinder::open)) {
            List<Thread> threads = new java.util.ArrayList<>();
            java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            for (int r = 0; r < routers; r++) {
                InterfaceAddress vip = InterfaceAddress.parse("198.51.100." + (60 + r) + "/24");
                LinuxVipBinder.RouterBinder view = binder.forRouter();
                Thread t = new Thread(() -> {
                    try {
                        LinuxNetworking.enterNetworkNamespace(java.nio.file.Path.of("/run/netns", a.namespace()));
                        view.prepare("eth0", List.of(vip));
                        for (int i = 0; i < rounds; i++) {
                            assertThat(view.bind("eth0", List.of(vip)))
                                    .containsExactly(new AddressOutcome(vip, Outcome.ADDED));
                            assertThat(view.announcing("eth0")).containsExactly(vip);
                            assertThat(view.unbind("eth0", List.of(vip)))
                                    .containsExactly(new AddressOutcome(vip, Outcome.REMOVED));
                        }
                        view.bind("eth0", List.of(vip));
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join(30_000);
            }
            assertThat(failures).isEmpty();
            assertThat(binder.announcing("eth0")).hasSize(routers);
            for (int r = 0; r < routers; r++) {
                assertThat(a.addressesJson()).contains("\"local\":\"198.51.100." + (60 + r) + "\"");
            }
        }
    }
}
