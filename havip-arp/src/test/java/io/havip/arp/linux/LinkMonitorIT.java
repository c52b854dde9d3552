package io.havip.arp.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.MacAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestbedExtension.class)
class LinkMonitorIT {

    /** Generous bound for a kernel event to reach the listener; it normally takes well under 100 ms. */
    private static final int BOUND_SECONDS = 5;

    @Test
    void reportsCarrierLossAdminDownAndRemovalWithinABound(Testbed net) throws Exception {
        Node a = net.addNode("a");
        BlockingQueue<LinkEvent> events = new LinkedBlockingQueue<>();
        try (LinkMonitor monitor = a.call(() -> LinkMonitor.start(events::add))) {
            assertThat(monitor.snapshot()).extracting(LinkState::name).contains("lo", "eth0");

            net.bridgeIp("link", "set", a.bridgePort(), "down"); // eth0 loses carrier
            LinkEvent down = events.poll(BOUND_SECONDS, TimeUnit.SECONDS);
            assertThat(down).as("carrier loss within %d s", BOUND_SECONDS).isNotNull();
            assertThat(down.change()).isEqualTo(LinkEvent.Change.DOWN);
            assertThat(down.link().name()).isEqualTo("eth0");
            assertThat(down.link().isAdminUp()).isTrue();
            assertThat(down.link().hasCarrier()).isFalse();

            net.bridgeIp("link", "set", a.bridgePort(), "up");
            LinkEvent up = events.poll(BOUND_SECONDS, TimeUnit.SECONDS);
            assertThat(up).isNotNull();
            assertThat(up.change()).isEqualTo(LinkEvent.Change.UP);

            a.ip("link", "set", "eth0", "mtu", "1400"); // a change that is not about usability: not reported
            a.ip("link", "set", "eth0", "down");
            LinkEvent adminDown = events.poll(BOUND_SECONDS, TimeUnit.SECONDS);
            assertThat(adminDown.change()).isEqualTo(LinkEvent.Change.DOWN);
            assertThat(adminDown.link().isAdminUp()).isFalse();
            assertThat(adminDown.link().mtu()).isEqualTo(1400);

            a.ip("link", "del", "eth0");
            LinkEvent removed = events.poll(BOUND_SECONDS, TimeUnit.SECONDS);
            assertThat(removed.change()).isEqualTo(LinkEvent.Change.REMOVED);
            assertThat(removed.link().name()).isEqualTo("eth0");
            assertThat(events).isEmpty();
        }
    }

    @Test
    void closeStopsTheThreadAndNoMoreEventsArrive(Testbed net) throws Exception {
        Node a = net.addNode("a");
        BlockingQueue<LinkEvent> events = new LinkedBlockingQueue<>();
        LinkMonitor monitor = a.call(() -> LinkMonitor.start(events::add));
        monitor.close();
        monitor.close(); // idempotent
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .doesNotContain("havip-link-monitor");
        a.ip("link", "set", "eth0", "down");
        assertThat(events.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aThrowingListenerDoesNotStopTheMonitor(Testbed net) throws Exception {
        Node a = net.addNode("a");
        BlockingQueue<LinkEvent> events = new LinkedBlockingQueue<>();
        try (LinkMonitor ignored = a.call(() -> LinkMonitor.start(e -> {
            events.add(e);
            throw new IllegalStateException("listener bug");
        }))) {
            a.ip("link", "set", "eth0", "down");
            assertThat(events.poll(BOUND_SECONDS, TimeUnit.SECONDS)).isNotNull();
            a.ip("link", "set", "eth0", "up");
            assertThat(events.poll(BOUND_SECONDS, TimeUnit.SECONDS)).isNotNull();
        }
    }

    /** A {@link LinkMonitor.Listener} collecting everything. */
    private static final class Collector implements LinkMonitor.Listener {
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

        @Override
        public void linkChanged(LinkEvent event) {
            events.add(event);
        }

        @Override
        public void addressChanged(AddressEvent event) {
            events.add(event);
        }

        /** The next event that is not an IPv6 link-local address coming or going (the kernel's own). */
        Object next() throws InterruptedException {
            while (true) {
                Object e = events.poll(BOUND_SECONDS, TimeUnit.SECONDS);
                if (!(e instanceof AddressEvent a && a.entry().address().toString().startsWith("fe80:"))) {
                    return e;
                }
            }
        }
    }

    private static final InterfaceAddress VIP = InterfaceAddress.parse("198.51.100.50/24");

    @Test
    void aListenerHearsAddressesComeAndGoAndMacChangesButNotFlagChanges(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Collector c = new Collector();
        MacAddress fresh = MacAddress.parse("02:00:5e:00:33:77");
        try (LinkMonitor ignored = a.call(() -> LinkMonitor.start(c))) {
            a.ip("addr", "add", VIP.toString(), "dev", "eth0");
            assertThat(c.next()).isInstanceOfSatisfying(AddressEvent.class, e -> {
                assertThat(e.change()).isEqualTo(AddressEvent.Change.ADDED);
                assertThat(e.entry().address()).isEqualTo(VIP);
                assertThat(e.interfaceName()).isEqualTo("eth0");
            });
            a.ip("addr", "change", VIP.toString(), "dev", "eth0", "valid_lft", "forever"); // same address: no news
            a.ip("link", "set", "dev", "eth0", "address", fresh.toString());
            Object mac = c.next();
            assertThat(mac).isInstanceOfSatisfying(LinkEvent.class, e -> {
                assertThat(e.change()).isEqualTo(LinkEvent.Change.MAC_CHANGED);
                assertThat(e.link().mac()).isEqualTo(fresh);
            });
            a.ip("addr", "del", VIP.toString(), "dev", "eth0");
            assertThat(c.next()).isInstanceOfSatisfying(AddressEvent.class, e -> {
                assertThat(e.change()).isEqualTo(AddressEvent.Change.REMOVED);
                assertThat(e.entry().address()).isEqualTo(VIP);
                assertThat(e.interfaceName()).isEqualTo("eth0");
            });
        }
        // the plain listener hears neither addresses nor MAC changes
        BlockingQueue<LinkEvent> links = new LinkedBlockingQueue<>();
        try (LinkMonitor ignored = a.call(() -> LinkMonitor.start(links::add))) {
            a.ip("link", "set", "dev", "eth0", "address", "02:00:5e:00:33:78");
            a.ip("addr", "add", VIP.toString(), "dev", "eth0");
            assertThat(links.poll(300, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    /**
     * Events lost to a socket overrun (ENOBUFS) are made up for by a re-read: the address removed
     * while the monitor's socket was full is still reported. The listener blocks on the first
     * event while two thousand addresses are added, so the kernel drops the removal's event.
     */
    @Test
    void anAddressRemovedDuringAnOverrunIsReportedByTheReRead(Testbed net) throws Exception {
        Node a = net.addNode("a");
        CountDownLatch release = new CountDownLatch(1);
        BlockingQueue<AddressEvent> removed = new LinkedBlockingQueue<>();
        a.ip("addr", "add", VIP.toString(), "dev", "eth0");
        try (LinkMonitor ignored = a.call(() -> LinkMonitor.start(new LinkMonitor.Listener() {
            @Override
            public void linkChanged(LinkEvent event) {
            }

            @Override
            public void addressChanged(AddressEvent event) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (event.change() == AddressEvent.Change.REMOVED && event.entry().address().equals(VIP)) {
                    removed.add(event);
                }
            }
        }))) {
            Path batch = Files.createTempFile("havip-addrs-", ".batch");
            try {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= 2000; i++) {
                    b.append("addr add 2001:db8:17::").append(Integer.toHexString(i)).append("/128 dev eth0 nodad\n");
                }
                Files.writeString(batch, b);
                a.ip("-batch", batch.toString()); // the first event blocks the listener; the rest overrun the socket
            } finally {
                Files.deleteIfExists(batch);
            }
            a.ip("addr", "del", VIP.toString(), "dev", "eth0"); // its event is dropped: the socket is full
            release.countDown();
            AddressEvent e = removed.poll(BOUND_SECONDS * 2, TimeUnit.SECONDS);
            assertThat(e).as("the removal, found by the re-read after the overrun").isNotNull();
            assertThat(e.interfaceName()).isEqualTo("eth0");
        }
    }
}
