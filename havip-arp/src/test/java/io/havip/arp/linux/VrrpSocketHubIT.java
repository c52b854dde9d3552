package io.havip.arp.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.arp.testbed.VrrpTestPackets;
import io.havip.core.AdvertTransport.Received;
import io.havip.core.net.IpAddress;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link VrrpSocketHub} in namespaces: sockets shared per interface and family (counted in
 * /proc/self/fd), one thread, each endpoint getting exactly what its own raw socket would
 * have, the kernel filter keeping foreign VRIDs and oversized datagrams out of user space,
 * endpoints closing one by one, and namespaces kept apart.
 */
@ExtendWith(TestbedExtension.class)
class VrrpSocketHubIT {

    static final IpAddress GROUP4 = VrrpReceiveSocket.GROUP_V4;
    static final IpAddress GROUP6 = VrrpReceiveSocket.GROUP_V6;
    static final IpAddress VIP4 = IpAddress.parse("198.51.100.50");
    static final IpAddress VIP6 = IpAddress.parse("2001:db8::50");

    /** What one endpoint's sink got. */
    static final class Inbox implements VrrpSocketHub.Sink {
        final List<Received> got = new CopyOnWriteArrayList<>();

        @Override
        public void received(Received message) {
            got.add(message);
        }

        /** (VRID, destination) of each message, in order. */
        List<String> seen() {
            return got.stream().map(r -> (r.payload()[1] & 0xff) + "->" + r.destination()).toList();
        }
    }

    /** Open sockets of this JVM (each of the hub's is one). */
    static long sockets() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException e) {
                    return false; // closed while listed
                }
            }).count();
        }
    }

    /** Waits up to 5 s for the receive thread to close what it polled. */
    static void awaitSockets(long count) throws InterruptedException {
        await(() -> {
            try {
                return sockets() == count;
            } catch (IOException e) {
                return false;
            }
        });
    }

    static long threadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).count();
    }

    /** Waits up to 5 s for a kernel or thread state (not a timing assertion). */
    static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }

    static byte[] advert(IpAddress from, IpAddress to, int vrid) {
        return VrrpTestPackets.v3Advert(from, to, vrid, 100, 100, from.family() == VIP4.family() ? VIP4 : VIP6);
    }

    @Test
    void manyRoutersShareOneReceiveSocketPerInterfaceAndFamilyAndEachGetsOnlyItsOwn(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        IpAddress source1 = IpAddress.parse("198.51.100.61");
        IpAddress source2 = IpAddress.parse("198.51.100.62");
        a.ip("addr", "add", source1 + "/24", "dev", "eth0");
        a.ip("addr", "add", source2 + "/24", "dev", "eth0");
        IpAddress aLinkLocal = RawVrrpTransportIT.linkLocal(a);
        IpAddress bLinkLocal = RawVrrpTransportIT.linkLocal(b);
        String name = "hub-" + net.suffix();
        try (VrrpSocketHub hub = VrrpSocketHub.open(name);
                RawVrrpTransport b4 = b.call(() -> RawVrrpTransport.openMulticast("eth0", b.ipv4()));
                RawVrrpTransport b6 = b.call(() -> RawVrrpTransport.openMulticast("eth0", bLinkLocal))) {
            long before = sockets();
            Map<Integer, Inbox> multicast4 = new HashMap<>();
            Map<Integer, Inbox> multicast6 = new HashMap<>();
            Inbox unicast1 = new Inbox();
            Inbox unicast2 = new Inbox();
            Inbox unicastOnly = new Inbox();
            List<VrrpSocketHub.Endpoint> endpoints = new ArrayList<>();
            a.run(() -> {
                for (int vrid = 1; vrid <= 100; vrid++) {
                    Inbox in4 = new Inbox();
                    Inbox in6 = new Inbox();
                    multicast4.put(vrid, in4);
                    multicast6.put(vrid, in6);
                    endpoints.add(hub.registerMulticast("eth0", a.ipv4(), vrid, in4));
                    endpoints.add(hub.registerMulticast("eth0", aLinkLocal, vrid, in6));
                }
                // unicast routers sharing VRID 7 with a multicast one and with each other, and one alone on 150
                endpoints.add(hub.registerUnicast("eth0", source1, 7, unicast1));
                endpoints.add(hub.registerUnicast("eth0", source2, 7, unicast2));
                endpoints.add(hub.registerUnicast("eth0", source1, 150, unicastOnly));
            });
            assertThat(hub.receiveSocketCount()).as("one per interface and family").isEqualTo(2);
            assertThat(hub.sendSocketCount()).as("one per source address").isEqualTo(4);
            assertThat(sockets() - before).as("sockets of 203 endpoints").isEqualTo(6);
            assertThat(threadsNamed(name)).isEqualTo(1);

            for (int vrid = 1; vrid <= 100; vrid++) {
                b4.send(GROUP4, advert(b.ipv4(), GROUP4, vrid));
                b6.send(GROUP6, advert(bLinkLocal, GROUP6, vrid));
            }
            b4.send(source1, advert(b.ipv4(), source1, 7));
            b4.send(source2, advert(b.ipv4(), source2, 7));
            b4.send(source1, advert(b.ipv4(), source1, 150));
            b4.send(source2, advert(b.ipv4(), source2, 150)); // nobody: no router sends from source2 on 150
            b4.send(GROUP4, advert(b.ipv4(), GROUP4, 150)); // nobody: no multicast router on 150
            await(() -> hub.unmatchedCount() >= 2 && unicastOnly.got.size() >= 1
                    && multicast4.values().stream().allMatch(i -> !i.got.isEmpty())
                    && multicast6.values().stream().allMatch(i -> !i.got.isEmpty()));
            Thread.sleep(200); // anything delivered twice or to the wrong endpoint arrives with the rest

            for (int vrid = 1; vrid <= 100; vrid++) {
                List<String> expected4 = vrid == 7 ? List.of("7->" + GROUP4, "7->" + source1, "7->" + source2)
                        : List.of(vrid + "->" + GROUP4);
                assertThat(multicast4.get(vrid).seen()).as("IPv4 multicast VRID %d", vrid).isEqualTo(expected4);
                assertThat(multicast6.get(vrid).seen()).as("IPv6 multicast VRID %d", vrid)
                        .isEqualTo(List.of(vrid + "->" + GROUP6));
            }
            Received first = multicast6.get(1).got.get(0);
            assertThat(first.source()).isEqualTo(bLinkLocal);
            assertThat(first.ttl()).isEqualTo(255);
            assertThat(first.interfaceName()).isEqualTo("eth0");
            assertThat(unicast1.seen()).isEqualTo(List.of("7->" + source1));
            assertThat(unicast2.seen()).isEqualTo(List.of("7->" + source2));
            assertThat(unicastOnly.seen()).isEqualTo(List.of("150->" + source1));
            assertThat(unicast1.got.get(0)).isEqualTo(new Received(b.ipv4(), source1, 255, "eth0",
                    advert(b.ipv4(), source1, 7)));
            assertThat(hub.unmatchedCount()).isEqualTo(2);
            assertThat(hub.droppedCount()).isZero();

            // and each endpoint sends from its own source on the shared send sockets
            try (RawVrrpTransport listen = b.call(() -> RawVrrpTransport.openUnicast("eth0", b.ipv4()))) {
                endpoints.get(endpoints.size() - 2).send(b.ipv4(), advert(source2, b.ipv4(), 7));
                endpoints.get(12).send(b.ipv4(), advert(a.ipv4(), b.ipv4(), 7));
                Received r1 = listen.receive(java.time.Duration.ofSeconds(5));
                Received r2 = listen.receive(java.time.Duration.ofSeconds(5));
                assertThat(List.of(r1.source(), r2.source())).containsExactly(source2, a.ipv4());
                assertThat(r1.ttl()).isEqualTo(255);
            }
            endpoints.forEach(VrrpSocketHub.Endpoint::close);
            awaitSockets(before);
            assertThat(sockets()).as("the last close frees the sockets").isEqualTo(before);
            assertThat(hub.receiveSocketCount()).isZero();
            assertThat(hub.sendSocketCount()).isZero();
        }
        assertThat(threadsNamed(name)).as("close stops the thread").isZero();
    }

    /**
     * A flood of foreign VRIDs and of datagrams longer than any VRRP message is dropped by the
     * kernel filter: the hub reads only the one advert of its routers (a hub without the filter
     * would read all 3,201).
     */
    @Test
    void foreignVridsAndOversizedDatagramsNeverReachUserSpace(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        try (VrrpSocketHub hub = VrrpSocketHub.open("hub-" + net.suffix());
                RawVrrpTransport flood = b.call(() -> RawVrrpTransport.openMulticast("eth0", b.ipv4()))) {
            Inbox mine = new Inbox();
            List<VrrpSocketHub.Endpoint> endpoints = a.call(() -> List.of(
                    hub.registerMulticast("eth0", a.ipv4(), 1, mine),
                    hub.registerMulticast("eth0", a.ipv4(), 2, new Inbox()),
                    hub.registerMulticast("eth0", a.ipv4(), 3, new Inbox())));
            byte[] foreign = advert(b.ipv4(), GROUP4, 200);
            for (int i = 0; i < 3_000; i++) {
                flood.send(GROUP4, foreign);
            }
            byte[] oversized = new byte[5_000];
            System.arraycopy(advert(b.ipv4(), GROUP4, 1), 0, oversized, 0, 8);
            for (int i = 0; i < 200; i++) {
                flood.send(GROUP4, oversized);
            }
            flood.send(GROUP4, advert(b.ipv4(), GROUP4, 1));
            await(() -> !mine.got.isEmpty());
            Thread.sleep(200);
            assertThat(mine.seen()).isEqualTo(List.of("1->" + GROUP4));
            assertThat(hub.readCount()).as("datagrams that reached user space").isEqualTo(1);
            assertThat(hub.droppedCount()).isZero();
            assertThat(endpoints.get(0).overflowDrops()).isZero();
        }
    }

    @Test
    void closingOneEndpointLeavesTheOthersAndAThrowingSinkDoesNotStopTheHub(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        String name = "hub-" + net.suffix();
        VrrpSocketHub hub = VrrpSocketHub.open(name);
        try (RawVrrpTransport peer = b.call(() -> RawVrrpTransport.openMulticast("eth0", b.ipv4()))) {
            long before = sockets();
            Inbox ten = new Inbox();
            Inbox eleven = new Inbox();
            VrrpSocketHub.Endpoint e10 = a.call(() -> hub.registerMulticast("eth0", a.ipv4(), 10, ten));
            VrrpSocketHub.Endpoint e11 = a.call(() -> hub.registerMulticast("eth0", a.ipv4(), 11, eleven));
            VrrpSocketHub.Endpoint e12 = a.call(() -> hub.registerMulticast("eth0", a.ipv4(), 12, m -> {
                throw new IllegalStateException("a sink that fails");
            }));
            peer.send(GROUP4, advert(b.ipv4(), GROUP4, 12));
            peer.send(GROUP4, advert(b.ipv4(), GROUP4, 10));
            await(() -> !ten.got.isEmpty());
            assertThat(ten.seen()).as("after a sink threw").isEqualTo(List.of("10->" + GROUP4));

            e10.close();
            e10.close(); // idempotent
            e12.close();
            long read = hub.readCount();
            peer.send(GROUP4, advert(b.ipv4(), GROUP4, 10));
            peer.send(GROUP4, advert(b.ipv4(), GROUP4, 11));
            await(() -> !eleven.got.isEmpty());
            Thread.sleep(100);
            assertThat(eleven.seen()).isEqualTo(List.of("11->" + GROUP4));
            assertThat(ten.seen()).as("nothing after close").hasSize(1);
            assertThat(hub.readCount() - read).as("VRID 10 left the kernel filter").isEqualTo(1);
            assertThatThrownBy(() -> e10.send(GROUP4, advert(a.ipv4(), GROUP4, 10)))
                    .isInstanceOf(ClosedChannelException.class);
            e11.send(GROUP4, advert(a.ipv4(), GROUP4, 11)); // the shared send socket is still open
            assertThat(hub.receiveSocketCount()).isEqualTo(1);

            e11.close();
            awaitSockets(before);
            assertThat(sockets()).as("the last close frees the sockets").isEqualTo(before);
            assertThatThrownBy(() -> e11.send(GROUP4, advert(a.ipv4(), GROUP4, 11)))
                    .isInstanceOf(ClosedChannelException.class);

            // a new registration after the last close opens sockets again
            Inbox again = new Inbox();
            VrrpSocketHub.Endpoint e13 = a.call(() -> hub.registerMulticast("eth0", a.ipv4(), 13, again));
            peer.send(GROUP4, advert(b.ipv4(), GROUP4, 13));
            await(() -> !again.got.isEmpty());
            assertThat(again.seen()).isEqualTo(List.of("13->" + GROUP4));

            hub.close();
            hub.close(); // idempotent
            assertThat(sockets()).as("hub close frees every socket").isEqualTo(before);
            assertThat(threadsNamed(name)).isZero();
            assertThatThrownBy(() -> e13.send(GROUP4, advert(a.ipv4(), GROUP4, 13)))
                    .isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> a.call(() -> hub.registerMulticast("eth0", a.ipv4(), 14, new Inbox())))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
        } finally {
            hub.close();
        }
    }

    /**
     * Two namespaces with the same interface name and VRID get a socket each: a unicast advert
     * to a's address reaches a's router only. Sharing by interface name alone would hand it to
     * c's router too, from a's socket.
     */
    @Test
    void endpointsOfDifferentNamespacesNeverShareASocket(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        Node c = net.addNode("c");
        try (VrrpSocketHub hub = VrrpSocketHub.open("hub-" + net.suffix());
                RawVrrpTransport peer = b.call(() -> RawVrrpTransport.openMulticast("eth0", b.ipv4()))) {
            Inbox inA = new Inbox();
            Inbox inC = new Inbox();
            a.call(() -> hub.registerMulticast("eth0", a.ipv4(), 5, inA));
            c.call(() -> hub.registerMulticast("eth0", c.ipv4(), 5, inC));
            assertThat(hub.receiveSocketCount()).isEqualTo(2);
            peer.send(a.ipv4(), advert(b.ipv4(), a.ipv4(), 5));
            peer.send(GROUP4, advert(b.ipv4(), GROUP4, 5));
            await(() -> inA.got.size() >= 2 && !inC.got.isEmpty());
            assertThat(inA.seen()).isEqualTo(List.of("5->" + a.ipv4(), "5->" + GROUP4));
            assertThat(inC.seen()).isEqualTo(List.of("5->" + GROUP4));
        }
    }

    @Test
    void badArgumentsAndAMissingInterfaceAreRefusedWithTheirReason(Testbed net) throws Exception {
        Node a = net.addNode("a");
        try (VrrpSocketHub hub = VrrpSocketHub.open("hub-" + net.suffix())) {
            assertThatThrownBy(() -> a.call(() -> hub.registerMulticast("eth0", a.ipv4(), 0, new Inbox())))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("VRID 0 is outside 1-255");
            assertThatThrownBy(() -> a.call(() -> hub.registerMulticast("nosuch0", a.ipv4(), 1, new Inbox())))
                    .isInstanceOf(NativeException.class).hasMessageContaining("nosuch0");
            assertThat(hub.receiveSocketCount()).isZero();
            assertThat(hub.sendSocketCount()).isZero();
        }
    }

    /**
     * A hub driven by its owner's thread (the runtime's event loop): no thread of its own, the
     * messages reach the sinks on the thread calling pollOnce, a wait ends at its timeout or at
     * wakeup from another thread, and once closed pollOnce returns at once. A flood beyond one
     * round's budget is read over several rounds, each returning without waiting, so the
     * caller's own work runs in between.
     */
    @Test
    void aDrivenHubDeliversOnTheCallersThreadAndWakesForWakeupAndTimeout(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        String name = "driven-" + net.suffix();
        VrrpSocketHub hub = VrrpSocketHub.open(name + "-own");
        try {
            assertThatThrownBy(() -> hub.pollOnce(0)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("reads on its own thread");
        } finally {
            hub.close();
        }
        try (VrrpSocketHub driven = VrrpSocketHub.openDriven(name);
                RawVrrpTransport b4 = b.call(() -> RawVrrpTransport.openMulticast("eth0", b.ipv4()))) {
            assertThat(threadsNamed(name)).isZero();
            List<Thread> threads = new CopyOnWriteArrayList<>();
            Inbox inbox = new Inbox();
            VrrpSocketHub.Endpoint e = a.call(() -> driven.registerMulticast("eth0", a.ipv4(), 9, message -> {
                threads.add(Thread.currentThread());
                inbox.received(message);
            }));

            // a timeout with nothing to read: waits about that long (not less), nothing delivered
            driven.pollOnce(30_000_000L); // may end early: the registration's wake-up
            long t0 = System.nanoTime();
            driven.pollOnce(30_000_000L);
            long waited = System.nanoTime() - t0;
            assertThat(waited).as("waited for the timeout").isGreaterThanOrEqualTo(25_000_000L);
            assertThat(inbox.got).isEmpty();

            // wakeup from another thread cuts a wait short
            Thread waker = new Thread(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ignored) {
                    return;
                }
                driven.wakeup();
            });
            waker.start();
            t0 = System.nanoTime();
            driven.pollOnce(20_000_000_000L); // 20 s: a lost wake-up fails here instead of hanging
            assertThat(System.nanoTime() - t0).as("woken by wakeup, not by the timeout").isLessThan(5_000_000_000L);
            waker.join();

            // 200 adverts: delivered on this thread, in order, over rounds of at most BUDGET
            for (int i = 0; i < 200; i++) {
                b4.send(GROUP4, advert(b.ipv4(), GROUP4, 9));
            }
            int rounds = 0;
            long end = System.nanoTime() + 5_000_000_000L;
            while (inbox.got.size() < 200 && System.nanoTime() < end) {
                int before = inbox.got.size();
                driven.pollOnce(100_000_000L);
                assertThat(inbox.got.size() - before).as("one round reads at most the budget")
                        .isLessThanOrEqualTo(VrrpSocketHub.BUDGET);
                rounds++;
            }
            assertThat(inbox.got).hasSize(200);
            assertThat(rounds).isGreaterThanOrEqualTo(200 / VrrpSocketHub.BUDGET);
            assertThat(threads).allMatch(t -> t == Thread.currentThread());
            e.close();
        }
    }
}
