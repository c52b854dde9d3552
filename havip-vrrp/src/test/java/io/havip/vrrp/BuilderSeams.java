package io.havip.vrrp;

import io.havip.vrrp.liveness.LivenessEndpoints;

/**
 * The builder's package-private test seams, for the engine's tests in
 * {@code io.havip.vrrp.internal.engine} (test code: not on the module's API).
 */
public final class BuilderSeams {

    private BuilderSeams() {
    }

    /** {@code Havip.Builder.livenessEndpoints}: where the liveness channel listens and dials. */
    public static Havip.Builder livenessEndpoints(Havip.Builder builder, LivenessEndpoints endpoints) {
        return builder.livenessEndpoints(endpoints);
    }
}
