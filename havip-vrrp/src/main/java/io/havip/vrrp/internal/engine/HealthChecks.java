package io.havip.vrrp.internal.engine;

import io.havip.vrrp.HealthCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules a router's {@link HealthCheck}s on the runtime's clock and reports each result;
 * the machine applies rise, fall and weight. The schedule and the timeouts are deadlines of
 * the router, kept by the event loop ({@link #nextDeadline()}, {@link #onTimer}); only the
 * check bodies run elsewhere, on the runtime's check pool, and their results come back to the
 * loop. A check that outlives its timeout is interrupted and counted as failed; while it is
 * still running later runs are skipped (and, once it is past its timeout, counted as failed),
 * so a hung check can neither pile up threads nor stall the router.
 *
 * <p>Loop thread only, but for the check bodies.
 */
final class HealthChecks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthChecks.class);

    /** Receives one result, on the loop thread. */
    interface ResultSink {
        void result(long now, String checkName, boolean healthy);
    }

    /** One check's schedule and its run in progress. */
    private static final class Schedule {
        final HealthCheck check;
        long nextStart;
        /** The run in progress, or null. */
        Future<?> running;
        long timeoutAt;
        /** The run in progress outlived its timeout (and was counted as failed). */
        boolean overdue;
        boolean hungReported;

        Schedule(HealthCheck check) {
            this.check = check;
        }
    }

    private final String routerName;
    private final List<Schedule> schedules = new ArrayList<>();
    private final ExecutorService runners;
    private final Consumer<Consumer<Long>> post;
    private final ResultSink sink;
    private boolean started;
    private volatile boolean closed;

    /**
     * @param runners where the check bodies run
     * @param post    queues work for the loop thread (the router's event queue)
     */
    HealthChecks(String routerName, List<HealthCheck> checks, ExecutorService runners, Consumer<Consumer<Long>> post,
                 ResultSink sink) {
        this.routerName = routerName;
        checks.forEach(c -> schedules.add(new Schedule(c)));
        this.runners = runners;
        this.post = post;
        this.sink = sink;
    }

    /** The first runs are due at once. */
    void start(long now) {
        started = true;
        for (Schedule s : schedules) {
            s.nextStart = now;
        }
        onTimer(now);
    }

    /** The earliest start or timeout due, {@link EventLoop#NEVER} when none. */
    long nextDeadline() {
        if (!started || closed) {
            return EventLoop.NEVER;
        }
        long d = EventLoop.NEVER;
        for (Schedule s : schedules) {
            d = Math.min(d, s.nextStart);
            if (s.running != null && !s.overdue) {
                d = Math.min(d, s.timeoutAt);
            }
        }
        return d;
    }

    /** Starts the runs due and times out the runs past their timeout. */
    void onTimer(long now) {
        if (!started || closed) {
            return;
        }
        for (Schedule s : schedules) {
            if (s.running != null && !s.overdue && now - s.timeoutAt >= 0) {
                s.overdue = true;
                s.running.cancel(true);
                log.warn("{}: health check {} timed out after {}", routerName, s.check.name(), s.check.timeout());
                sink.result(now, s.check.name(), false);
            }
            if (now - s.nextStart >= 0) {
                // a fixed rate, as before; after a long stall, the next run is an interval from now
                s.nextStart += s.check.interval().toNanos();
                if (now - s.nextStart >= 0) {
                    s.nextStart = now + s.check.interval().toNanos();
                }
                begin(now, s);
            }
        }
    }

    private void begin(long now, Schedule s) {
        if (s.running != null) {
            // keepalived skips a script run while the previous one is still going. A run that
            // already outlived its timeout (and ignores interruption) keeps reporting failure.
            if (s.overdue) {
                if (!s.hungReported) {
                    s.hungReported = true;
                    log.warn("{}: health check {} is still hung past its timeout; each skipped run counts as failed "
                            + "until it returns", routerName, s.check.name());
                }
                sink.result(now, s.check.name(), false);
            }
            return;
        }
        s.overdue = false;
        s.hungReported = false;
        s.timeoutAt = now + s.check.timeout().toNanos();
        try {
            s.running = runners.submit(() -> {
                boolean ok;
                try {
                    ok = Boolean.TRUE.equals(s.check.check().call());
                } catch (InterruptedException e) {
                    ok = false;
                } catch (Exception | LinkageError e) {
                    log.debug("{}: health check {} threw", routerName, s.check.name(), e);
                    ok = false;
                }
                boolean result = ok;
                post.accept(at -> finished(at, s, result));
            });
        } catch (RejectedExecutionException e) {
            // the runtime is closing
        }
    }

    /** Loop thread: a run returned. After its timeout its result was already counted as failed. */
    private void finished(long now, Schedule s, boolean healthy) {
        boolean wasOverdue = s.overdue;
        s.running = null;
        s.overdue = false;
        if (!wasOverdue && !closed) {
            sink.result(now, s.check.name(), healthy);
        }
    }

    List<String> names() {
        List<String> out = new ArrayList<>();
        schedules.forEach(s -> out.add(s.check.name()));
        return out;
    }

    /** Stops scheduling and interrupts the runs in progress. Any thread; idempotent. */
    @Override
    public void close() {
        closed = true;
        for (Schedule s : schedules) {
            Future<?> f = s.running;
            if (f != null) {
                f.cancel(true);
            }
        }
    }
}
