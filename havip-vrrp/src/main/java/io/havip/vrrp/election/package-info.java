/**
 * The election-authority seam: a store with a quorum that grants one lease per virtual router
 * ({@link io.havip.vrrp.election.ElectionAuthority}, {@link io.havip.vrrp.election.Lease}), so
 * that a VRRP winner binds only while it holds the lease (quorum guard) or so that the lease
 * alone elects (lease only). {@code havip-zookeeper} implements it on Apache Curator.
 */
package io.havip.vrrp.election;
