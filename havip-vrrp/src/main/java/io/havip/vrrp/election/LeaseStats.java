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
 */
public record LeaseStats(String mode, boolean held, boolean waiting, boolean reachable, long token, long grants,
                         long waits, long losses, long yields, LeaseHolder holder) {

    private static final LeaseStats NONE = new LeaseStats("none", false, false, true, -1, 0, 0, 0, 0, null);

    /** A router without an election authority. */
    public static LeaseStats none() {
        return NONE;
    }
}
