package io.havip.core;

import java.time.Instant;

/**
 * One state change of a virtual router, as listeners see it.
 *
 * @param router   which virtual router changed
 * @param from     the state before
 * @param to       the state after; for MASTER the address is already bound, for the
 *                 others already released, when listeners are called
 * @param reason   why it changed
 * @param priority this node's effective priority at the time (after tracker weights)
 * @param at       when the engine made the change (wall clock of the injected {@link Clock})
 * @param fencingToken with an election authority (a ZooKeeper lease, say): the fencing token of
 *                 the lease held in this change, a number that strictly increases with every new
 *                 holder of the router's lease, so a backend can refuse a write that carries a
 *                 smaller one than it has seen (a paused or partitioned old master). On a change
 *                 to MASTER the token of the lease just granted; on a change from MASTER the
 *                 token of the lease being given up (so a release hook knows which term ends);
 *                 otherwise, and always without an election authority, {@link #NO_TOKEN}.
 */
public record StateChange(RouterId router, RouterState from, RouterState to, TransitionReason reason, int priority,
                          Instant at, long fencingToken) {

    /** The {@link #fencingToken()} of a change that holds no lease: no election authority, or not master. */
    public static final long NO_TOKEN = -1;

    public StateChange {
        if (router == null || from == null || to == null || reason == null || at == null) {
            throw new IllegalArgumentException("StateChange fields may not be null");
        }
        if (priority < 0 || priority > 255) {
            throw new IllegalArgumentException("priority " + priority + " is outside 0-255");
        }
        if (fencingToken < NO_TOKEN) {
            throw new IllegalArgumentException("fencingToken " + fencingToken + " must be -1 (none) or 0 and more");
        }
    }

    /** A change without a fencing token ({@link #NO_TOKEN}): routers without an election authority. */
    public StateChange(RouterId router, RouterState from, RouterState to, TransitionReason reason, int priority,
                       Instant at) {
        this(router, from, to, reason, priority, at, NO_TOKEN);
    }

    /** True when {@link #fencingToken()} carries a lease's token. */
    public boolean hasFencingToken() {
        return fencingToken != NO_TOKEN;
    }

    @Override
    public String toString() {
        return router.name() + ": " + from + " -> " + to + " (" + reason + ", priority " + priority + ", at " + at
                + (fencingToken == NO_TOKEN ? "" : ", fencing token " + fencingToken) + ")";
    }
}
