package io.havip.vrrp.election;

/**
 * A router's lease at its election authority, as {@code RouterStats.lease()} reports it.
 *
 * @param mode      {@code "none"} (no election authority), {@code "quorum-guard"} or {@code "lease-only"}
 * @param held      the addresses are bound under a grant
 * @param waiting   the router won the VRRP election (lease only: is a candidate) and waits for the lease
 * @param reachable the authority can be reached (false puts the router in FAULT)
 * @param token     the fencing token of the grant held, or -1
 * @param grants    grants taken up
 * @param waits     times the router began to wait for the lease
 * @param losses    grants lost (session expired, lease node gone, release deadline passed)
 * @param yields    grants given up to a higher-priority node (lease only, preempt)
 * @param holder    the holder as last seen in the store, or null (free, unknown, or no authority)
 * @param kernelRefreshes       renewals that moved the kernel lifetime of the bound addresses on (Linux
 *                              binder: {@code valid_lft} in {@code ip addr}; one netlink round trip per address)
 * @param kernelRefreshFailures such refreshes that failed (also counted in the router's bind errors)
 * @param kernelExpiries        times the kernel removed the addresses as their lifetime ran out while the
 *                              lease was still granted: this process was late refreshing (a pause)
 */
public record LeaseStats(String mode, boolean held, boolean waiting, boolean reachable, long token, long grants,
                         long waits, long losses, long yields, LeaseHolder holder, long kernelRefreshes,
                         long kernelRefreshFailures, long kernelExpiries) {

    private static final LeaseStats NONE = new LeaseStats("none", false, false, true, -1, 0, 0, 0, 0, null, 0, 0, 0);

    /** These stats with the kernel lifetime counters given (the engine's address thread counts them). */
    public LeaseStats withKernel(long refreshes, long refreshFailures, long expiries) {
        if (refreshes == kernelRefreshes && refreshFailures == kernelRefreshFailures && expiries == kernelExpiries) {
            return this;
        }
        return new LeaseStats(mode, held, waiting, reachable, token, grants, waits, losses, yields, holder, refreshes,
                refreshFailures, expiries);
    }

    /** A router without an election authority. */
    public static LeaseStats none() {
        return NONE;
    }
}
