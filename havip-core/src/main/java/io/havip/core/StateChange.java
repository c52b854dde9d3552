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
 */
public record StateChange(RouterId router, RouterState from, RouterState to, TransitionReason reason, int priority,
                          Instant at) {

    public StateChange {
        if (router == null || from == null || to == null || reason == null || at == null) {
            throw new IllegalArgumentException("StateChange fields may not be null");
        }
        if (priority < 0 || priority > 255) {
            throw new IllegalArgumentException("priority " + priority + " is outside 0-255");
        }
    }

    @Override
    public String toString() {
        return router.name() + ": " + from + " -> " + to + " (" + reason + ", priority " + priority + ", at " + at + ")";
    }
}
