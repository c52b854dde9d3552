package io.havip.vrrp.election;

import java.time.Instant;

/**
 * Who holds a lease, as the store says.
 *
 * @param node  the holder's node name as it registered it (or a description of a lease node
 *              havip did not write, e.g. {@code "unknown (not a havip lease node)"})
 * @param token the fencing token of its grant, or -1 when unknown
 * @param since when it obtained the lease (the store's time of the grant), or null when unknown
 */
public record LeaseHolder(String node, long token, Instant since) {
    public LeaseHolder {
        if (node == null || node.isBlank()) {
            throw new IllegalArgumentException("lease holder node name is empty");
        }
    }

    @Override
    public String toString() {
        return node + (since == null ? "" : " since " + since) + (token < 0 ? "" : " (fencing token " + token + ")");
    }
}
