package io.havip.vrrp;

import io.havip.core.Clock;
import io.havip.vrrp.internal.engine.Engine;
import io.havip.vrrp.internal.engine.EventLoop;
import io.havip.vrrp.internal.engine.RuntimeServices;
import io.havip.vrrp.internal.engine.SerialExecutor;
import io.havip.vrrp.internal.linux.LinuxShared;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.time.Duration;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives every virtual router of an application with a small, fixed set of threads, however
 * many routers there are: one event loop thread runs all their state machines, adverts and
 * timers, and on Linux reads every router's VRRP packets from one socket per interface and
 * family where it would otherwise wait; one link monitor per network namespace follows links and
 * addresses. Address work (hooks, binds, releases) and listener callbacks run on two small
 * shared pools, in order per router.
 *
 * <p>One runtime per JVM is the normal case:
 * <pre>{@code
 * try (HavipRuntime runtime = HavipRuntime.create()) {
 *     VirtualRouter outside = Havip.builder().runtime(runtime)...start();
 *     VirtualRouter inside = Havip.builder().runtime(runtime)...start();
 *     ...
 * } // closes both routers (each releases its address and sends its priority-0 advert)
 * }</pre>
 * A router started without {@code runtime(...)} runs on {@link #shared()}, the JVM's default
 * runtime (daemon threads, started on first use, never closed), unless it is given its own
 * {@link Clock} (tests): then it gets a runtime of its own, closed with it.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>{@code havip-loop-<name>}: the routers' machines. Never blocks, never runs user code.</li>
 *   <li>{@code havip-address-<name>-N} (at most {@value #ADDRESS_THREADS}, started on demand, gone
 *       after 10 s idle): hooks, address release, repairs, one router at a time each. A hook
 *       holds one while it runs (at most its timeout): routers whose hooks overlap in time wait
 *       for a free one.</li>
 *   <li>{@code havip-listener-<name>-N} (at most {@value #LISTENER_THREADS}, on demand): listener
 *       callbacks without an executor of their own, in order per router. A listener that blocks
 *       holds one thread; give it {@code addListener(listener, executor)} if it may.</li>
 *   <li>{@code havip-check-<name>-N} / {@code havip-hook-<name>-N} (on demand, gone when idle):
 *       health checks and hook bodies, which may hang past their timeout.</li>
 *   <li>{@code havip-liveness-<name>} (with the first router that has a liveness secret): every
 *       router's liveness channel, non-blocking, on the runtime's clock.</li>
 * </ul>
 * Closing the runtime closes its routers, then stops its threads. Thread-safe.
 */
public final class HavipRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HavipRuntime.class);
    static final int ADDRESS_THREADS = 4;
    static final int LISTENER_THREADS = 2;
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final AtomicReference<HavipRuntime> SHARED = new AtomicReference<>();

    private final String name;
    private final Clock clock;
    private final EventLoop loop;
    private final ThreadPoolExecutor addressPool;
    private final ThreadPoolExecutor listenerPool;
    private final ExecutorService hookPool;
    private final ExecutorService checkPool;
    private final Set<Engine> routers = ConcurrentHashMap.newKeySet();
    private final LinuxShared linux;
    private final boolean closeWithLastRouter;
    private final Services services = new Services();
    private volatile boolean closed;
    /** The liveness channels' one thread, for all routers with a secret; made with the first. */
    private io.havip.vrrp.liveness.LivenessLoop livenessLoop;

    private HavipRuntime(String name, Clock clock, boolean closeWithLastRouter) {
        this.name = name;
        this.clock = clock;
        this.closeWithLastRouter = closeWithLastRouter;
        this.loop = new EventLoop("havip-loop-" + name, clock);
        this.addressPool = bounded("havip-address-" + name, ADDRESS_THREADS);
        this.listenerPool = bounded("havip-listener-" + name, LISTENER_THREADS);
        this.hookPool = onDemand("havip-hook-" + name);
        this.checkPool = onDemand("havip-check-" + name);
        this.linux = new LinuxShared(name, loop);
        loop.start();
    }

    /** A new runtime on the system clock; close it to stop its routers and threads. */
    public static HavipRuntime create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The JVM's default runtime, used by routers started without {@code runtime(...)}: started on
     * first use, daemon threads, never closed (close its routers instead).
     */
    public static HavipRuntime shared() {
        HavipRuntime r = SHARED.get();
        if (r == null) {
            HavipRuntime created = new HavipRuntime("shared", Clock.system(), false);
            if (SHARED.compareAndSet(null, created)) {
                return created;
            }
            created.close();
            r = SHARED.get();
        }
        return r;
    }

    /** A runtime for one router with a clock of its own (tests); it closes with the router. */
    static HavipRuntime privateFor(String routerName, Clock clock) {
        return new HavipRuntime(routerName + "-" + COUNTER.incrementAndGet(), clock, true);
    }

    /** Settings of a runtime. */
    public static final class Builder {
        private String name;
        private Clock clock = Clock.system();

        private Builder() {
        }

        /** Names its threads ({@code havip-loop-<name>}...); default {@code rt<N>}. */
        public Builder name(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("runtime name is empty");
            }
            this.name = name;
            return this;
        }

        /** The clock of every timer of the runtime's routers (tests give a {@link io.havip.core.ManualClock}). */
        public Builder clock(Clock clock) {
            if (clock == null) {
                throw new IllegalArgumentException("clock is null");
            }
            this.clock = clock;
            return this;
        }

        public HavipRuntime build() {
            return new HavipRuntime(name != null ? name : "rt" + COUNTER.incrementAndGet(), clock, false);
        }
    }

    public String name() {
        return name;
    }

    public Clock clock() {
        return clock;
    }

    /** The routers running on this runtime now. */
    public List<VirtualRouter> routers() {
        return List.copyOf(routers);
    }

    /**
     * Closes every router (in parallel: each hands over as {@link VirtualRouter#close()} does),
     * then stops the threads. Idempotent; the default runtime cannot be closed.
     */
    @Override
    public void close() {
        if (this == SHARED.get()) {
            throw new IllegalStateException("the shared runtime is never closed; close its routers instead");
        }
        if (closed) {
            return;
        }
        closed = true;
        closeAll(List.copyOf(routers));
        stopThreads();
    }

    /**
     * Closes {@code engines} together: every one starts its handover at once (so no priority-0
     * advert waits for another router's handover), then each is waited for.
     */
    static void closeAll(List<Engine> engines) {
        for (Engine e : engines) {
            e.beginClose();
        }
        for (Engine e : engines) {
            e.awaitClose();
        }
    }

    private void stopThreads() {
        loop.close();
        synchronized (this) {
            if (livenessLoop != null) {
                livenessLoop.close();
            }
        }
        linux.close();
        addressPool.shutdown();
        listenerPool.shutdown();
        hookPool.shutdownNow();
        checkPool.shutdownNow();
        try {
            addressPool.awaitTermination(5, TimeUnit.SECONDS);
            listenerPool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.debug("runtime {} stopped", name);
    }

    // ------------------------------------------------------------------ for the routers

    /** This runtime as the engines it drives see it (not API: see {@link RuntimeServices}). */
    RuntimeServices services() {
        return services;
    }

    boolean isClosed() {
        return closed;
    }

    LinuxShared linux() {
        return linux;
    }

    /** The runtime's loop, pools and register of routers, handed to its routers' engines. */
    private final class Services implements RuntimeServices {

        @Override
        public Clock clock() {
            return clock;
        }

        @Override
        public void add(Engine engine) {
            if (closed) {
                throw new IllegalStateException("runtime " + name + " is closed");
            }
            routers.add(engine);
        }

        /** A router finished closing. */
        @Override
        public void removed(Engine engine) {
            routers.remove(engine);
            if (closeWithLastRouter && routers.isEmpty() && !closed) {
                closed = true;
                stopThreads();
            }
        }

        @Override
        public EventLoop loop() {
            return loop;
        }

        @Override
        public SerialExecutor addressExecutor(String router) {
            return new SerialExecutor("address work of " + router, addressPool);
        }

        @Override
        public SerialExecutor listenerExecutor(String router) {
            return new SerialExecutor("listeners of " + router, listenerPool);
        }

        @Override
        public ExecutorService hookPool() {
            return hookPool;
        }

        @Override
        public ExecutorService checkPool() {
            return checkPool;
        }

        @Override
        public io.havip.vrrp.liveness.LivenessLoop livenessLoop() {
            synchronized (HavipRuntime.this) {
                if (livenessLoop == null) {
                    livenessLoop = new io.havip.vrrp.liveness.LivenessLoop("havip-liveness-" + name, clock);
                }
                return livenessLoop;
            }
        }
    }

    /**
     * At most {@code threads} threads, started only when no started one is idle (a plain
     * ThreadPoolExecutor starts a new core thread for every task until it has them all), and
     * gone after {@link #IDLE} without work: an idle runtime holds none, a busy one a few.
     */
    private static ThreadPoolExecutor bounded(String prefix, int threads) {
        ThreadPoolExecutor p = new ThreadPoolExecutor(0, threads, IDLE.toMillis(), TimeUnit.MILLISECONDS,
                new HandOffQueue(), daemonThreads(prefix), (task, pool) -> {
                    if (pool.isShutdown()) {
                        throw new java.util.concurrent.RejectedExecutionException(prefix + " is shut down");
                    }
                    pool.getQueue().add(task); // every thread busy and the pool full: wait in line
                });
        return p;
    }

    /** How long a pool thread waits for work before it ends. */
    static final Duration IDLE = Duration.ofSeconds(10);

    /**
     * Offers a task only to a thread waiting for one (so the pool starts a thread instead when
     * none waits, up to its maximum); the pool's rejection handler queues it once all run.
     */
    private static final class HandOffQueue extends java.util.concurrent.LinkedTransferQueue<Runnable> {
        @Override
        public boolean offer(Runnable task) {
            return tryTransfer(task);
        }
    }

    private static ExecutorService onDemand(String prefix) {
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE.toMillis(), TimeUnit.MILLISECONDS,
                new SynchronousQueue<>(),
                daemonThreads(prefix));
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String toString() {
        return "HavipRuntime[" + name + ", " + routers.size() + " routers]";
    }
}
