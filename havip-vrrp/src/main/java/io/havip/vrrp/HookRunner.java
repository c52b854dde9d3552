package io.havip.vrrp;

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
 * hook can delay a failover by at most its timeout, never prevent it. Hooks run on a
 * dedicated thread so the caller can give up on them; a hook still running at its
 * timeout is interrupted and left to finish on its own.
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

    HookRunner(String routerName) {
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "havip-hook-" + routerName);
            t.setDaemon(true);
            return t;
        });
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
            Future<?> f = executor.submit(() -> {
                if (phase == Phase.BEFORE_ACQUIRE) {
                    r.hook.beforeAcquire(pending);
                } else {
                    r.hook.beforeRelease(pending);
                }
                return null;
            });
            try {
                f.get(r.timeout.toNanos(), TimeUnit.NANOSECONDS);
                completed++;
            } catch (TimeoutException e) {
                f.cancel(true);
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

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
