package io.havip.arp.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestbedExtension.class)
class InterfacesIT {

    @Test
    void ioctlAgreesWithNetlinkAndIp(Testbed net) throws Exception {
        Node a = net.addNode("a");
        a.ip("link", "set", "eth0", "mtu", "1400");
        InterfaceInfo info = a.call(() -> Interfaces.query("eth0"));
        LinkState link = a.call(() -> {
            try (RtNetlink nl = RtNetlink.open()) {
                return nl.link("eth0").orElseThrow();
            }
        });
        assertThat(info.index()).isEqualTo(link.index());
        assertThat(info.mac()).isEqualTo(a.mac());
        assertThat(info.mtu()).isEqualTo(1400);
        assertThat(info.isUp()).isTrue();
        assertThat(info.isRunning()).isTrue();
        assertThat(info.isMulticast()).isTrue();
        assertThat(info.isNoArp()).isFalse();
        a.ip("link", "set", "eth0", "arp", "off");
        assertThat(a.call(() -> Interfaces.query("eth0")).isNoArp()).isTrue();
        InterfaceInfo lo = a.call(() -> Interfaces.query("lo"));
        assertThat(lo.isLoopback()).isTrue();
        assertThat(lo.index()).isEqualTo(1);
    }

    @Test
    void missingInterfaceNamesItself(Testbed net) throws Exception {
        Node a = net.addNode("a");
        assertThatThrownBy(() -> a.call(() -> Interfaces.query("nosuch0")))
                .isInstanceOf(NativeException.class)
                .hasMessage("cannot read interface nosuch0: No such device (ENODEV, errno 19, ioctl(SIOCGIFINDEX)) —"
                        + " interface nosuch0 does not exist in this network namespace (see `ip link`)");
        assertThatThrownBy(() -> Interfaces.query("a/b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid interface name");
        assertThatThrownBy(() -> Interfaces.query("sixteen-chars-xx")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 15 bytes");
    }
}
