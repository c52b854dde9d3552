package io.havip.vrrp.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code vrrp_script} block: a health check run periodically whose exit status feeds the
 * priority (with a weight) or the FAULT state (weight 0) of the instances that track it.
 *
 * @param name     the block's name, referred to by {@code track_script}
 * @param script   the command line as configured
 * @param interval time between runs (default 1 s)
 * @param timeout  how long a run may take before it counts as failed (default: the interval, as keepalived)
 * @param weight   priority adjustment, -253..253 (default 0)
 * @param reverse  {@code weight N reverse}: adjust in the opposite direction
 * @param rise     consecutive successes to become OK (default 1)
 * @param fall     consecutive failures to become KO (default 1)
 * @param user     {@code user}: user to run as, or empty for the global {@code script_user}
 * @param group    group to run as, or empty for the user's
 * @param initFail {@code init_fail}: the script starts in the failed state
 */
public record VrrpScriptConfig(String name, String script, Duration interval, Duration timeout, int weight, boolean reverse,
                               int rise, int fall, Optional<String> user, Optional<String> group, boolean initFail,
                               SourceLocation location) {
    public VrrpScriptConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(script, "script");
        if (interval == null || interval.isZero() || interval.isNegative() || timeout == null || timeout.isZero()
                || timeout.isNegative()) {
            throw new IllegalArgumentException("vrrp_script " + name + ": interval and timeout must be positive, got "
                    + interval + " and " + timeout);
        }
        if (weight < -253 || weight > 253 || rise < 1 || fall < 1) {
            throw new IllegalArgumentException("vrrp_script " + name + ": weight " + weight + " (-253..253), rise " + rise
                    + " and fall " + fall + " (at least 1)");
        }
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(location, "location");
    }
}
