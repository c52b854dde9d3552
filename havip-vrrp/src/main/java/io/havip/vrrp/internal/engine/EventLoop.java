package io.havip.vrrp.internal.engine;

import io.havip.core.Clock;
import io.havip.vrrp.HavipRuntime;
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
public final class EventLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);
    /** No deadline. */
    public static final long NEVER = Long.MAX_VALUE;

    /** What the loop drives; every method is called on the loop thread. */
    interface Driven {
        /** Handles the input queued for it (a bounded amount; it is woken again for more). */
        void onEvents(long now);

        /** Its deadline passed. */
        void onTimer(long now);

        /** Its next deadline in {@link Clock#nanoTime()} terms, {@link #NEVER} when none. */
        long nextDeadline();
    }

    /**
     * How the loop waits for its next deadline and how other threads cut that wait short. By
     * default it parks; a runtime with Linux routers has it wait in its VRRP socket hub's poll
     * instead ({@link #waitIn}), so an advert is read and handled by the loop itself: no
     * receive thread to wake, no hand-off, one wake-up per advert.
     */
    public interface Waiter {
        /** Loop thread: waits up to {@code nanos} ({@link #NEVER}: no bound; 0: only what is ready). */
        void await(long nanos);

        /** Any thread: the current or next {@link #await} returns now. */
        void wake();
    }

    /** A driven thing's registration: its wake flag and its place in the timer heap. */
    static final class Slot {
        final Driven driven;
        final AtomicBoolean woken = new AtomicBoolean();
        /** Loop thread only: its deadline while in the heap, and its index there (-1: not in it). */
        long deadline = NEVER;
        int index = -1;
        boolean registered = true;

        Slot(Driven driven) {
            this.driven = driven;
        }
    }

    private final Clock clock;
    private final Thread thread;
    private final Queue<Slot> woken = new ConcurrentLinkedQueue<>();
    /**
     * Loop thread only: the registered slots with a deadline, a binary min-heap on
     * {@link Slot#deadline} in which each slot knows its index, so a deadline that moves (the
     * Master_Down_Timer on every advert) is moved in place: no allocation, and no stale entry
     * left behind to wake the loop for nothing when its old deadline passes.
     */
    private Slot[] heap = new Slot[16];
    private int heapSize;
    private volatile boolean closed;
    /** Parks: the wait until {@link #waitIn} replaces it. */
    private final Waiter parker = new Waiter() {
        @Override
        public void await(long nanos) {
            if (nanos == NEVER) {
                LockSupport.park(EventLoop.this);
            } else if (nanos > 0) {
                LockSupport.parkNanos(EventLoop.this, nanos);
            }
        }

        @Override
        public void wake() {
            LockSupport.unpark(thread);
        }
    };
    /** How the loop waits (written by the loop thread only, when it takes {@link #nextWaiter}). */
    private volatile Waiter waiter = parker;
    private final java.util.concurrent.atomic.AtomicReference<Waiter> nextWaiter =
            new java.util.concurrent.atomic.AtomicReference<>();

    public EventLoop(String name, Clock clock) {
        this.clock = clock;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    /**
     * Any thread: the loop waits in {@code w} from its next turn on (once; the runtime's socket
     * hub). The loop thread itself switches, so a {@link #wake} racing with the switch is never
     * lost: a waker that still saw the old waiter queued its slot before the loop switched, and
     * the loop looks at the queue after switching and before it waits.
     */
    public void waitIn(Waiter w) {
        nextWaiter.set(w);
        waiter.wake();
        LockSupport.unpark(thread);
    }

    public void start() {
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
                waiter.wake();
            }
        }
    }

    /** Loop thread: the router leaves the loop (its close finishes elsewhere). */
    void unregister(Slot slot) {
        slot.registered = false;
        remove(slot);
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
        Waiter next = nextWaiter.getAndSet(null);
        if (next != null) {
            waiter = next; // before the queue is looked at (see waitIn)
        }
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
        Slot t;
        while (heapSize > 0 && (t = heap[0]).deadline - now <= 0) {
            remove(t);
            t.driven.onTimer(now);
            reschedule(t);
            if (!woken.isEmpty()) {
                break; // input that came meanwhile goes before the next timer
            }
            now = clock.nanoTime();
        }
        if (closed) {
            return;
        }
        if (!woken.isEmpty()) {
            // busy: no wait, but a waiter that reads sockets gets its round, so a steady stream
            // of other input never starves them
            waiter.await(0);
            return;
        }
        long wait = heapSize == 0 ? NEVER : Math.max(0, heap[0].deadline - clock.nanoTime());
        waiter.await(wait);
    }

    /** Loop thread: puts {@code slot}'s next deadline in the heap (after any handling). */
    void reschedule(Slot slot) {
        if (!slot.registered) {
            return;
        }
        long d = slot.driven.nextDeadline();
        if (d == NEVER) {
            remove(slot);
            return;
        }
        if (slot.index >= 0) {
            if (slot.deadline == d) {
                return;
            }
            long before = slot.deadline;
            slot.deadline = d;
            if (d - before < 0) {
                siftUp(slot.index);
            } else {
                siftDown(slot.index);
            }
            return;
        }
        if (heapSize == heap.length) {
            heap = java.util.Arrays.copyOf(heap, heapSize * 2);
        }
        slot.deadline = d;
        slot.index = heapSize;
        heap[heapSize++] = slot;
        siftUp(slot.index);
    }

    /** Takes {@code slot} out of the heap, if there. */
    private void remove(Slot slot) {
        int i = slot.index;
        if (i < 0) {
            return;
        }
        slot.index = -1;
        slot.deadline = NEVER;
        Slot last = heap[--heapSize];
        heap[heapSize] = null;
        if (i < heapSize) {
            heap[i] = last;
            last.index = i;
            siftDown(i);
            siftUp(last.index);
        }
    }

    /** nanoTime may wrap: deadlines compare by their difference. */
    private static boolean before(Slot a, Slot b) {
        return a.deadline - b.deadline < 0;
    }

    private void siftUp(int i) {
        Slot s = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Slot p = heap[parent];
            if (!before(s, p)) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = s;
        s.index = i;
    }

    private void siftDown(int i) {
        Slot s = heap[i];
        int half = heapSize >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < heapSize && before(heap[right], heap[child])) {
                child = right;
            }
            if (!before(heap[child], s)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].index = i;
            i = child;
        }
        heap[i] = s;
        s.index = i;
    }

    /** Stops the thread; the routers must have left first. */
    @Override
    public void close() {
        closed = true;
        waiter.wake();
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
