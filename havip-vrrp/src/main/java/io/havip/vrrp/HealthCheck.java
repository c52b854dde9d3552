package io.havip.vrrp;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * An application health check that feeds the election without forking a script: the
 * engine calls {@code check} every {@code interval} on a thread of its own, counts a
 * result of {@code false}, an exception or a run longer than {@code timeout} as a
 * failure, and applies keepalived's {@code vrrp_script} rules: {@code fall} consecutive
 * failures make the check failing, {@code rise} consecutive successes healthy again;
 * a failing check with weight 0 puts the router in FAULT, otherwise the weight moves the
 * priority (positive: added while healthy; negative: added while failing).
 *
 * <p>A check that hangs never stalls adverts: it is interrupted and counted as failed at
 * its timeout; while a run is still going the next one is skipped (as keepalived skips a
 * script still running), and once the hung run is past its timeout every skipped run
 * counts as another failure.
 *
 * @param name     unique per router; appears in logs and {@code trackersDown}
 * @param check    returns true when healthy; may throw (a failure)
 * @param interval time between the starts of two runs
 * @param timeout  how long one run may take before it counts as failed
 * @param rise     consecutive successes to turn healthy (1 or more)
 * @param fall     consecutive failures to turn failing (1 or more)
 * @param weight   0 for FAULT, or -253..253
 */
public record HealthCheck(String name, Callable<Boolean> check, Duration interval, Duration timeout, int rise, int fall,
                          int weight) {

    public HealthCheck {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("health check name is empty");
        }
        if (check == null) {
            throw new IllegalArgumentException("health check " + name + ": check is null");
        }
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("health check " + name + ": interval " + interval + " must be positive");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("health check " + name + ": timeout " + timeout + " must be positive");
        }
    }

    /** A check with rise 1, fall 1, weight 0 (FAULT on failure), and a timeout equal to the interval. */
    public static HealthCheck of(String name, Callable<Boolean> check, Duration interval) {
        return new HealthCheck(name, check, interval, interval, 1, 1, 0);
    }
}
