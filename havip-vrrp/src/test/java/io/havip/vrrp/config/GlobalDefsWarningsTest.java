package io.havip.vrrp.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** global_defs keys that change keepalived's wire behaviour are warned (they were accepted silently before). */
class GlobalDefsWarningsTest {

    @Test
    void keysThatChangeTheWireAreWarnedWithTheirLine() {
        KeepalivedConfig c = KeepalivedConfigReader.parse("global_defs {\n vrrp_mcast_group4 224.0.0.19\n"
                + " vrrp_lower_prio_no_advert\n vrrp_priority -5\n vrrp_notify_fifo /run/k.fifo\n"
                + " vrrp_notify_fifo_script /usr/local/bin/read_fifo\n notify_fifo_script /x\n}\n", Path.of("k.conf"));
        assertThat(c.warnings()).extracting(w -> w.location().line() + ": " + w.message()).containsExactly(
                "2: 'vrrp_mcast_group4' in global_defs is not supported by havip; ignored (havip sends as without it)",
                "3: 'vrrp_lower_prio_no_advert' in global_defs is not supported by havip; ignored (havip sends as without it)",
                "7: notify_fifo_script without notify_fifo has nothing to read; ignored, as keepalived does");
        assertThat(c.globalDefs().notifyFifos()).singleElement().satisfies(f -> {
            assertThat(f.path()).isEqualTo("/run/k.fifo");
            assertThat(f.script().orElseThrow().command()).isEqualTo("/usr/local/bin/read_fifo");
            assertThat(f.location().line()).isEqualTo(5);
        });
        assertThat(c.globalDefs().written()).containsKeys("vrrp_mcast_group4", "vrrp_notify_fifo");
    }
}
