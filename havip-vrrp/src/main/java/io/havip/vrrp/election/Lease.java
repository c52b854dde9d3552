package io.havip.vrrp.election;

import java.util.Optional;

/**
 * One virtual router's lease at an {@link ElectionAuthority}. The router calls
 * {@link #acquire} when it wants to hold the addresses (its VRRP machine became MASTER, or, lease
 * only, it is a healthy candidate) and {@link #release} after it has unbound them. Both return at
 * once: the store is asked in the background and the answer comes as {@link Events}.
 */
public interface Lease extends AutoCloseable {

    /**
     * Asks for the lease (again: updates the priority this node stands with). Any thread, never
     * blocks, idempotent. The grant comes later through {@link Events#granted}, possibly never
     * (another node holds it); a grant that arrives after {@link #release} must be answered by
     * the router with another {@link #release}.
     *
     * @param priority this node's effective priority, 1-255 (lease only: the highest healthy
     *                 candidate obtains a free lease, and with preempt takes it from a lower one)
     */
    void acquire(int priority);

    /** Gives the lease up (or stops asking for it). Any thread, never blocks, idempotent. */
    void release();

    /** The holder as last seen in the store (may be stale by a round trip), or empty when free or unknown. */
    Optional<LeaseHolder> holder();

    /** Releases the lease if held and stops watching the store; idempotent. */
    @Override
    void close();

    /**
     * What the authority reports. Called from the authority's threads, in the order things
     * happened for this lease; each call must return quickly (the router queues it for its event
     * loop). Races: a grant may arrive after the router stopped wanting the lease, and a
     * revocation may arrive for a grant already given up; the token tells them apart.
     */
    interface Events {
        /**
         * The lease is this node's. {@code token} is its fencing token: larger than the token of
         * every earlier holder of this lease. {@code validUntilNanos} (the router's clock): the
         * moment by which the router must have released unless {@link #renewed} moves it,
         * {@code Long.MAX_VALUE} when the authority sets no bound.
         */
        void granted(long token, long validUntilNanos);

        /** The grant {@code token} is confirmed until {@code validUntilNanos}. */
        void renewed(long token, long validUntilNanos);

        /**
         * The grant {@code token} ended: lost ({@code yield == false}: the session expired, the
         * lease node went away or was overwritten), or the authority asks this holder to give it
         * up ({@code yield == true}: a higher-priority node that preempts wants it). Either way
         * the router unbinds, then calls {@link Lease#release()}.
         *
         * @param detail what happened, for the log
         */
        void revoked(long token, boolean yield, String detail);

        /**
         * Whether the store can be reached and this node could hold a lease. While not, the
         * router is in FAULT (a VRRP winner that cannot get the lease must not keep the others
         * out of the election); reported once it is sure, not on the first hiccup.
         */
        void reachable(boolean reachable, String detail);

        /** The store shows a new holder (or none: {@code holder == null}); for logs and stats. */
        void holderChanged(LeaseHolder holder);
    }
}
