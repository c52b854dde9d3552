package io.havip.core;

import java.time.Instant;

/**
 * The time source the engine and its timers read; injected so tests and simulations
 * run minutes of protocol in milliseconds (compare Netty's {@code Ticker}).
 */
public interface Clock {

    /** A monotonic reading in nanoseconds, for deadlines; only differences are meaningful. */
    long nanoTime();

    /** The wall-clock time, for {@link StateChange#at()} and logs. */
    Instant instant();

    /** The system clock: {@link System#nanoTime()} and {@link Instant#now()}. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }

    /** A clock moved only by {@link ManualClock#advance}, starting at {@code start}. */
    static ManualClock manual(Instant start) {
        return new ManualClock(start);
    }
}

enum SystemClock implements Clock {
    INSTANCE;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Instant instant() {
        return Instant.now();
    }
}
