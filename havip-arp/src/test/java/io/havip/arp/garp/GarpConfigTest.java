package io.havip.arp.garp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.net.IpFamily;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GarpConfigTest {

    @Test
    void keepalivedDefaults() {
        GarpConfig d = GarpConfig.keepalivedDefaults();
        assertThat(d.masterRepeat()).isEqualTo(5);
        assertThat(d.masterDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.masterRefresh()).isEqualTo(Duration.ZERO);
        assertThat(d.masterRefreshRepeat()).isEqualTo(1);
        assertThat(d.lowerPriorityDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.lowerPriorityRepeat()).isEqualTo(5);
        assertThat(d.garpInterval()).isEqualTo(Duration.ZERO);
        assertThat(d.gnaInterval()).isEqualTo(Duration.ZERO);
    }

    @Test
    void withersChangeOneFieldEach() {
        GarpConfig d = GarpConfig.keepalivedDefaults();
        assertThat(d.withMasterRepeat(2).masterRepeat()).isEqualTo(2);
        assertThat(d.withMasterDelay(Duration.ofSeconds(1)).masterDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.withMasterRefresh(Duration.ofSeconds(60)).masterRefresh()).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.withMasterRefreshRepeat(3).masterRefreshRepeat()).isEqualTo(3);
        assertThat(d.withLowerPriorityDelay(Duration.ZERO).lowerPriorityDelay()).isEqualTo(Duration.ZERO);
        assertThat(d.withLowerPriorityRepeat(0).lowerPriorityRepeat()).isZero();
        GarpConfig gaps = d.withGarpInterval(Duration.ofMillis(1)).withGnaInterval(Duration.ofMillis(2));
        assertThat(gaps.intervalFor(IpFamily.IPV4)).isEqualTo(Duration.ofMillis(1));
        assertThat(gaps.intervalFor(IpFamily.IPV6)).isEqualTo(Duration.ofMillis(2));
        assertThat(d.withMasterRepeat(5)).isEqualTo(d);
    }

    @Test
    void refusalsNameTheKeepalivedKeywordAndTheValue() {
        GarpConfig d = GarpConfig.keepalivedDefaults();
        assertThatThrownBy(() -> d.withMasterRepeat(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("garp_master_repeat must be at least 1, got 0"
                        + " (keepalived sends at least one announcement round on becoming master)");
        assertThatThrownBy(() -> d.withMasterRefreshRepeat(0))
                .hasMessage("garp_master_refresh_repeat must be at least 1, got 0"
                        + " (to turn refreshing off set garp_master_refresh to 0 instead)");
        assertThatThrownBy(() -> d.withLowerPriorityRepeat(-1))
                .hasMessage("garp_lower_prio_repeat must be at least 0, got -1 (0 turns lower-priority announcements off)");
        assertThatThrownBy(() -> d.withMasterDelay(Duration.ofMillis(-1)))
                .hasMessage("garp_master_delay must be between 0 and PT24H, got PT-0.001S");
        assertThatThrownBy(() -> d.withMasterRefresh(Duration.ofDays(2)))
                .hasMessage("garp_master_refresh must be between 0 and PT24H, got PT48H");
        assertThatThrownBy(() -> d.withLowerPriorityDelay(null))
                .hasMessage("garp_lower_prio_delay is null; use Duration.ZERO for \"none\"");
        assertThatThrownBy(() -> d.withGarpInterval(Duration.ofSeconds(-5)))
                .hasMessage("vrrp_garp_interval must be between 0 and PT24H, got PT-5S");
        assertThatThrownBy(() -> d.withGnaInterval(Duration.ofDays(1).plusNanos(1)))
                .hasMessageStartingWith("vrrp_gna_interval must be between 0 and PT24H");
        assertThat(d.withMasterRefresh(GarpConfig.MAX_DURATION).masterRefresh()).isEqualTo(Duration.ofDays(1));
    }
}
