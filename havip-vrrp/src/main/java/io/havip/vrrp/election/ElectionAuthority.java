package io.havip.vrrp.election;

/**
 * Who, besides (or instead of) VRRP, decides which node may hold a virtual router's addresses:
 * a store with a quorum (ZooKeeper in {@code havip-zookeeper}; etcd or a Kubernetes Lease could
 * implement it too) that grants one lease per virtual router, with a fencing token per grant.
 * Given to a router with {@code Havip.builder().quorumGuard(authority)} (VRRP elects, the winner
 * binds only while it holds the lease) or {@code .leaseOnly(authority)} (no VRRP traffic).
 *
 * <p>An implementation's duty, which makes the guard safe: a grant's {@code validUntilNanos}
 * (see {@link Lease.Events#granted}) must be a moment, on the router's clock, by which this
 * node has to have released the addresses, because from then on the store may grant the lease
 * to another node. The router releases by then whatever the authority's threads are doing.
 */
public interface ElectionAuthority {

    /**
     * Opens the lease of one virtual router; called once per router as it is built, before it
     * starts, never on the router's event loop. Nothing is requested until
     * {@link Lease#acquire}. {@code events} may be called from any thread of the authority, in
     * the order things happened for this lease; they must not block.
     *
     * @throws IllegalArgumentException if the request cannot be served (a bad router name for
     *         the store, say), with a message that names the value and what to do
     */
    Lease lease(LeaseRequest request, Lease.Events events);

    /** A short description for logs, e.g. {@code zookeeper 10.0.0.1:2181 /havip}. */
    String describe();
}
