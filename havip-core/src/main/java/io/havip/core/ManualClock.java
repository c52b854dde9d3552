package io.havip.core;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Clock} that moves only when told to; thread-safe. */
public final class ManualClock implements Clock {

    private final Instant start;
    private final AtomicLong nanos = new AtomicLong();

    ManualClock(Instant start) {
        this.start = start;
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public Instant instant() {
        return start.plusNanos(nanos.get());
    }

    /** Moves time forward by {@code by}; never backwards. */
    public void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("time only moves forward, got " + by);
        }
        nanos.addAndGet(by.toNanos());
    }

    /** Sets the monotonic reading to {@code nanoTime} if it is not in the past. */
    public void advanceTo(long nanoTime) {
        nanos.getAndUpdate(now -> {
            if (nanoTime < now) {
                throw new IllegalArgumentException("time only moves forward: " + nanoTime + " < " + now);
            }
            return nanoTime;
        });
    }
}
