package io.havip.vrrp;

import io.havip.vrrp.liveness.LivenessStats;
import io.havip.vrrp.machine.VrrpStats;

/**
 * The counters of a running router: the protocol's ({@link VrrpStats}, named after
 * keepalived's) plus the engine's own.
 *
 * @param vrrp             advert, election and validation counters
 * @param lateTimers       times the engine woke more than one advert interval past a deadline
 *                         (GC pause, SIGSTOP, an overloaded host) and re-checked before acting
 * @param sendErrors       adverts the transport failed to send
 * @param receiveErrors    transport receive failures (the receive loop goes on)
 * @param bindErrors       bind or unbind calls that failed
 * @param hookTimeouts     address hooks that ran out of time or threw
 * @param handovers        planned handovers where the address was kept until the new master spoke
 * @param addressConflicts times another MAC claimed a virtual address while this node was master
 *                         (each answered with a fresh announcement burst)
 * @param liveness         the liveness channel's settings and counters (see {@link LivenessStats})
 * @param overloadDrops    received packets dropped without being looked at because the engine was
 *                         a full queue behind (a flood), plus those the transport lost before they
 *                         were read ({@link io.havip.core.AdvertTransport#overflowDrops()}: the
 *                         kernel's receive buffer overflowed); the router's own adverts keep
 *                         their schedule
 */
public record RouterStats(VrrpStats vrrp, long lateTimers, long sendErrors, long receiveErrors, long bindErrors,
                          long hookTimeouts, long handovers, long addressConflicts, LivenessStats liveness,
                          long overloadDrops) {
}
