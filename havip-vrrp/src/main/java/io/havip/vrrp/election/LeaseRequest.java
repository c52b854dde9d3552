package io.havip.vrrp.election;

import io.havip.core.Clock;
import io.havip.core.RouterId;

/**
 * What a router asks its {@link ElectionAuthority} for.
 *
 * @param router  the virtual router (its name and VRID name the lease in the store)
 * @param clock   the router's clock: every {@code validUntilNanos} is on its {@link Clock#nanoTime()}
 * @param preempt whether this node, when of higher priority, takes the lease from a live
 *                lower-priority holder (lease only; the VRRP election decides it in the guard)
 */
public record LeaseRequest(RouterId router, Clock clock, boolean preempt) {
    public LeaseRequest {
        if (router == null || clock == null) {
            throw new IllegalArgumentException("LeaseRequest needs a router and a clock");
        }
    }
}
