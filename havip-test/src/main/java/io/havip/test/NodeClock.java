package io.havip.test;

import io.havip.core.Clock;
import io.havip.core.ManualClock;
import java.time.Instant;

/**
 * One node's view of the cluster's virtual clock: the same time, except that while the node is
 * paused its time stands still (what a stopped process sees when it wakes: time jumped).
 */
final class NodeClock implements Clock {

    private final ManualClock base;
    /** The base reading at the pause; null while running. */
    private volatile Long frozenAt;

    NodeClock(ManualClock base) {
        this.base = base;
    }

    void pause() {
        if (frozenAt == null) {
            frozenAt = base.nanoTime();
        }
    }

    void resume() {
        frozenAt = null;
    }

    boolean paused() {
        return frozenAt != null;
    }

    @Override
    public long nanoTime() {
        Long f = frozenAt;
        return f != null ? f : base.nanoTime();
    }

    @Override
    public Instant instant() {
        Long f = frozenAt;
        Instant now = base.instant();
        return f == null ? now : now.minusNanos(base.nanoTime() - f);
    }
}
