package io.havip.vrrp.internal.engine;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in the order given, on a shared pool: what a single-thread executor
 * per router gave, without a thread per router. At most one pool thread works for one serial
 * executor at any moment, so a router's address work (hooks, binder) and its listener callbacks
 * keep their order while all routers of a runtime share a few threads.
 *
 * <p>A task that throws is logged and the next one runs. After {@link #shutdown()} new tasks are
 * refused with {@link RejectedExecutionException}; those queued before still run, and
 * {@link #terminated()} completes once the last has.
 */
public final class SerialExecutor implements Executor {

    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

    private final String name;
    private final Executor pool;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Tasks accepted and not finished yet (the queue's size is not constant-time). */
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean shutdown;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final Runnable drain = this::drain;

    public SerialExecutor(String name, Executor pool) {
        this.name = name;
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException(name + " is shut down");
        }
        pending.incrementAndGet();
        tasks.add(task);
        schedule();
    }

    /** Tasks accepted and not finished. */
    int pending() {
        return pending.get();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                pool.execute(drain);
            } catch (RejectedExecutionException e) {
                // the runtime's pool is closed: run what is left here, in order
                drain();
            }
        }
    }

    private void drain() {
        Runnable task;
        // A bounded turn, so one router's burst of work cannot hold a pool thread for ever.
        for (int turn = 0; turn < 64 && (task = tasks.poll()) != null; turn++) {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                log.error("{}: task failed", name, e);
            } finally {
                pending.decrementAndGet();
            }
        }
        scheduled.set(false);
        if (!tasks.isEmpty()) {
            schedule();
        } else if (shutdown && pending.get() == 0) {
            terminated.complete(null);
        }
    }

    /** Refuses new tasks; the queued ones still run. */
    void shutdown() {
        shutdown = true;
        if (pending.get() == 0) {
            terminated.complete(null);
        } else {
            schedule(); // a drain that just finished may have missed the flag
        }
    }

    /** Completes when, after {@link #shutdown()}, the last queued task has run. */
    CompletableFuture<Void> terminated() {
        return terminated;
    }
}
