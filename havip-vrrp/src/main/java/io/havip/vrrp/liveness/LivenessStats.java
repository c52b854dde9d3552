package io.havip.vrrp.liveness;

import java.time.Duration;

/**
 * The liveness channel's counters (all zero, {@code enabled} false, when it is off).
 *
 * @param enabled               whether the channel runs (a secret is configured)
 * @param port                  the TCP port it listens on (0 when off)
 * @param grace                 the configured grace
 * @param channelsUp            authenticated connections open now (dialled and accepted)
 * @param channelsEstablished   authenticated connections ever made, both directions
 * @param peersWithoutListener  peers whose port refused the first connection (not havip, e.g.
 *                              keepalived, or not started): they get plain VRRP timing
 * @param refusedBadProof       handshakes refused because a proof was wrong (other secret,
 *                              forged or replayed hello)
 * @param refusedUnknownPeer    hellos from an address not among the peers, or not matching the
 *                              connection's source address; with unicast peers, also every
 *                              connection from an address that is not a peer (closed at accept)
 * @param refusedMalformed      connections closed for a frame that is not a hello, heartbeat or
 *                              goodbye, is oversized or out of place, or names another router
 * @param refusedOverLimit      connections closed at once because too many were open: a stranger
 *                              address already holding its unauthenticated connections, or all
 *                              connections at their bound
 * @param goodbyesSent          goodbyes sent on a graceful close
 * @param goodbyesReceived      goodbyes received
 * @param halfOpenClosed        connections closed after three heartbeat intervals of silence
 *                              (never a takeover by itself)
 * @param processDeaths         channels that ended without goodbye and whose port then refused
 *                              a new connection: the peer's process is gone
 * @param takeoversTriggered    of those, the ones about the master this backup followed, with
 *                              no advert from it within the grace: handed to the state machine
 * @param cancelledByAdvert     process deaths cancelled by an advert from that master in the grace
 * @param ignored               process deaths of a peer that was not our master (or within the
 *                              hold-down after the previous one)
 * @param handshakesTimedOut    unauthenticated connections closed because the handshake did not
 *                              complete within its deadline (1 s from the accept)
 * @param evictedUnauthenticated unauthenticated connections closed to make room for a newer one
 *                              (the oldest stranger when strangers hold their limit, or a peer
 *                              address's own oldest attempt)
 * @param unauthenticatedOpen   accepted connections waiting for their handshake now
 */
public record LivenessStats(boolean enabled, int port, Duration grace, int channelsUp, long channelsEstablished,
                            long peersWithoutListener, long refusedBadProof, long refusedUnknownPeer,
                            long refusedMalformed, long refusedOverLimit, long goodbyesSent, long goodbyesReceived,
                            long halfOpenClosed, long processDeaths, long takeoversTriggered, long cancelledByAdvert,
                            long ignored, long handshakesTimedOut, long evictedUnauthenticated,
                            int unauthenticatedOpen) {

    /** The stats of a router without a liveness channel. */
    public static LivenessStats disabled() {
        return new LivenessStats(false, 0, Duration.ZERO, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** These counters with the engine's decisions on the reported process deaths. */
    public LivenessStats withDecisions(long triggered, long cancelled, long ignoredDeaths) {
        return new LivenessStats(enabled, port, grace, channelsUp, channelsEstablished, peersWithoutListener,
                refusedBadProof, refusedUnknownPeer, refusedMalformed, refusedOverLimit, goodbyesSent,
                goodbyesReceived, halfOpenClosed, processDeaths, triggered, cancelled, ignoredDeaths, handshakesTimedOut,
                evictedUnauthenticated, unauthenticatedOpen);
    }
}
