package io.havip.vrrp.internal.engine;

import io.havip.core.FailoverListener;
import io.havip.core.StateChange;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers state changes to listeners in order, off the loop thread. By default one serial
 * executor per router (on the runtime's listener pool) carries every listener, so callbacks
 * never overlap and arrive in transition order (keepalived needed a notify FIFO for this). A listener
 * registered with its own executor gets its changes on that executor, in submission
 * order if that executor is single-threaded. A throwing listener is logged; delivery
 * goes on.
 */
final class ListenerDispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ListenerDispatcher.class);

    private record Registration(FailoverListener listener, Executor executor) { }

    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    private final SerialExecutor defaultExecutor;

    /** @param defaultExecutor where listeners without an executor of their own run, one callback at a time */
    ListenerDispatcher(SerialExecutor defaultExecutor) {
        this.defaultExecutor = defaultExecutor;
    }

    void add(FailoverListener listener) {
        add(listener, defaultExecutor);
    }

    void add(FailoverListener listener, Executor executor) {
        if (listener == null || executor == null) {
            throw new IllegalArgumentException("listener and executor are required");
        }
        registrations.add(new Registration(listener, executor));
    }

    void remove(FailoverListener listener) {
        registrations.removeIf(r -> r.listener == listener);
    }

    /** Queues {@code change} for every listener; returns at once. */
    void dispatch(StateChange change) {
        for (Registration r : registrations) {
            try {
                r.executor.execute(() -> deliver(r.listener, change));
            } catch (RuntimeException e) {
                log.warn("could not hand {} to the executor of listener {}: {}", change, r.listener, e.toString());
            }
        }
    }

    private static void deliver(FailoverListener listener, StateChange change) {
        try {
            listener.onStateChange(change);
        } catch (Throwable t) {
            log.warn("listener {} threw while handling {}; the protocol goes on", listener, change, t);
        }
    }

    /** Waits until the callbacks queued so far on the default executor have run (tests). */
    void flush() throws InterruptedException {
        try {
            java.util.concurrent.CompletableFuture.runAsync(() -> { }, defaultExecutor).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | java.util.concurrent.RejectedExecutionException e) {
            // closed, or stuck in a listener: nothing more to wait for
        }
    }

    /** Lets queued callbacks on the default executor finish (up to {@code waitMillis}), then stops it. */
    void close(long waitMillis) {
        defaultExecutor.shutdown();
        try {
            defaultExecutor.terminated().get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn("listener callbacks still running {} ms after close; leaving them on the runtime's listener "
                    + "thread", waitMillis);
        } catch (java.util.concurrent.ExecutionException e) {
            log.debug("waiting for listener callbacks: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(5_000);
    }
}
