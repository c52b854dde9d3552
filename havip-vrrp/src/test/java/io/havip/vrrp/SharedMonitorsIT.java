package io.havip.vrrp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.arp.linux.PacketSocket;
import io.havip.arp.packet.GratuitousArp;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.RouterState;
import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv4Address;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Routers in one JVM share the link monitor of their namespace and the ARP conflict monitor
 * of their interface, and each still gets exactly its own events. Routers run in this JVM,
 * started on threads inside the nodes' namespaces.
 */
@ExtendWith(TestbedExtension.class)
class SharedMonitorsIT {

    private static VirtualRouter router(String name, int vrid, String vip) {
        return Havip.builder().name(name).interfaceName("eth0").vrid(vrid).priority(100)
                .advertInterval(Duration.ofMillis(100)).virtualAddress(vip).start();
    }

    @Test
    void routersOfOneNamespaceShareTheMonitorsAndEachHearsOnlyItsOwnConflicts(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        int before = HavipRuntime.shared().linux().running();
        VirtualRouter r1 = a.call(() -> router("r1", 51, "198.51.100.50/24"));
        VirtualRouter r2 = a.call(() -> router("r2", 52, "198.51.100.60/24"));
        VirtualRouter r3 = b.call(() -> router("r3", 53, "198.51.100.70/24"));
        try {
            assertThat(HavipRuntime.shared().linux().running() - before).as("per namespace one link monitor, one ARP monitor on eth0")
                    .isEqualTo(4);
            for (VirtualRouter r : new VirtualRouter[] {r1, r2, r3}) {
                assertThat(r.awaitState(RouterState.MASTER, Duration.ofSeconds(10))).as("%s", r).isTrue();
            }
            // b claims r2's address: r2 (master of it) hears the conflict, r1 on the same monitor does not.
            try (PacketSocket theirs = b.call(() -> PacketSocket.open("eth0"))) {
                theirs.send(GratuitousArp.request(b.mac(), Ipv4Address.parse("198.51.100.60")).encode());
                long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (r2.stats().addressConflicts() == 0 && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
            }
            assertThat(r2.stats().addressConflicts()).isEqualTo(1);
            assertThat(r1.stats().addressConflicts()).isZero();

            r1.close();
            assertThat(HavipRuntime.shared().linux().running() - before).as("r2 still uses a's monitors").isEqualTo(4);
            r2.close();
            assertThat(HavipRuntime.shared().linux().running() - before).as("a's monitors stopped with its last router").isEqualTo(2);
        } finally {
            r1.close();
            r2.close();
            r3.close();
        }
        assertThat(HavipRuntime.shared().linux().running()).isEqualTo(before);
    }

    /**
     * Two routers of one JVM with the same VRID on the same interface and family would both become
     * MASTER (each takes the other's adverts for its own, looped back): the second is refused at
     * start, naming both, and leaves nothing behind; closing the first frees the VRID. The same
     * VRID in another namespace is simply the peer.
     */
    @Test
    void aSecondRouterWithTheSameVridOnOneInterfaceIsRefusedUntilTheFirstCloses(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        int before = HavipRuntime.shared().linux().running();
        VirtualRouter first = a.call(() -> router("first", 51, "198.51.100.50/24"));
        VirtualRouter peer = b.call(() -> Havip.builder().name("peer").interfaceName("eth0").vrid(51).priority(50)
                .advertInterval(Duration.ofMillis(100)).virtualAddress("198.51.100.50/24").start());
        VirtualRouter later = null;
        try {
            assertThat(first.awaitState(RouterState.MASTER, Duration.ofSeconds(10))).isTrue();
            assertThat(peer.awaitState(RouterState.BACKUP, Duration.ofSeconds(10))).as("same VRID, other host").isTrue();
            assertThatThrownBy(() -> a.call(() -> router("second", 51, "198.51.100.60/24")))
                    .hasMessageContaining("cannot start router second (VRID 51 IPv4 on eth0): router first (VRID 51 IPv4"
                            + " on eth0) already runs on this runtime");
            assertThat(HavipRuntime.shared().linux().running() - before).as("the refused router left no monitor").isEqualTo(4);
            assertThat(io.havip.vrrp.it.VipChecks.holds(a, IpAddress.parse("198.51.100.60"))).isFalse();
            assertThat(first.state()).isEqualTo(RouterState.MASTER);

            first.close();
            later = a.call(() -> router("second", 51, "198.51.100.50/24"));
            assertThat(later.awaitState(RouterState.MASTER, Duration.ofSeconds(10))).as("the VRID is free again")
                    .isTrue();
        } finally {
            first.close();
            peer.close();
            if (later != null) {
                later.close();
            }
        }
        assertThat(HavipRuntime.shared().linux().running()).isEqualTo(before);
    }
}
