package io.havip.vrrp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.vrrp.internal.linux.VirtualMacPlatform;
import org.junit.jupiter.api.Test;

/** The builder's virtual MAC options refuse what cannot work, naming the field. */
class VirtualMacBuilderTest {

    private static Havip.Builder router() {
        return Havip.builder().interfaceName("eth0").vrid(51).virtualAddress("198.51.100.50/24");
    }

    @Test
    void transmitBaseNeedsTheVirtualMac() {
        assertThatThrownBy(() -> router().virtualMacTransmitBase(true).build())
                .hasMessage("virtualMacTransmitBase needs useVirtualMac(true) (keepalived: vmac_xmit_base is only valid"
                        + " with use_vmac)");
        assertThat(router().useVirtualMac(true).virtualMacTransmitBase(true).virtualMac())
                .isEqualTo(new VirtualMacPlatform.Spec(null, true));
        assertThat(router().virtualMac()).isNull();
    }

    @Test
    void namesAreChecked() {
        assertThatThrownBy(() -> router().virtualMacInterface("vrrp-sixteen-chr").build())
                .hasMessage("virtualMacInterface: the name \"vrrp-sixteen-chr\" is 16 bytes long; interface names are at"
                        + " most 15 (IFNAMSIZ - 1)");
        assertThatThrownBy(() -> router().virtualMacInterface("eth0").build())
                .hasMessageContaining("virtualMacInterface eth0 is the router's own interface").hasMessageContaining(
                        "default vrrp.51");
        assertThatThrownBy(() -> router().virtualMacInterface(null)).hasMessage("virtualMacInterface is null");
        assertThat(router().virtualMacInterface("vmac51").virtualMac()).isEqualTo(new VirtualMacPlatform.Spec("vmac51",
                false));
    }

    @Test
    void needsTheLinuxBinderAndTransport() {
        io.havip.core.VipBinder mine = new io.havip.core.VipBinder() {
            @Override
            public java.util.List<AddressOutcome> bind(String i, java.util.List<io.havip.core.net.InterfaceAddress> a) {
                return java.util.List.of();
            }

            @Override
            public java.util.List<AddressOutcome> unbind(String i, java.util.List<io.havip.core.net.InterfaceAddress> a) {
                return java.util.List.of();
            }

            @Override
            public java.util.Set<io.havip.core.net.InterfaceAddress> present(String i,
                    java.util.List<io.havip.core.net.InterfaceAddress> a) {
                return java.util.Set.of();
            }
        };
        assertThatThrownBy(() -> router().useVirtualMac(true).binder(mine).build())
                .hasMessageContaining("useVirtualMac needs havip's Linux binder and transport");
    }
}
