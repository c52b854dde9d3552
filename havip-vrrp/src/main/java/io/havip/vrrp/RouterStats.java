package io.havip.vrrp;

import io.havip.vrrp.election.LeaseStats;
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
 * @param liveness         the liveness channel's settings and counters (see {@link LivenessStats})
 * @param conflictAnswers  fresh announcement bursts sent in answer to such claims (claims that
 *                         come close together share one; a claim from the VRID's virtual MAC is
 *                         answered only if no router of the VRID took over within three advert
 *                         intervals; none after this node yields)
 * @param announcedForNewMaster times this node, yielding soon after answering a claim from the
 *                         VRID's virtual MAC, announced its addresses at that MAC so clients
 *                         follow the new master (whose announcement the answer had overridden)
 * @param addressesRestored virtual addresses put back on the interface as master after someone else
 *                         removed them (by hand, a network manager, a DHCP client), each re-announced
 * @param strayAddresses   virtual addresses found on the interface while not master (added by someone
 *                         else): removed, or only reported, per the router's {@code StrayAddressPolicy}
 * @param macChanges       changes of the interface's MAC as master, each answered with a fresh
 *                         announcement from the new MAC
 * @param overloadDrops    received packets dropped without being looked at because the engine was
 *                         a full queue behind (a flood), plus those the transport lost before they
 *                         were read ({@link io.havip.core.AdvertTransport#overflowDrops()}: the
 *                         kernel's receive buffer overflowed); the router's own adverts keep
 *                         their schedule
 * @param announcementsSent gratuitous ARP / unsolicited NA frames the binder sent for the router's addresses
 * @param hookRuns          address hooks run (each hook of each transition)
 * @param hookNanos         time spent in them, on the router's clock
 * @param takeovers         bindings of the addresses on becoming MASTER
 * @param takeoverNanos     time from the decision to become MASTER to the addresses bound and the first
 *                          announcement sent (hooks included), summed over {@code takeovers}, on the router's clock
 * @param lease             the lease at the router's election authority (quorum guard, lease only), or
 *                          {@link LeaseStats#none()}
 */
public record RouterStats(VrrpStats vrrp, long lateTimers, long sendErrors, long receiveErrors, long bindErrors,
                          long hookTimeouts, long handovers, long addressConflicts, LivenessStats liveness,
                          long conflictAnswers, long announcedForNewMaster,
                          long addressesRestored, long strayAddresses, long macChanges, long overloadDrops,
                          long announcementsSent, long hookRuns, long hookNanos, long takeovers, long takeoverNanos,
                          LeaseStats lease) {

    public RouterStats {
        lease = lease == null ? LeaseStats.none() : lease;
    }

    /** Stats of a router without an election authority ({@link LeaseStats#none()}). */
    public RouterStats(VrrpStats vrrp, long lateTimers, long sendErrors, long receiveErrors, long bindErrors,
                       long hookTimeouts, long handovers, long addressConflicts, LivenessStats liveness,
                       long conflictAnswers, long announcedForNewMaster,
                       long addressesRestored, long strayAddresses, long macChanges, long overloadDrops,
                       long announcementsSent, long hookRuns, long hookNanos, long takeovers, long takeoverNanos) {
        this(vrrp, lateTimers, sendErrors, receiveErrors, bindErrors, hookTimeouts, handovers, addressConflicts, liveness,
                conflictAnswers, announcedForNewMaster, addressesRestored, strayAddresses, macChanges, overloadDrops,
                announcementsSent, hookRuns, hookNanos, takeovers, takeoverNanos, LeaseStats.none());
    }
}
