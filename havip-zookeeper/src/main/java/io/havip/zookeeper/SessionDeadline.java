package io.havip.zookeeper;

import java.time.Duration;

/**
 * When a lease held through a ZooKeeper session must be released, sans-IO: time goes in as
 * {@code nowNanos} (the router's {@code io.havip.core.Clock}), nothing here reads a clock.
 *
 * <h2>The arithmetic</h2>
 * A lease is an ephemeral node; ZooKeeper deletes it, and another node can then obtain the
 * lease, when the ensemble expires the holder's session: no earlier than the negotiated
 * session timeout {@code T} after the ensemble last heard from it. So:
 * <ol>
 *   <li>Every request answered in the session proves the ensemble heard from us after we sent
 *       it. the caller takes a clock reading <em>before</em> the request goes out and
 *       {@link #answered} turns it into {@code lastHeard} when its answer comes back in the same
 *       session: the ensemble cannot have heard from us earlier than that reading. The
 *       heartbeat is a {@code sync}, which a follower forwards to the leader, because a read
 *       answered by a follower cut off from the leader would prove nothing about the leader's
 *       session tracker.</li>
 *   <li>A follower reports the sessions it heard from to the leader at the leader's next ping,
 *       every {@code tickTime / 2}; ZooKeeper's smallest session timeout is {@code 2 tickTime}
 *       (its default {@code minSessionTimeout}), so that report lags by at most {@code T / 4}.
 *       ({@link #TOUCH_LAG_FRACTION})</li>
 *   <li>Our clock may run slower than the leader's: the margin allows {@link #CLOCK_RATE_PERCENT}
 *       percent of {@code T} (NTP keeps a clock's rate within 0.05 %; a virtual machine's can
 *       be worse).</li>
 *   <li>A pause (GC, the host stealing the CPU) between the deadline and the unbind: a fixed
 *       allowance {@code P}, default {@link #DEFAULT_PAUSE_ALLOWANCE}. The router also moves its
 *       deadline earlier by its release hooks' timeouts, which run before the unbind.</li>
 * </ol>
 * Release deadline = {@code lastHeard + T - (T/4 + T x 1 % + P)}; with {@code T = 10 s} and
 * {@code P = 500 ms}: {@code lastHeard + 6.9 s}. The heartbeat runs every {@code T / 10}, so
 * while ZooKeeper answers the deadline stays about 6 s ahead. A SUSPENDED connection changes
 * nothing: no answers, so the countdown runs from the last moment the ensemble is known to
 * have heard us, and the holder lets go at the deadline unless an answer arrives first; a LOST
 * session ends the lease at once. (Curator's client declares the connection lost after its read
 * timeout, {@code 2T/3} without hearing the server; our deadline is at most {@code 0.69 T} after
 * the last answer, so with the defaults the holder lets go about when the client notices.)
 * A pause longer than {@code P} after the deadline is the one case this cannot cover; the
 * fencing token is there for it.
 */
public final class SessionDeadline {

    /** No answer yet (or no bound). */
    public static final long NEVER = Long.MAX_VALUE;
    /** The leader may hear of a follower's session touch up to a quarter of the session timeout late. */
    public static final int TOUCH_LAG_FRACTION = 4;
    /** The clock-rate allowance, percent of the session timeout. */
    public static final int CLOCK_RATE_PERCENT = 1;
    /** The default pause allowance. */
    public static final Duration DEFAULT_PAUSE_ALLOWANCE = Duration.ofMillis(500);

    private final long sessionTimeoutNanos;
    private final long marginNanos;
    private long lastHeard = NEVER;
    private long session;

    /**
     * @param sessionTimeout the negotiated session timeout (the server may have clamped the one
     *                       asked for; see {@link #withSessionTimeout})
     * @param pauseAllowance the allowance {@code P} for a pause before the unbind
     */
    public SessionDeadline(Duration sessionTimeout, Duration pauseAllowance) {
        if (sessionTimeout == null || sessionTimeout.isNegative() || sessionTimeout.isZero()) {
            throw new IllegalArgumentException("session timeout " + sessionTimeout + " must be positive");
        }
        if (pauseAllowance == null || pauseAllowance.isNegative()) {
            throw new IllegalArgumentException("pause allowance " + pauseAllowance + " must be zero or positive");
        }
        this.sessionTimeoutNanos = sessionTimeout.toNanos();
        this.marginNanos = sessionTimeoutNanos / TOUCH_LAG_FRACTION + sessionTimeoutNanos * CLOCK_RATE_PERCENT / 100
                + pauseAllowance.toNanos();
        if (marginNanos >= sessionTimeoutNanos) {
            throw new IllegalArgumentException("a session timeout of " + sessionTimeout.toMillis() + " ms leaves no "
                    + "time to hold a lease after the margin of " + marginNanos / 1_000_000 + " ms (a quarter of it, 1 % "
                    + "of it and the pause allowance of " + pauseAllowance.toMillis() + " ms): raise the session timeout "
                    + "or lower the pause allowance");
        }
    }

    /** The same pause allowance with the session timeout the server negotiated; keeps nothing heard. */
    public SessionDeadline withSessionTimeout(Duration negotiated) {
        return new SessionDeadline(negotiated, Duration.ofNanos(marginNanos - sessionTimeoutNanos / TOUCH_LAG_FRACTION
                - sessionTimeoutNanos * CLOCK_RATE_PERCENT / 100));
    }

    /**
     * The request sent at {@code sentAtNanos} in {@code sessionId} was answered in that same
     * session: the ensemble heard us after {@code sentAtNanos}. An answer in a session other
     * than the one of the last answers starts over (the leases of the old one are gone).
     */
    public void answered(long sentAtNanos, long sessionId) {
        if (sessionId != session) {
            session = sessionId;
            lastHeard = sentAtNanos;
            return;
        }
        if (lastHeard == NEVER || sentAtNanos - lastHeard > 0) {
            lastHeard = sentAtNanos;
        }
    }

    /** The session ended (expired, closed): nothing is proven any more. */
    public void lost() {
        lastHeard = NEVER;
        session = 0;
    }

    /** The moment by which a holder in the current session must have released, or {@link #NEVER} before any answer. */
    public long releaseDeadline() {
        return lastHeard == NEVER ? NEVER : lastHeard + sessionTimeoutNanos - marginNanos;
    }

    /** True when a lease of the current session may still be held at {@code nowNanos}. */
    public boolean valid(long nowNanos) {
        return lastHeard != NEVER && nowNanos - releaseDeadline() < 0;
    }

    /** The session the answers came in (0 before any). */
    public long session() {
        return session;
    }

    /** When the ensemble was last known to have heard us, or {@link #NEVER}. */
    public long lastHeardNanos() {
        return lastHeard;
    }

    public Duration sessionTimeout() {
        return Duration.ofNanos(sessionTimeoutNanos);
    }

    /** {@code T/4 + T x 1 % + P}. */
    public Duration margin() {
        return Duration.ofNanos(marginNanos);
    }
}
