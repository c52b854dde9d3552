package io.havip.vrrp.config;

import java.time.Duration;

/**
 * The gratuitous ARP / unsolicited NA schedule of an instance (keepalived's {@code garp_*}
 * keys, defaulting to the global {@code vrrp_garp_*} ones).
 *
 * @param masterDelay        delay of the second burst after becoming master; zero for none (default 5 s)
 * @param masterRepeat       messages per burst after becoming master (default 5)
 * @param lowerPrioDelay     delay of the second burst after a lower-priority advert as master (default: masterDelay)
 * @param lowerPrioRepeat    messages per burst after a lower-priority advert as master (default: masterRepeat)
 * @param masterRefresh      period of refresh messages while master; zero for none (default 0)
 * @param masterRefreshRepeat messages per refresh (default 1)
 */
public record GarpSettings(Duration masterDelay, int masterRepeat, Duration lowerPrioDelay, int lowerPrioRepeat,
                           Duration masterRefresh, int masterRefreshRepeat) {

    /** keepalived 2.2.7 defaults as keepalived.conf(5) states them: delay 5 s, repeat 5, no refresh, refresh repeat 1. */
    public static final GarpSettings KEEPALIVED_DEFAULTS =
            new GarpSettings(Duration.ofSeconds(5), 5, Duration.ofSeconds(5), 5, Duration.ZERO, 1);

    public GarpSettings {
        requireNonNegative(masterDelay, "masterDelay");
        requireNonNegative(lowerPrioDelay, "lowerPrioDelay");
        requireNonNegative(masterRefresh, "masterRefresh");
        if (masterRepeat < 1 || lowerPrioRepeat < 0 || masterRefreshRepeat < 1) {
            throw new IllegalArgumentException("GARP repeats must be at least 1 (lower priority repeat at least 0), got "
                    + masterRepeat + ", " + lowerPrioRepeat + ", " + masterRefreshRepeat);
        }
    }

    private static void requireNonNegative(Duration d, String name) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or positive, got " + d);
        }
    }
}
