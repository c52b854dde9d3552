package io.havip.arp.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import java.util.concurrent.BlockingQueue;
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
}
