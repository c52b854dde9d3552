package io.havip.vrrp.internal.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.RouterId;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One VRID per interface and family per process: the slot {@link LinuxPlatform} takes for a
 * router (no root needed; the namespace is this thread's).
 */
class VirtualRouterSlotTest {

    private static final RouterId FIRST = new RouterId("web", "eth0", 51, IpFamily.IPV4);
    private static final List<IpAddress> MULTICAST = List.of();
    private final LinuxShared shared = new LinuxShared("test");

    @Test
    void aSecondRouterWithTheSameVridOnTheSameInterfaceAndFamilyIsRefusedNamingBoth() {
        try (LinuxShared.Subscription slot = shared.virtualRouter(FIRST, MULTICAST)) {
            assertThatThrownBy(() -> shared.virtualRouter(new RouterId("db", "eth0", 51, IpFamily.IPV4), MULTICAST))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot start router db (VRID 51 IPv4 on eth0): router web (VRID 51 IPv4 on eth0) already"
                            + " runs on this runtime with the same VRID on the same interface and address family; the"
                            + " two would take each other's adverts for their own and both become MASTER. Give one a"
                            + " different VRID (keepalived: virtual_router_id), or close web first");
        }
    }

    @Test
    void anotherVridInterfaceOrFamilyIsAnotherVirtualRouter() {
        try (LinuxShared.Subscription a = shared.virtualRouter(FIRST, MULTICAST);
             LinuxShared.Subscription b = shared.virtualRouter(new RouterId("b", "eth0", 52, IpFamily.IPV4), MULTICAST);
             LinuxShared.Subscription c = shared.virtualRouter(new RouterId("c", "eth1", 51, IpFamily.IPV4), MULTICAST);
             LinuxShared.Subscription d = shared.virtualRouter(new RouterId("d", "eth0", 51, IpFamily.IPV6), MULTICAST)) {
            assertThat(a).isNotNull();
        }
    }

    @Test
    void closingFreesTheSlotOnceAndOnlyItsOwn() {
        LinuxShared.Subscription first = shared.virtualRouter(FIRST, MULTICAST);
        first.close();
        LinuxShared.Subscription again = shared.virtualRouter(new RouterId("web2", "eth0", 51, IpFamily.IPV4), MULTICAST);
        try {
            first.close(); // a second close must not free the slot now held by web2
            assertThatThrownBy(() -> shared.virtualRouter(FIRST, MULTICAST)).hasMessageContaining("router web2");
        } finally {
            again.close();
        }
        shared.virtualRouter(FIRST, MULTICAST).close();
    }

    @Test
    void unicastRoutersConflictOnlyWithACommonPeerAndNeverWithAMulticastOne() {
        IpAddress p1 = IpAddress.parse("198.51.100.12");
        IpAddress p2 = IpAddress.parse("198.51.100.13");
        try (LinuxShared.Subscription a = shared.virtualRouter(FIRST, List.of(p1));
             LinuxShared.Subscription b = shared.virtualRouter(new RouterId("b", "eth0", 51, IpFamily.IPV4),
                     List.of(p2));
             LinuxShared.Subscription c = shared.virtualRouter(new RouterId("c", "eth0", 51, IpFamily.IPV4),
                     MULTICAST)) {
            assertThatThrownBy(() -> shared.virtualRouter(new RouterId("d", "eth0", 51, IpFamily.IPV4),
                    List.of(p2, IpAddress.parse("198.51.100.14"))))
                    .hasMessageContaining("router b (VRID 51 IPv4 on eth0) already runs on this runtime with the same"
                            + " VRID on the same interface and address family and a unicast peer in common");
            assertThatThrownBy(() -> shared.virtualRouter(new RouterId("e", "eth0", 51, IpFamily.IPV4),
                    MULTICAST)).hasMessageContaining("router c");
        }
    }
}
