package io.havip.vrrp.internal.engine;

import io.havip.core.AddressHook;
import io.havip.core.StateChange;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link AddressHook}s before the address moves, each bounded by its timeout: a
 * hook can delay a failover by at most its timeout, never prevent it. Hook bodies run on the
 * runtime's hook pool so the caller can give up on them.
 *
 * <p>Hooks of one router run strictly one at a time, never overlapping: a hook still running
 * at its timeout is interrupted and abandoned for the decision (the address moves on), but
 * the next hook does not start beside it. It waits for the abandoned one within its own
 * timeout; if that one is still running then, the next hook is refused (not run, counted as
 * timed out, logged), and so on until the abandoned hook returns. A hook that ignores
 * interruption and never returns therefore stops the router's later hooks from running, and
 * says so in the log each time, rather than letting them pile up beside it.
 */
final class HookRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HookRunner.class);

    private record Registration(AddressHook hook, Duration timeout) { }

    /** Which side of the move a hook runs for. */
    enum Phase {
        BEFORE_ACQUIRE,
        BEFORE_RELEASE
    }

    private final List<Registration> hooks = new CopyOnWriteArrayList<>();
    private final ExecutorService executor;
    /**
     * Completes when the last hook started has really returned (a cancelled Future is "done" at
     * once, while its thread may go on); the next hook waits for it. The caller's thread only:
     * address work is serial.
     */
    private java.util.concurrent.CompletableFuture<Void> lastReturned;
    private Future<?> last;
    private Registration lastHook;

    HookRunner(ExecutorService executor) {
        this.executor = executor;
    }

    void add(AddressHook hook, Duration timeout) {
        if (hook == null || timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("hook needs a positive timeout, got " + timeout);
        }
        hooks.add(new Registration(hook, timeout));
    }

    /** The sum of every hook's timeout: the longest the hooks of one phase can take. */
    Duration totalTimeout() {
        return hooks.stream().map(Registration::timeout).reduce(Duration.ZERO, Duration::plus);
    }

    int size() {
        return hooks.size();
    }

    boolean isEmpty() {
        return hooks.isEmpty();
    }

    /** Runs every hook for {@code phase} in registration order; returns how many completed normally. */
    int run(Phase phase, StateChange pending) {
        int completed = 0;
        for (Registration r : hooks) {
            long deadline = System.nanoTime() + r.timeout.toNanos();
            if (lastReturned != null && !lastReturned.isDone()) {
                try {
                    lastReturned.get(r.timeout.toNanos(), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    log.warn("{} hook {} not run for {}: hook {} overran its timeout and still runs (it ignores "
                            + "interruption?); hooks of a router never run side by side", phase, r.hook, pending,
                            lastHook.hook);
                    continue;
                } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                    // it ended; its outcome was reported when it was abandoned
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return completed;
                }
            }
            Future<?> f;
            java.util.concurrent.CompletableFuture<Void> returned = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
            try {
                f = executor.submit(() -> {
                    started.set(true);
                    try {
                        if (phase == Phase.BEFORE_ACQUIRE) {
                            r.hook.beforeAcquire(pending);
                        } else {
                            r.hook.beforeRelease(pending);
                        }
                        return null;
                    } finally {
                        returned.complete(null);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                log.warn("{} hook {} not run for {}: the runtime is closed", phase, r.hook, pending);
                continue;
            }
            last = f;
            lastReturned = returned;
            lastHook = r;
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                completed++;
            } catch (TimeoutException e) {
                f.cancel(true);
                if (!started.get()) {
                    returned.complete(null); // never started: nothing runs that the next hook must wait for
                }
                log.warn("{} hook {} did not finish within {} for {}; proceeding", phase, r.hook, r.timeout, pending);
            } catch (ExecutionException e) {
                log.warn("{} hook {} failed for {}; proceeding", phase, r.hook, pending, e.getCause());
            } catch (InterruptedException e) {
                f.cancel(true);
                Thread.currentThread().interrupt();
                return completed;
            }
        }
        return completed;
    }

    /** The pool is the runtime's; an abandoned hook is interrupted once more. */
    @Override
    public void close() {
        Future<?> f = last;
        if (f != null) {
            f.cancel(true);
        }
    }
}
