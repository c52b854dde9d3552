package io.havip.vrrp;

import io.havip.core.Clock;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that drives every virtual router of a {@link HavipRuntime}: each router's
 * machine, its adverts and its protocol timers run here, so the routers of a runtime cost no
 * thread each, and a sync group's members (which must be driven by one thread) are.
 *
 * <p>A router is a {@link Driven}: other threads queue its input (a packet, a check result,
 * close) and call {@link #wake}; the loop then calls {@link Driven#onEvents}. Each router has
 * one deadline, its {@link Driven#nextDeadline()}, kept in a heap; when it passes the loop calls
 * {@link Driven#onTimer}. Deadlines are read from the runtime's {@link Clock}; the wait between
 * them is a park, cut short by {@link #wake}. Nothing here may block: the routers' blocking
 * work (hooks, listeners, health checks) runs on the runtime's pools.
 */
final class EventLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);
    /** No deadline. */
    static final long NEVER = Long.MAX_VALUE;

    /** What the loop drives; every method is called on the loop thread. */
    interface Driven {
        /** Handles the input queued for it (a bounded amount; it is woken again for more). */
        void onEvents(long now);

        /** Its deadline passed. */
        void onTimer(long now);

        /** Its next deadline in {@link Clock#nanoTime()} terms, {@link #NEVER} when none. */
        long nextDeadline();
    }

    /** A driven thing's registration: its wake flag and its place in the timer heap. */
    static final class Slot {
        final Driven driven;
        final AtomicBoolean woken = new AtomicBoolean();
        /** Loop thread only. */
        Timer timer;
        boolean registered = true;

        Slot(Driven driven) {
            this.driven = driven;
        }
    }

    private static final class Timer implements Comparable<Timer> {
        final long deadline;
        final Slot slot;
        boolean cancelled;

        Timer(long deadline, Slot slot) {
            this.deadline = deadline;
            this.slot = slot;
        }

        @Override
        public int compareTo(Timer o) {
            return Long.compare(deadline - o.deadline, 0); // nanoTime may wrap: compare the difference
        }
    }

    private final Clock clock;
    private final Thread thread;
    private final Queue<Slot> woken = new ConcurrentLinkedQueue<>();
    /** Loop thread only. */
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private volatile boolean closed;

    EventLoop(String name, Clock clock) {
        this.clock = clock;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    Slot register(Driven driven) {
        return new Slot(driven);
    }

    /** Any thread: {@code slot}'s router has input queued. */
    void wake(Slot slot) {
        if (slot.woken.compareAndSet(false, true)) {
            woken.add(slot);
            if (Thread.currentThread() != thread) {
                LockSupport.unpark(thread);
            }
        }
    }

    /** Loop thread: the router leaves the loop (its close finishes elsewhere). */
    void unregister(Slot slot) {
        slot.registered = false;
        if (slot.timer != null) {
            slot.timer.cancelled = true;
            slot.timer = null;
        }
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    private void run() {
        while (!closed) {
            try {
                turn();
            } catch (RuntimeException | Error e) {
                // Driven code catches its own failures; this is a bug in the loop or a router's handler.
                log.error("event loop {}: a router's handler failed; going on", thread.getName(), e);
            }
        }
    }

    private void turn() {
        // Input first: a packet that arrived before a deadline (the master's advert) must count.
        int budget = Math.max(1, woken.size());
        Slot s;
        while (budget-- > 0 && (s = woken.poll()) != null) {
            s.woken.set(false);
            if (s.registered) {
                s.driven.onEvents(clock.nanoTime());
                reschedule(s);
            }
        }
        long now = clock.nanoTime();
        Timer t;
        while ((t = timers.peek()) != null && (t.cancelled || t.deadline - now <= 0)) {
            timers.poll();
            if (t.cancelled || !t.slot.registered) {
                continue;
            }
            t.slot.timer = null;
            t.slot.driven.onTimer(now);
            reschedule(t.slot);
            if (!woken.isEmpty()) {
                return; // input that came meanwhile goes before the next timer
            }
            now = clock.nanoTime();
        }
        if (!woken.isEmpty() || closed) {
            return;
        }
        t = timers.peek();
        if (t == null) {
            LockSupport.park(this);
        } else {
            long wait = t.deadline - clock.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
            }
        }
    }

    /** Loop thread: puts {@code slot}'s next deadline in the heap (after any handling). */
    void reschedule(Slot slot) {
        if (!slot.registered) {
            return;
        }
        long d = slot.driven.nextDeadline();
        if (slot.timer != null) {
            if (slot.timer.deadline == d) {
                return;
            }
            slot.timer.cancelled = true;
            slot.timer = null;
        }
        if (d != NEVER) {
            slot.timer = new Timer(d, slot);
            timers.add(slot.timer);
        }
    }

    /** Stops the thread; the routers must have left first. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    String threadName() {
        return thread.getName();
    }
}
