package io.havip.vrrp.internal.engine;

import io.havip.core.Clock;
import java.util.concurrent.ExecutorService;

/**
 * What a {@link io.havip.vrrp.HavipRuntime} gives the routers it drives: its clock, its event
 * loop, its pools and the register of its routers. The runtime hands its own private
 * implementation to each {@link Engine} and {@link SyncGroupDriver} it drives; the methods live
 * here, in a package the module does not export, so that {@code HavipRuntime}'s public surface
 * stays what an application uses (create, name, clock, routers, close). Thread-safe.
 */
public interface RuntimeServices {

    /** The runtime's clock, which every timer of its routers reads. */
    Clock clock();

    /** The loop thread that drives every router of the runtime. */
    EventLoop loop();

    /** A serial lane on the address pool for one router's hooks, binds and releases. */
    SerialExecutor addressExecutor(String router);

    /** A serial lane on the listener pool for one router's (or sync group's) callbacks. */
    SerialExecutor listenerExecutor(String router);

    /** Threads for hook bodies, which may hang past their timeout. */
    ExecutorService hookPool();

    /** Threads for health checks, which may hang past their timeout. */
    ExecutorService checkPool();

    /**
     * The one thread of the runtime's liveness channels, made with the first router that has a
     * liveness secret and closed with the runtime.
     */
    io.havip.vrrp.liveness.LivenessLoop livenessLoop();

    /**
     * A router starts on the runtime.
     *
     * @throws IllegalStateException when the runtime is closed
     */
    void add(Engine engine);

    /** A router finished closing (a router's own runtime stops with its last router). */
    void removed(Engine engine);
}
