package io.havip.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.garp.GarpConfig;
import io.havip.arp.linux.LinuxVipBinder;
import io.havip.arp.packet.GratuitousArp;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.Clock;
import io.havip.core.ManualClock;
import io.havip.core.cloud.ArpAnnouncement;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestbedExtension.class)
class ArpAnnouncementListenerIT {

    @Test
    void hearsTheGratuitousArpAndNaOfABindButNotOrdinaryRequests(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node fabric = net.addNode("fabric");
        ManualClock clock = Clock.manual(Instant.parse("2026-01-01T00:00:00Z"));
        BlockingQueue<ArpAnnouncement> heard = new LinkedBlockingQueue<>();
        GarpConfig once = GarpConfig.keepalivedDefaults().withMasterRepeat(1).withMasterDelay(Duration.ZERO);
        try (ArpAnnouncementListener listener = fabric.call(() -> ArpAnnouncementListener.start("eth0", "subnet-1",
                heard::add, clock));
                LinuxVipBinder binder = a.call(() -> LinuxVipBinder.open(once, GratuitousArp.Form.REPLY, clock))) {
            a.exec("ping", "-c", "1", "-W", "1", "198.51.100.99"); // an ordinary ARP request: not an announcement
            a.call(() -> binder.bind("eth0", List.of(InterfaceAddress.parse("198.51.100.50/24"),
                    InterfaceAddress.parse("2001:db8::50/64"))));
            ArpAnnouncement v4 = heard.poll(5, TimeUnit.SECONDS);
            ArpAnnouncement v6 = heard.poll(5, TimeUnit.SECONDS);
            assertThat(List.of(v4, v6)).containsExactlyInAnyOrder(
                    new ArpAnnouncement(IpAddress.parse("198.51.100.50"), a.mac(), "subnet-1", clock.instant()),
                    new ArpAnnouncement(IpAddress.parse("2001:db8::50"), a.mac(), "subnet-1", clock.instant()));
            assertThat(heard.poll(300, TimeUnit.MILLISECONDS)).isNull();
            assertThat(listener.malformedCount()).isZero();
        }
    }

    /** FabricDemo's SIGTERM hung here: libpcap's read in immediate mode waits for a frame that never comes. */
    @Test
    void closesOnASegmentWhereNothingIsSent(Testbed net) throws Exception {
        Node fabric = net.addNode("fabric");
        ArpAnnouncementListener listener = fabric.call(() -> ArpAnnouncementListener.start("eth0", "subnet-1", a -> { },
                Clock.system()));
        Thread.sleep(300); // the capture thread is in its read
        long start = System.nanoTime();
        Thread closing = new Thread(listener::close, "closes-the-listener");
        closing.setDaemon(true);
        closing.start();
        closing.join(10_000);
        assertThat(closing.isAlive()).as("close() still waiting after 10 s").isFalse();
        System.out.printf("ArpAnnouncementListenerIT: closed an idle capture in %d ms%n",
                (System.nanoTime() - start) / 1_000_000);
    }
}
