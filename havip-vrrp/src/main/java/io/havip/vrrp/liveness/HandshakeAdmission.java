package io.havip.vrrp.liveness;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Which accepted liveness connections may wait for their handshake, and which must go: the
 * bookkeeping behind the listener's limits, with no sockets and no clock of its own (every
 * input carries {@code now}). Not thread-safe: the monitor calls it under one lock.
 *
 * <h2>The rules</h2>
 * A connection is <em>unauthenticated</em> from its accept until its client proves the secret.
 * <ul>
 *   <li>A connection from a <em>peer</em> address is never turned away for strangers: peers do not
 *       count against the strangers' limits. A peer address with
 *       {@value LivenessMonitor#MAX_UNAUTHENTICATED_PER_SOURCE} unauthenticated connections open
 *       gets the new one and loses its oldest (a redial replaces a stale attempt).</li>
 *   <li>When strangers may authenticate at all (multicast: any holder of the secret), a stranger
 *       address may have {@value LivenessMonitor#MAX_UNAUTHENTICATED_PER_SOURCE} unauthenticated
 *       connections open; more are refused. All strangers together may have
 *       {@value LivenessMonitor#MAX_UNAUTHENTICATED}; a new stranger connection beyond that evicts
 *       the oldest one, so a newcomer that answers within a round trip still gets in.</li>
 *   <li>When only peers may authenticate (unicast peers configured), a stranger's connection is
 *       refused at once: its hello could only be refused later.</li>
 *   <li>Every unauthenticated connection must complete its handshake within the deadline
 *       (counted from its accept, not per read, so a trickle of bytes does not extend it).</li>
 * </ul>
 *
 * @param <C> the monitor's handle for a connection
 */
final class HandshakeAdmission<C> {

    /** Why a connection is refused or closed before it authenticated. */
    enum Reason {
        /** Unicast: the source is not a configured peer, so its hello could never be accepted. */
        NOT_A_PEER,
        /** The source already has the most unauthenticated connections one address may have. */
        SOURCE_OVER_LIMIT,
        /** Closed to make room for a newer connection (the oldest stranger, or a peer's own oldest). */
        EVICTED,
        /** No complete handshake within the deadline. */
        TIMED_OUT
    }

    /**
     * The outcome of an accept: {@code refusal} is null when the connection was admitted;
     * {@code evicted} are the connections to close now to make room (already forgotten here).
     */
    record Decision<C>(Reason refusal, List<Pending<C>> evicted) {
        boolean admitted() {
            return refusal == null;
        }
    }

    /** An unauthenticated connection: its handle, source, whether that source is a peer, its deadline. */
    record Pending<C>(C connection, InetAddress source, boolean peer, long deadline) { }

    private final boolean strangersMayAuthenticate;
    private final int perSource;
    private final int strangerLimit;
    private final long deadlineNanos;
    /** In accept order: the first stranger found is the oldest. */
    private final Map<C, Pending<C>> pending = new LinkedHashMap<>();

    HandshakeAdmission(boolean strangersMayAuthenticate, int perSource, int strangerLimit, long deadlineNanos) {
        this.strangersMayAuthenticate = strangersMayAuthenticate;
        this.perSource = perSource;
        this.strangerLimit = strangerLimit;
        this.deadlineNanos = deadlineNanos;
    }

    /** A connection accepted at {@code now} from {@code source} ({@code peer}: a peer address). */
    Decision<C> admit(C connection, InetAddress source, boolean peer, long now) {
        if (!peer && !strangersMayAuthenticate) {
            return new Decision<>(Reason.NOT_A_PEER, List.of());
        }
        List<Pending<C>> evicted = new ArrayList<>(1);
        if (count(p -> p.source().equals(source)) >= perSource) {
            if (!peer) {
                return new Decision<>(Reason.SOURCE_OVER_LIMIT, List.of());
            }
            evicted.add(removeOldest(p -> p.source().equals(source)));
        }
        if (!peer && count(p -> !p.peer()) >= strangerLimit) {
            evicted.add(removeOldest(p -> !p.peer()));
        }
        pending.put(connection, new Pending<>(connection, source, peer, now + deadlineNanos));
        return new Decision<>(null, evicted);
    }

    /**
     * Forgets {@code connection} (authenticated, or ended on its own).
     *
     * @return whether it was still pending here (false: it was already evicted or timed out)
     */
    boolean remove(C connection) {
        return pending.remove(connection) != null;
    }

    /** Removes and returns the connections whose deadline has passed at {@code now}. */
    List<Pending<C>> expired(long now) {
        List<Pending<C>> out = new ArrayList<>();
        for (Iterator<Pending<C>> it = pending.values().iterator(); it.hasNext(); ) {
            Pending<C> p = it.next();
            if (now - p.deadline() >= 0) {
                it.remove();
                out.add(p);
            }
        }
        return out;
    }

    /** Unauthenticated connections open now. */
    int size() {
        return pending.size();
    }

    private int count(Predicate<Pending<C>> which) {
        int n = 0;
        for (Pending<C> p : pending.values()) {
            if (which.test(p)) {
                n++;
            }
        }
        return n;
    }

    private Pending<C> removeOldest(Predicate<Pending<C>> which) {
        for (Iterator<Pending<C>> it = pending.values().iterator(); it.hasNext(); ) {
            Pending<C> p = it.next();
            if (which.test(p)) {
                it.remove();
                return p;
            }
        }
        throw new IllegalStateException("no pending connection to evict"); // callers counted at least one
    }
}
