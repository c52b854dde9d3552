package io.havip.vrrp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a router's {@link HealthCheck}s on their own threads and reports each result; the
 * machine applies rise, fall and weight. A check that outlives its timeout is interrupted
 * and counted as failed; while it is still running later runs are skipped (and, once it is
 * past its timeout, counted as failed), so a hung check can neither pile up threads nor
 * stall the engine.
 */
final class HealthChecks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthChecks.class);

    /** Receives one result; called on a health-check thread. */
    interface ResultSink {
        void result(String checkName, boolean healthy);
    }

    private final List<HealthCheck> checks;
    private final ResultSink sink;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService runners;
    /** Checks whose hang was already reported (once per hang, not every interval). */
    private final java.util.Set<String> hungReported = java.util.concurrent.ConcurrentHashMap.newKeySet();

    HealthChecks(String routerName, List<HealthCheck> checks, ResultSink sink) {
        this.checks = List.copyOf(checks);
        this.sink = sink;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Engine.daemon("havip-health-" + routerName));
        this.runners = Executors.newCachedThreadPool(Engine.daemon("havip-check-" + routerName));
    }

    void start() {
        for (HealthCheck c : checks) {
            AtomicBoolean running = new AtomicBoolean();
            AtomicBoolean overdue = new AtomicBoolean();
            scheduler.scheduleAtFixedRate(() -> runOnce(c, running, overdue), 0, c.interval().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    private void runOnce(HealthCheck c, AtomicBoolean running, AtomicBoolean overdue) {
        if (!running.compareAndSet(false, true)) {
            // keepalived skips a script run while the previous one is still going. A run that
            // already outlived its timeout (and ignores interruption) keeps reporting failure.
            if (overdue.get()) {
                if (hungReported.add(c.name())) {
                    log.warn("health check {} is still hung past its timeout; each skipped run counts as failed "
                            + "until it returns", c.name());
                }
                sink.result(c.name(), false);
            }
            return;
        }
        overdue.set(false);
        hungReported.remove(c.name());
        Future<Boolean> f;
        try {
            f = runners.submit(() -> {
                try {
                    return c.check().call();
                } finally {
                    running.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            running.set(false);
            return;
        }
        // Wait on a runner thread so the scheduler stays free for the other checks.
        runners.execute(() -> sink.result(c.name(), await(c, f, overdue)));
    }

    private static boolean await(HealthCheck c, Future<Boolean> f, AtomicBoolean overdue) {
        try {
            return Boolean.TRUE.equals(f.get(c.timeout().toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            overdue.set(true);
            f.cancel(true);
            log.warn("health check {} timed out after {}", c.name(), c.timeout());
        } catch (ExecutionException e) {
            log.debug("health check {} threw", c.name(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.CancellationException e) {
            // closing
        }
        return false;
    }

    List<String> names() {
        List<String> out = new ArrayList<>();
        checks.forEach(c -> out.add(c.name()));
        return out;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        runners.shutdownNow();
    }
}
