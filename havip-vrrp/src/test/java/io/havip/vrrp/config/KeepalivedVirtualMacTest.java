package io.havip.vrrp.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.vrrp.keepalived.KeepalivedRouters;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keepalived's {@code use_vmac [NAME] [MAC]} and {@code vmac_xmit_base} as the reader and the mapping take them. */
class KeepalivedVirtualMacTest {

    @TempDir
    Path dir;

    private KeepalivedConfig read(String body) {
        return KeepalivedConfigReader.parse("vrrp_instance VI {\n interface eth0\n virtual_router_id 51\n"
                + " virtual_ipaddress {\n  198.51.100.50\n }\n" + body + "}\n", dir.resolve("keepalived.conf"));
    }

    @Test
    void useVmacWithAndWithoutName() {
        VirtualMacConfig v = read(" use_vmac\n").instances().get(0).virtualMac().orElseThrow();
        assertThat(v.interfaceName()).isEmpty();
        assertThat(v.transmitBase()).isFalse();
        assertThat(v.location().line()).isEqualTo(7);
        VirtualMacConfig named = read(" use_vmac vmac51\n vmac_xmit_base\n").instances().get(0).virtualMac().orElseThrow();
        assertThat(named.interfaceName()).contains("vmac51");
        assertThat(named.transmitBase()).isTrue();
        assertThat(read("").instances().get(0).virtualMac()).isEmpty();
        assertThat(read(" use_vmac\n").warnings()).isEmpty();
    }

    @Test
    void aNameLongerThanIfnamsizIsAConfigErrorWithFileLineColumnAndKey() {
        assertThatThrownBy(() -> read(" use_vmac   vrrp-sixteen-chr\n")).isInstanceOf(ConfigException.class)
                .hasMessage(dir.resolve("keepalived.conf") + ":7:13: key 'use_vmac': the interface name"
                        + " \"vrrp-sixteen-chr\" is 16 bytes long; interface names are at most 15 (IFNAMSIZ - 1)"
                        + " (allowed: [VMAC_INTERFACE_NAME] of at most 15 bytes, e.g. vrrp.51)");
        assertThatThrownBy(() -> read(" use_vmac a/b\n")).hasMessageContaining(":7:11: key 'use_vmac': the interface"
                + " name \"a/b\" holds '/'");
        assertThatThrownBy(() -> read(" use_vmac eth0\n")).hasMessageContaining("key 'use_vmac': the virtual MAC"
                + " interface cannot be the instance's own interface eth0");
    }

    @Test
    void aMacOfItsOwnIsRefused() {
        assertThatThrownBy(() -> read(" use_vmac vrrp.51 02:00:00:00:00:01\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining(":7:19: key 'use_vmac': a MAC address of its own (02:00:00:00:00:01) is not"
                        + " supported by havip");
    }

    @Test
    void vmacXmitBaseAloneIsWarnedAndIgnored() {
        KeepalivedConfig c = read(" vmac_xmit_base\n");
        assertThat(c.instances().get(0).virtualMac()).isEmpty();
        assertThat(c.warnings()).extracting(ConfigWarning::message)
                .containsExactly("vrrp_instance 'VI': vmac_xmit_base is only valid with use_vmac; ignored, as keepalived does");
    }

    @Test
    void twoInstancesOnOneVmacNameAreRefused() {
        String two = "vrrp_instance A {\n interface eth0\n virtual_router_id 51\n use_vmac vmac0\n virtual_ipaddress {\n"
                + "  198.51.100.50\n }\n}\nvrrp_instance B {\n interface eth0\n virtual_router_id 52\n use_vmac vmac0\n"
                + " virtual_ipaddress {\n  198.51.100.51\n }\n}\n";
        assertThatThrownBy(() -> KeepalivedConfigReader.parse(two, dir.resolve("keepalived.conf")))
                .hasMessageContaining("keepalived.conf:12: key 'use_vmac': vrrp_instance 'B' and vrrp_instance 'A' ("
                        + dir.resolve("keepalived.conf") + ":4) both use the virtual MAC interface vmac0");
        // the defaults differ by VRID and family
        assertThat(KeepalivedConfigReader.parse(two.replace("use_vmac vmac0", "use_vmac"), dir.resolve("keepalived.conf"))
                .instances()).hasSize(2);
    }

    @Test
    void mappedOntoTheBuilder() {
        KeepalivedRouters.Mapping m = KeepalivedRouters.map(read(" use_vmac\n"));
        assertThat(m.warnings()).isEmpty();
        assertThat(m.builders().get("VI").build().router().interfaceName()).isEqualTo("eth0");
        KeepalivedRouters.Mapping unicast = KeepalivedRouters.map(read(" use_vmac\n unicast_peer {\n  198.51.100.12\n }\n"));
        assertThat(unicast.warnings()).extracting(ConfigWarning::message).anyMatch(w -> w.contains(
                "use_vmac with unicast_peer needs vmac_xmit_base (keepalived's manual); adverts are sent from eth0"));
    }
}
