package io.havip.vrrp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.RouterId;
import io.havip.core.net.IpFamily;
import org.junit.jupiter.api.Test;

/**
 * One VRID per interface and family per process: the slot {@link LinuxPlatform} takes for a
 * router (no root needed; the namespace is this thread's).
 */
class VirtualRouterSlotTest {

    private static final RouterId FIRST = new RouterId("web", "eth0", 51, IpFamily.IPV4);

    @Test
    void aSecondRouterWithTheSameVridOnTheSameInterfaceAndFamilyIsRefusedNamingBoth() {
        try (SharedMonitors.Subscription slot = SharedMonitors.virtualRouter(FIRST)) {
            assertThatThrownBy(() -> SharedMonitors.virtualRouter(new RouterId("db", "eth0", 51, IpFamily.IPV4)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot start router db (VRID 51 IPv4 on eth0): router web (VRID 51 IPv4 on eth0) already"
                            + " runs in this process with the same VRID on the same interface and address family; the"
                            + " two would ignore each other's adverts as their own and both become MASTER. Give one a"
                            + " different VRID (keepalived: virtual_router_id), or close web first");
        }
    }

    @Test
    void anotherVridInterfaceOrFamilyIsAnotherVirtualRouter() {
        try (SharedMonitors.Subscription a = SharedMonitors.virtualRouter(FIRST);
             SharedMonitors.Subscription b = SharedMonitors.virtualRouter(new RouterId("b", "eth0", 52, IpFamily.IPV4));
             SharedMonitors.Subscription c = SharedMonitors.virtualRouter(new RouterId("c", "eth1", 51, IpFamily.IPV4));
             SharedMonitors.Subscription d = SharedMonitors.virtualRouter(new RouterId("d", "eth0", 51, IpFamily.IPV6))) {
            assertThat(a).isNotNull();
        }
    }

    @Test
    void closingFreesTheSlotOnceAndOnlyItsOwn() {
        SharedMonitors.Subscription first = SharedMonitors.virtualRouter(FIRST);
        first.close();
        SharedMonitors.Subscription again = SharedMonitors.virtualRouter(new RouterId("web2", "eth0", 51, IpFamily.IPV4));
        try {
            first.close(); // a second close must not free the slot now held by web2
            assertThatThrownBy(() -> SharedMonitors.virtualRouter(FIRST)).hasMessageContaining("router web2");
        } finally {
            again.close();
        }
        SharedMonitors.virtualRouter(FIRST).close();
    }
}
