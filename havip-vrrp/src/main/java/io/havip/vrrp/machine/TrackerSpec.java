package io.havip.vrrp.machine;

/**
 * Something whose health feeds a virtual router's election, with keepalived's weight
 * semantics ({@code track_interface ... weight}, {@code vrrp_script ... weight}):
 * <ul>
 *   <li>weight 0: while it is down / failing the router is in FAULT (releases the address,
 *       stays out of the election);</li>
 *   <li>weight &gt; 0: while it is up / healthy the weight is added to the priority;</li>
 *   <li>weight &lt; 0: while it is down / failing the weight is added (the priority drops).</li>
 * </ul>
 * The effective priority is the base priority plus the active weights, clamped to 1-254
 * as keepalived does; the address owner (255) keeps 255 (weights do not apply to it).
 */
public sealed interface TrackerSpec permits TrackerSpec.TrackedInterface, TrackerSpec.HealthCheck {

    /** keepalived's weight range for trackers. */
    int MAX_WEIGHT = 253;

    /** The weight: 0 for FAULT, otherwise -253..253. */
    int weight();

    /** A unique key, e.g. {@code interface eth0} or {@code check db}. */
    String key();

    /**
     * An interface whose link state is tracked. The router's own interface is tracked with
     * weight 0 unless it is listed here with another weight (keepalived tracks the VRRP
     * interface implicitly).
     */
    record TrackedInterface(String interfaceName, int weight) implements TrackerSpec {
        public TrackedInterface {
            if (interfaceName == null || interfaceName.isBlank()) {
                throw new IllegalArgumentException("tracked interface name is empty");
            }
            checkWeight("tracked interface " + interfaceName, weight);
        }

        @Override
        public String key() {
            return "interface " + interfaceName;
        }
    }

    /**
     * An application health check as pure logic: results are fed in by the engine, which
     * runs the check asynchronously with its interval and timeout (a timeout is a failure).
     * Like keepalived's {@code vrrp_script}: a healthy check turns failing after {@code fall}
     * consecutive failures, a failing one healthy after {@code rise} consecutive successes.
     *
     * @param name              the check's name (keepalived's vrrp_script name)
     * @param weight            see {@link TrackerSpec}
     * @param rise              consecutive successes to become healthy, 1 or more
     * @param fall              consecutive failures to become failing, 1 or more
     * @param initiallyHealthy  the state before the first result; keepalived assumes healthy
     *                          unless {@code init_fail} is set
     */
    record HealthCheck(String name, int weight, int rise, int fall, boolean initiallyHealthy) implements TrackerSpec {
        public HealthCheck {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("health check name is empty");
            }
            checkWeight("health check " + name, weight);
            if (rise < 1) {
                throw new IllegalArgumentException("health check " + name + ": rise " + rise + " must be 1 or more");
            }
            if (fall < 1) {
                throw new IllegalArgumentException("health check " + name + ": fall " + fall + " must be 1 or more");
            }
        }

        @Override
        public String key() {
            return "check " + name;
        }
    }

    private static void checkWeight(String what, int weight) {
        if (weight < -MAX_WEIGHT || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException(what + ": weight " + weight + " is outside -253..253 (0 means FAULT)");
        }
    }
}
