/**
 * A ZooKeeper quorum lease per virtual router, on Apache Curator: the election authority
 * ({@link io.havip.zookeeper.ZooKeeperAuthority}) that keeps a VRRP master from binding while
 * another node may hold the address (quorum guard), or that replaces VRRP where protocol 112 or
 * multicast does not pass (lease only), with a fencing token that strictly increases with every
 * new holder.
 *
 * <h2>What happens, exactly</h2>
 * <ul>
 *   <li><b>Lease</b>: {@code <path>/<router name>/holder}, an ephemeral znode; whoever created it
 *       holds the lease; its creation zxid is the fencing token. Candidates register
 *       {@code <path>/<router name>/candidates/p<priority>-<preempt|nopreempt>-<node>}.</li>
 *   <li><b>Quorum guard</b>: VRRP elects as always. The winner asks for the lease and binds only
 *       once granted; meanwhile it is BACKUP to its listeners and logs "VRRP winner, waiting for
 *       the lease held by node2 since ...". A master leaving MASTER unbinds, then deletes its
 *       holder znode, and the next winner (already waiting, watching the znode) is granted within
 *       a ZooKeeper round trip or two.</li>
 *   <li><b>Loss</b>: the holder releases by its release deadline (see {@link
 *       io.havip.zookeeper.SessionDeadline} for the arithmetic) when ZooKeeper stops answering,
 *       at once when Curator reports the session LOST or the znode is deleted or replaced, and
 *       then asks again (a new grant, a larger token). While the deadline is past the router is
 *       in FAULT, so it does not keep another node out of the VRRP election.</li>
 *   <li><b>Crash</b> (kill -9): the holder's session expires a session timeout after the
 *       ensemble last heard from it; the znode goes, the waiting winner is granted.</li>
 *   <li><b>Lease only</b>: every node's VRRP machine runs without sending or hearing adverts, so
 *       each healthy node is a candidate. A free lease goes to the first candidate (highest
 *       priority, then the smaller node name); the others try only after
 *       {@code ZkLease.FREE_LEASE_GRACE} (1 s), so a first candidate that lost ZooKeeper cannot
 *       keep the lease free. A candidate of higher priority that preempts makes the holder yield:
 *       it unbinds ({@code LEASE_YIELDED}), deletes its znode, and the candidate creates its own
 *       and binds. Planned handover (close) is the same move without the request. A single lease
 *       cannot be held twice, so every move is break-before-make: the gap is the old holder's
 *       unbind plus about two ZooKeeper round trips (24-46 ms measured in-JVM, clients see the
 *       gratuitous ARP of the new holder right after). An unhealthy holder (a health check with
 *       weight 0, a tracked interface down) goes to FAULT, unbinds and gives the lease up; a
 *       weighted check lowers the priority it stands with, which may make it yield.</li>
 *   <li><b>Unreachable</b>: {@link io.havip.zookeeper.WhenUnreachable#RELEASE} (default) or
 *       {@link io.havip.zookeeper.WhenUnreachable#HOLD}, with their risks.</li>
 *   <li><b>Strangers</b>: a holder znode havip did not write (a persistent node, garbage data) is
 *       shown as "unknown (... not written by havip ...)" and never deleted: the lease stays taken
 *       until an operator removes it. Candidate znodes with other names are ignored. A holder
 *       whose own znode's data another client rewrote keeps the lease (same znode, same token)
 *       and writes its data back.</li>
 *   <li><b>Sync groups</b>: each member has its own lease; a group does not wait for all of its
 *       members' leases.</li>
 * </ul>
 *
 * <h2>A shared ensemble: credentials and ACLs</h2>
 * A ZooKeeper ensemble usually serves many applications, and without credentials every znode
 * havip creates has the open ACL ({@code world:anyone:cdrwa}): any client of the ensemble can
 * <ul>
 *   <li>delete the holder's znode: the holder is told ("the lease node ... was deleted") and
 *       releases, but another node may be granted before the old holder's watch fires (the
 *       fencing token, larger for the new holder, is what keeps the old one's late writes out;
 *       in {@code ZooKeeperAclTest}'s churn the old holder was told within a few milliseconds
 *       and no overlap was seen, but nothing bounds it below the release deadline);</li>
 *   <li>create a persistent {@code holder}: every node waits ("held by unknown ...") until it is
 *       removed;</li>
 *   <li>register a fake candidate of priority 255 that preempts: the holder yields, and with
 *       the fake candidate first in line the free lease waits {@code FREE_LEASE_GRACE} before
 *       a real node takes it; kept up, the address flaps (lease only) or is held by nobody for
 *       that long each time;</li>
 *   <li>rewrite the holder's data (the holder restores it) or delete candidates.</li>
 * </ul>
 * The authority logs this once at start when no credentials are set. With
 * {@link io.havip.zookeeper.ZooKeeperAuthority.Builder#digest digest credentials} (havipd:
 * {@code zookeeper { auth_file PATH }}), every znode havip creates, parents included, gets
 * {@code digest:<user>:<hash>:cdrwa} and {@code world:anyone:r}: other clients can still read
 * who holds the lease (monitoring, {@code zkCli.sh get}), and can do none of the above (each
 * gets {@code NoAuth}); {@link io.havip.zookeeper.ZooKeeperAuthority.Builder#worldReadable
 * worldReadable(false)} takes the read away too. A node with the wrong password, or without
 * credentials on a protected path, is refused and says so once: the node, the permission
 * (CREATE on {@code <path>/<router>/candidates}, ...), who it is to ZooKeeper and what to do;
 * it never holds the lease. Znodes created open before the credentials were set are named in one
 * warning at connect with the {@code setAcl -R} to run; havip does not change them itself, so
 * that nodes still without credentials during a rolling change keep working until the operator
 * runs it.
 *
 * <p>Not protected: a client that has the credentials (anyone who can read the password file),
 * a ZooKeeper superuser ({@code superDigest}) or whoever administers the servers or their data
 * directory, a path that another client created first with an ACL of its own (havip is then
 * refused, and says so), and the password on the wire: digest sends it in clear unless the
 * client connects with TLS.
 */
package io.havip.zookeeper;
