package io.havip.vrrp.liveness;

import io.havip.core.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that does all the I/O and all the timing of the liveness channels it serves:
 * a {@link Selector} over non-blocking sockets (listeners, accepted and dialled connections)
 * and a timer queue on the injected {@link Clock}. A {@link LivenessMonitor} creates its own by
 * default; monitors given the same loop share its thread, so the thread count does not grow
 * with routers, connections or peers.
 *
 * <p>Deadlines are {@link Clock#nanoTime()} readings; the wait for the next one is the
 * selector's, cut short by I/O, by {@link #execute} and by {@link #wakeup}. With a manual clock
 * the wait is computed from the clock's reading, so a test that advances the clock calls
 * {@link #wakeup} to have the loop look at its deadlines again. Nothing here blocks: writes are
 * non-blocking and what the kernel does not take is queued on the connection (bounded by the
 * monitor).
 *
 * <p>Thread-safe: {@link #execute}, {@link #wakeup} and {@link #close} from any thread; the rest
 * on the loop thread only.
 */
public final class LivenessLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LivenessLoop.class);
    /** Below this, the wait for a deadline is a park (the selector's timeout counts whole milliseconds). */
    private static final long SUB_MILLI = 1_000_000L;

    /** What a registered channel's key carries: called on the loop thread when the key is ready. */
    interface Handler {
        void ready(SelectionKey key);
    }

    /** A pending timer; {@link #cancel} it when what it times is over. Loop thread only. */
    static final class Timer implements Comparable<Timer> {
        final long at;
        final Runnable action;
        private boolean cancelled;

        private Timer(long at, Runnable action) {
            this.at = at;
            this.action = action;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            return Long.compare(at - o.at, 0); // nanoTime may wrap: compare by the difference
        }
    }

    private final Clock clock;
    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private volatile boolean closed;

    /**
     * Opens the selector and starts the thread (a daemon named {@code threadName}).
     *
     * @throws UncheckedIOException when no selector can be opened (out of file descriptors)
     */
    public LivenessLoop(String threadName, Clock clock) {
        this.clock = clock;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for the liveness channel (" + e.getMessage()
                    + "); raise the process's file descriptor limit", e);
        }
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    Clock clock() {
        return clock;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Any thread: runs {@code task} on the loop thread, soon (in order with other tasks). */
    void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop()) {
            selector.wakeup();
        }
    }

    /**
     * Any thread: runs {@code task} on the loop and waits for it, at most {@code timeoutMillis};
     * on the loop thread it runs at once. Returns whether it ran.
     */
    boolean executeAndWait(Runnable task, long timeoutMillis) {
        if (inLoop()) {
            task.run();
            return true;
        }
        if (closed) {
            return false; // nothing would run it
        }
        CountDownLatch done = new CountDownLatch(1);
        execute(() -> {
            try {
                task.run();
            } finally {
                done.countDown();
            }
        });
        try {
            return done.await(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Any thread: the loop looks at its deadlines now (after a manual clock moved). */
    public void wakeup() {
        selector.wakeup();
    }

    /** Loop thread: {@code action} runs when the clock reaches {@code at}. */
    Timer schedule(long at, Runnable action) {
        Timer t = new Timer(at, action);
        timers.add(t);
        return t;
    }

    /** Loop thread: registers {@code channel} (non-blocking) for {@code ops}, handled by {@code handler}. */
    SelectionKey register(SelectableChannel channel, int ops, Handler handler) throws IOException {
        channel.configureBlocking(false);
        return channel.register(selector, ops, handler);
    }

    /**
     * Loop thread: lets the selector drop the keys of channels closed just now, so their file
     * descriptors are really closed (a registered channel's close is completed by the selector):
     * a listener closed here refuses new connections when this returns.
     */
    void flushClosed() {
        try {
            selector.selectNow(); // ready keys stay selected and are handled in this turn or the next
        } catch (IOException | ClosedSelectorException e) {
            log.debug("liveness loop: flushing closed channels failed: {}", e.toString());
        }
    }

    private void run() {
        while (!closed) {
            try {
                turn();
            } catch (ClosedSelectorException e) {
                return;
            } catch (RuntimeException | Error e) {
                // handlers catch their own I/O failures; this is a bug: log it, keep the other channels
                log.error("liveness loop {}: a handler failed; going on", thread.getName(), e);
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("liveness loop: closing the selector failed: {}", e.toString());
        }
    }

    private void turn() throws ClosedSelectorException {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
        Timer t = runDue();
        if (closed) {
            return;
        }
        try {
            if (!tasks.isEmpty()) {
                selector.selectNow();
            } else if (t == null) {
                selector.select();
            } else {
                long wait = t.at - clock.nanoTime();
                if (wait <= 0) {
                    selector.selectNow();
                } else if (wait < SUB_MILLI) {
                    LockSupport.parkNanos(this, wait); // a confirming redial 200 us from now
                    selector.selectNow();
                } else {
                    selector.select(wait / SUB_MILLI);
                }
            }
        } catch (IOException e) {
            log.warn("liveness loop {}: select failed: {}", thread.getName(), e.toString());
            return;
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            if (key.isValid()) {
                ((Handler) key.attachment()).ready(key);
            }
        }
    }

    /** Loop thread: runs the timers due at the clock's reading; returns the next one, or null. */
    Timer runDue() {
        long now = clock.nanoTime();
        Timer t;
        while ((t = timers.peek()) != null && (t.cancelled || t.at - now <= 0)) {
            timers.poll();
            if (!t.cancelled) {
                t.action.run();
                now = clock.nanoTime();
            }
        }
        return t;
    }

    /**
     * Stops the thread and closes the selector; the monitors on it must have closed first.
     * Idempotent; waits up to 2 s for the thread unless called on it.
     */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        if (!inLoop()) {
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    String threadName() {
        return thread.getName();
    }
}
