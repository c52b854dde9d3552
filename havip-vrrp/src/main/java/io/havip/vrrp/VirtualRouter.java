package io.havip.vrrp;

import io.havip.core.FailoverListener;
import io.havip.core.RouterId;
import io.havip.core.RouterState;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * A running virtual router on this node, as returned by {@link Havip.Builder#start()}.
 * Thread-safe. {@link #close()} is idempotent: a master sends a priority-0 advert and
 * releases the address (after a make-before-break wait, see {@link Havip.Builder#handoverTimeout}),
 * and every listener hears STOP last.
 */
public interface VirtualRouter extends AutoCloseable {

    RouterId id();

    /**
     * The state this node has fully entered: MASTER only once the address is bound, BACKUP,
     * FAULT and STOP only once it is released. The same view listeners get.
     */
    RouterState state();

    /**
     * Waits until {@link #state()} is {@code state}.
     *
     * @return true if it was reached within {@code timeout}
     */
    boolean awaitState(RouterState state, Duration timeout) throws InterruptedException;

    /** The current counters. */
    RouterStats stats();

    /** The effective priority (base priority plus tracker weights). */
    int priority();

    /**
     * Changes the base priority (1-255) at run time; as master the new priority is advertised
     * at once and the election turns by the usual rules.
     */
    void setPriority(int priority);

    /** Adds a listener whose callbacks run on the router's single listener thread, in order. */
    void addListener(FailoverListener listener);

    /** Adds a listener whose callbacks run on {@code executor} (give a single-thread one to keep order). */
    void addListener(FailoverListener listener, Executor executor);

    void removeListener(FailoverListener listener);

    /**
     * Begins {@link #close()} without waiting for it: the release hooks, or the priority-0
     * advert and the handover, start now on the router's runtime; a later {@code close()} waits
     * for them and finishes. For a daemon's signal handler, or to close many routers at once
     * (begin each, then close each). Idempotent; never blocks. The default does nothing (then
     * {@code close()} does it all).
     */
    default void beginClose() {
    }

    /**
     * Stops the router: as master, hands the address over make-before-break (priority 0,
     * keep the address until the new master is heard or the handover timeout passes), then
     * releases it. Blocks until STOP has been reached and queued for listeners. Idempotent.
     */
    @Override
    void close();
}
