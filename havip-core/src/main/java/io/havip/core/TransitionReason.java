package io.havip.core;

/** Why a virtual router changed state; carried in every {@link StateChange}. */
public enum TransitionReason {
    /** start(): INITIALIZE to BACKUP (or MASTER for the address owner, priority 255). */
    STARTUP,
    /** The address owner (priority 255) takes over at once (RFC 5798 section 6.4.1). */
    ADDRESS_OWNER,
    /** No advert from the master for Master_Down_Interval (RFC 5798 section 6.4.2). */
    MASTER_DOWN_TIMER,
    /** The master sent priority 0 and Skew_Time passed without another master (RFC 5798 section 6.4.2). */
    MASTER_RELEASED,
    /** The master's process died on a live host: its liveness channel closed without a goodbye. */
    MASTER_PROCESS_DIED,
    /** An advert with a higher priority, or equal priority and a higher primary address (RFC 5798 section 6.4.3). */
    HIGHER_PRIORITY_MASTER,
    /** This node preempted a lower-priority master (after preempt_delay, if set). */
    PREEMPT,
    /** A tracked interface went down, or a health check failed with a FAULT weight. */
    TRACKER_FAULT,
    /** Every failed tracker recovered: FAULT to BACKUP. */
    TRACKER_RECOVERED,
    /** A member of this router's sync group changed state and the group follows it. */
    SYNC_GROUP,
    /** The priority changed at run time (setPriority, a weighted tracker) and the election turned. */
    PRIORITY_CHANGED,
    /** A planned handover to a live peer: the address moved make-before-break. */
    HANDOVER,
    /** close(): the router released the address and sent priority 0 if it was master. */
    SHUTDOWN,
    /**
     * Lease only (no VRRP): this node obtained the router's lease from its election authority
     * and binds. (A quorum-guarded VRRP winner keeps the reason it won the election for.)
     */
    LEASE_GRANTED,
    /**
     * The router's lease was lost (the session expired, the lease node went away, or it could not
     * be renewed before its release deadline): the address is released although this node may
     * still win the VRRP election; it binds again once it holds a new lease.
     */
    LEASE_LOST,
    /** Lease only: a healthy node of higher priority that preempts wants the lease; this holder gave it up. */
    LEASE_YIELDED
}
