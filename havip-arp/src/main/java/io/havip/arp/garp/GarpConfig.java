package io.havip.arp.garp;

import io.havip.core.net.IpFamily;
import java.time.Duration;
import java.util.Objects;

/**
 * When a master announces its addresses, in keepalived's terms and with keepalived's
 * defaults (keepalived.conf(5), {@code vrrp_instance} and {@code global_defs} GARP keywords;
 * defaults from keepalived 2.2.7 {@code global_data.c set_vrrp_defaults} and
 * {@code vrrp_data.h}: {@code VRRP_GARP_REP 5}, {@code VRRP_GARP_DELAY 5 s},
 * {@code VRRP_GARP_REFRESH 0}, {@code VRRP_GARP_REFRESH_REP 1}). One announcement "round"
 * is one gratuitous ARP (or unsolicited NA) per announced address.
 *
 * @param masterRepeat {@code garp_master_repeat}: rounds sent at once on becoming master, and
 *     again after {@code masterDelay}; at least 1 (keepalived raises 0 to 1); default 5
 * @param masterDelay {@code garp_master_delay}: delay of the second burst after becoming master;
 *     zero means no second burst; default 5 s. The second burst catches switches and hosts that
 *     missed the first while the old master was still answering
 * @param masterRefresh {@code garp_master_refresh}: period of refresh announcements while master;
 *     zero (the default) means none. Useful where caches age out faster than adverts change masters
 * @param masterRefreshRepeat {@code garp_master_refresh_repeat}: rounds per refresh; at least 1; default 1
 * @param lowerPriorityDelay {@code garp_lower_prio_delay}: delay of the second burst after a lower-priority
 *     advert is seen while master; zero means none; keepalived's default is the global
 *     {@code vrrp_garp_master_delay}, so 5 s
 * @param lowerPriorityRepeat {@code garp_lower_prio_repeat}: rounds sent when a lower-priority advert is
 *     seen while master (a peer that still believes it should be master may have poisoned caches);
 *     zero disables it (keepalived's strict mode); default the global {@code vrrp_garp_master_repeat}, 5
 * @param garpInterval {@code vrrp_garp_interval}: minimum gap between gratuitous ARP rounds; zero (the
 *     default) sends a burst back to back. Some switches rate-limit or drop ARP bursts
 * @param gnaInterval {@code vrrp_gna_interval}: the same for unsolicited Neighbor Advertisements
 */
public record GarpConfig(int masterRepeat, Duration masterDelay, Duration masterRefresh, int masterRefreshRepeat,
                         Duration lowerPriorityDelay, int lowerPriorityRepeat, Duration garpInterval,
                         Duration gnaInterval) {

    /**
     * Upper bound of every duration here. keepalived reads delays as unsigned seconds
     * (about 4295 s once scaled to microseconds); a day is far beyond any sensible
     * announcement timing and keeps deadline arithmetic in nanoseconds far from overflow.
     */
    public static final Duration MAX_DURATION = Duration.ofDays(1);

    private static final GarpConfig KEEPALIVED_DEFAULTS = new GarpConfig(5, Duration.ofSeconds(5), Duration.ZERO, 1,
            Duration.ofSeconds(5), 5, Duration.ZERO, Duration.ZERO);

    public GarpConfig {
        atLeast("garp_master_repeat", masterRepeat, 1,
                "keepalived sends at least one announcement round on becoming master");
        atLeast("garp_master_refresh_repeat", masterRefreshRepeat, 1,
                "to turn refreshing off set garp_master_refresh to 0 instead");
        atLeast("garp_lower_prio_repeat", lowerPriorityRepeat, 0, "0 turns lower-priority announcements off");
        check("garp_master_delay", masterDelay);
        check("garp_master_refresh", masterRefresh);
        check("garp_lower_prio_delay", lowerPriorityDelay);
        check("vrrp_garp_interval", garpInterval);
        check("vrrp_gna_interval", gnaInterval);
    }

    /** keepalived's defaults: 5 rounds at once, 5 more after 5 s, no refresh, the same on a lower-priority advert, no gaps. */
    public static GarpConfig keepalivedDefaults() {
        return KEEPALIVED_DEFAULTS;
    }

    /** The gap between rounds for this address family: {@link #garpInterval} or {@link #gnaInterval}. */
    public Duration intervalFor(IpFamily family) {
        Objects.requireNonNull(family, "family");
        return family == IpFamily.IPV6 ? gnaInterval : garpInterval;
    }

    public GarpConfig withMasterRepeat(int value) {
        return new GarpConfig(value, masterDelay, masterRefresh, masterRefreshRepeat, lowerPriorityDelay,
                lowerPriorityRepeat, garpInterval, gnaInterval);
    }

    public GarpConfig withMasterDelay(Duration value) {
        return new GarpConfig(masterRepeat, value, masterRefresh, masterRefreshRepeat, lowerPriorityDelay,
                lowerPriorityRepeat, garpInterval, gnaInterval);
    }

    public GarpConfig withMasterRefresh(Duration value) {
        return new GarpConfig(masterRepeat, masterDelay, value, masterRefreshRepeat, lowerPriorityDelay,
                lowerPriorityRepeat, garpInterval, gnaInterval);
    }

    public GarpConfig withMasterRefreshRepeat(int value) {
        return new GarpConfig(masterRepeat, masterDelay, masterRefresh, value, lowerPriorityDelay,
                lowerPriorityRepeat, garpInterval, gnaInterval);
    }

    public GarpConfig withLowerPriorityDelay(Duration value) {
        return new GarpConfig(masterRepeat, masterDelay, masterRefresh, masterRefreshRepeat, value,
                lowerPriorityRepeat, garpInterval, gnaInterval);
    }

    public GarpConfig withLowerPriorityRepeat(int value) {
        return new GarpConfig(masterRepeat, masterDelay, masterRefresh, masterRefreshRepeat, lowerPriorityDelay,
                value, garpInterval, gnaInterval);
    }

    public GarpConfig withGarpInterval(Duration value) {
        return new GarpConfig(masterRepeat, masterDelay, masterRefresh, masterRefreshRepeat, lowerPriorityDelay,
                lowerPriorityRepeat, value, gnaInterval);
    }

    public GarpConfig withGnaInterval(Duration value) {
        return new GarpConfig(masterRepeat, masterDelay, masterRefresh, masterRefreshRepeat, lowerPriorityDelay,
                lowerPriorityRepeat, garpInterval, value);
    }

    private static void atLeast(String keyword, int value, int min, String hint) {
        if (value < min) {
            throw new IllegalArgumentException(keyword + " must be at least " + min + ", got " + value + " (" + hint + ")");
        }
    }

    private static void check(String keyword, Duration value) {
        if (value == null) {
            throw new IllegalArgumentException(keyword + " is null; use Duration.ZERO for \"none\"");
        }
        if (value.isNegative() || value.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(keyword + " must be between 0 and " + MAX_DURATION + ", got " + value);
        }
    }
}
