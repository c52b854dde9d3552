package io.havip.zookeeper;

/**
 * What a lease holder does while ZooKeeper cannot be reached (its connection is suspended, or
 * the ensemble has lost its quorum).
 */
public enum WhenUnreachable {
    /**
     * The default, and the only setting that excludes two holders: the holder releases the
     * addresses by the grant's release deadline ({@link SessionDeadline}), before the ensemble
     * can expire its session and grant the lease to another node. Cost: when the whole ensemble
     * is down (or this node is cut off from it), nobody holds the addresses until it answers
     * again, although the holder itself may be healthy and reachable by clients.
     */
    RELEASE,
    /**
     * The holder keeps the addresses while ZooKeeper does not answer, and releases only when
     * Curator declares the session lost (a negotiated session timeout after the connection was
     * suspended) or, on reconnecting, finds its lease gone. Benefit: an ensemble outage shorter
     * than that leaves the addresses where they are. Risk: if the other nodes still reach the
     * ensemble while this one does not (a partition between this node and ZooKeeper), the
     * ensemble expires this node's session and grants the lease to another node up to about one
     * session timeout before this node lets go, and during that time two nodes answer for the
     * address, which is what the lease is there to prevent. Use only where ZooKeeper outages
     * are the bigger risk and the application fences its writes with the token.
     */
    HOLD
}
