package io.havip.vrrp.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** virtual_routes lines as keepalived 2.2.7 writes them; options havip does not apply are refused, not dropped. */
class VirtualRoutesReadTest {

    private static final Path ORIGIN = Path.of("/etc/keepalived/keepalived.conf");

    private static List<VirtualRoute> routes(String lines) {
        return KeepalivedConfigReader.parse("vrrp_instance VI {\n interface eth0\n virtual_router_id 51\n"
                + " virtual_ipaddress {\n  198.51.100.50\n }\n virtual_routes {\n" + lines + " }\n}\n", ORIGIN)
                .instances().get(0).virtualRoutes();
    }

    @Test
    void keepalivedsExamplesRead() {
        assertThat(routes("  src 198.51.100.50 to 203.0.113.0/24 via 198.51.100.254 dev eth1\n"
                + "  203.0.113.0/25 gw 198.51.100.1 table 100 metric 7 no_track\n  blackhole 203.0.113.128/25\n"
                + "  default via 198.51.100.1 table main\n  2001:db8:1::/48 via 2001:db8::1\n  203.0.113.9\n"))
                .extracting(Object::toString).containsExactly(
                        "src 198.51.100.50 203.0.113.0/24 via 198.51.100.254 dev eth1",
                        "203.0.113.0/25 via 198.51.100.1 table 100 metric 7 no_track",
                        "blackhole 203.0.113.128/25",
                        "0.0.0.0/0 via 198.51.100.1 table 254",
                        "2001:db8:1::/48 via 2001:db8::1",
                        "203.0.113.9/32");
    }

    @Test
    void whatHavipWouldNotApplyIsRefusedWithItsLine() {
        assertThatThrownBy(() -> routes("  203.0.113.0/24 via 198.51.100.1 onlink\n"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith(ORIGIN + ":8: key 'virtual_routes': 'onlink'"
                        + " is not an option havip applies to a route");
        assertThatThrownBy(() -> routes("  203.0.113.7/24 dev eth0\n")).hasMessageContaining("host bits");
        assertThatThrownBy(() -> routes("  203.0.113.0/24 via 2001:db8::1\n")).hasMessageContaining("is not of the family");
        assertThatThrownBy(() -> routes("  blackhole 203.0.113.0/24 dev eth0\n")).hasMessageContaining("take no via or dev");
        assertThatThrownBy(() -> routes("  via 198.51.100.1\n")).hasMessageContaining("no destination prefix");
        assertThatThrownBy(() -> routes("  203.0.113.0/24 table\n")).hasMessageContaining("'table' needs a value");
    }

    private static List<VirtualRule> rules(String lines) {
        return KeepalivedConfigReader.parse("vrrp_instance VI {\n interface eth0\n virtual_router_id 51\n"
                + " virtual_ipaddress {\n  198.51.100.50\n }\n virtual_rules {\n" + lines + " }\n}\n", ORIGIN)
                .instances().get(0).virtualRules();
    }

    @Test
    void rulesReadAsKeepalivedWritesThem() {
        assertThat(rules("  from 198.51.100.0/24 table 1\n  to 198.51.100.0/24 table 1 no_track\n"
                + "  from all to 2001:db8::/32 priority 100 lookup main\n  inet6 from all iif eth1 blackhole\n"))
                .extracting(Object::toString).containsExactly("from 198.51.100.0/24 table 1",
                        "from all to 198.51.100.0/24 table 1 no_track", "from all to 2001:db8::/32 priority 100 table 254",
                        "inet6 from all iif eth1 blackhole");
        assertThatThrownBy(() -> rules("  from 198.51.100.0/24\n")).hasMessageContaining("no table and no action");
        assertThatThrownBy(() -> rules("  from 198.51.100.0/24 fwmark 3 table 1\n"))
                .hasMessageContaining("'fwmark' is not an option havip applies to a rule");
        assertThatThrownBy(() -> rules("  from 198.51.100.0/24 to 2001:db8::/32 table 1\n"))
                .hasMessageContaining("different families");
    }
}
