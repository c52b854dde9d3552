package io.havip.arp.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.packet.GratuitousArp;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.MacAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Another MAC claiming a watched address on the wire is reported; our own frames and other addresses are not. */
@ExtendWith(TestbedExtension.class)
class AddressConflictMonitorIT {

    static final Ipv4Address VIP = Ipv4Address.parse("198.51.100.50");
    static final Ipv4Address OTHER = Ipv4Address.parse("198.51.100.60");

    record Claim(IpAddress address, MacAddress mac) { }

    @Test
    void reportsAForeignClaimOfAWatchedAddressOnly(Testbed net) throws Exception {
        Node master = net.addNode("m");
        Node stale = net.addNode("s");
        List<Claim> claims = new CopyOnWriteArrayList<>();
        try (AddressConflictMonitor monitor = master.call(() -> AddressConflictMonitor.start("eth0",
                (a, mac) -> claims.add(new Claim(a, mac))));
                PacketSocket ours = master.call(() -> PacketSocket.open("eth0"));
                PacketSocket theirs = stale.call(() -> PacketSocket.open("eth0"))) {
            monitor.watch(VIP);
            // our own announcement, and a foreign claim of an address we don't hold: not conflicts
            ours.send(GratuitousArp.request(master.mac(), VIP).encode());
            theirs.send(GratuitousArp.request(stale.mac(), OTHER).encode());
            // the stale holder's kernel answering for the VIP (a reply) and its gratuitous request
            theirs.send(GratuitousArp.reply(stale.mac(), VIP).encode());
            theirs.send(GratuitousArp.request(stale.mac(), VIP).encode());

            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (claims.size() < 2 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            Thread.sleep(200); // anything wrongly reported would have arrived by now
            assertThat(claims).containsExactly(new Claim(VIP, stale.mac()), new Claim(VIP, stale.mac()));
            assertThat(monitor.conflictCount()).isEqualTo(2);

            monitor.unwatch(VIP);
            theirs.send(GratuitousArp.request(stale.mac(), VIP).encode());
            Thread.sleep(200);
            assertThat(claims).hasSize(2);

            // Several watched addresses: the kernel filter passes a claim of each of them.
            Ipv4Address third = Ipv4Address.parse("198.51.100.52");
            monitor.watch(OTHER);
            monitor.watch(third);
            monitor.watch(VIP);
            theirs.send(GratuitousArp.request(stale.mac(), third).encode());
            theirs.send(GratuitousArp.reply(stale.mac(), OTHER).encode());
            end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (claims.size() < 4 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(claims.subList(2, claims.size())).containsExactly(new Claim(third, stale.mac()),
                    new Claim(OTHER, stale.mac()));
        }
    }
    @Test
    void ipv6ReportsAForeignNeighborAdvertisementOfAWatchedAddressOnly(Testbed net) throws Exception {
        Node master = net.addNode("m");
        Node stale = net.addNode("s");
        io.havip.core.net.Ipv6Address vip = io.havip.core.net.Ipv6Address.parse("2001:db8::50");
        io.havip.core.net.Ipv6Address other = io.havip.core.net.Ipv6Address.parse("2001:db8::60");
        List<Claim> claims = new CopyOnWriteArrayList<>();
        try (AddressConflictMonitor monitor = master.call(() -> AddressConflictMonitor.start("eth0",
                io.havip.core.net.IpFamily.IPV6, (a, mac) -> claims.add(new Claim(a, mac))));
                PacketSocket ours = master.call(() -> PacketSocket.open("eth0"));
                PacketSocket theirs = stale.call(() -> PacketSocket.open("eth0"))) {
            monitor.watch(vip);
            // our own advertisement, and a foreign one for an address we don't hold: not conflicts
            ours.send(io.havip.arp.packet.NeighborAdvertisement.unsolicited(master.mac(), vip).encodeFrame());
            theirs.send(io.havip.arp.packet.NeighborAdvertisement.unsolicited(stale.mac(), other).encodeFrame());
            // the stale holder announcing the VIP
            theirs.send(io.havip.arp.packet.NeighborAdvertisement.unsolicited(stale.mac(), vip).encodeFrame());

            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (claims.isEmpty() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            Thread.sleep(200); // anything wrongly reported would have arrived by now
            assertThat(claims).containsExactly(new Claim(vip, stale.mac()));
            assertThat(monitor.malformedCount()).isZero();
        }
    }
}
