package io.havip.examples.proxy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A JDBC client that INSERTs sequence numbers in a loop over one connection, as an application
 * with a pool would, and reconnects after any error. It records which INSERTs were acknowledged
 * and when each attempt failed or succeeded, to measure the error window of a failover. Run
 * {@link #run} on a thread inside the client namespace: sockets are opened in the namespace of
 * the thread that opens them.
 */
final class InsertLoop implements Runnable {

    /** One attempt: when it finished (System.nanoTime) and whether it was acknowledged. */
    record Attempt(long seq, long atNanos, boolean ok, String error) {
    }

    private final String url;
    private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    private final List<Attempt> attempts = new ArrayList<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stop;

    InsertLoop(String url) {
        this.url = url;
    }

    @Override
    public void run() {
        try {
            loop();
        } finally {
            finished.countDown();
        }
    }

    private void loop() {
        Connection c = null;
        for (long seq = 1; !stop; seq++) {
            try {
                if (c == null) {
                    c = DriverManager.getConnection(url, MariaDbServer.USER, MariaDbServer.PASSWORD);
                }
                try (PreparedStatement s = c.prepareStatement("INSERT INTO t (seq) VALUES (?)")) {
                    s.setLong(1, seq);
                    s.executeUpdate(); // autocommit: acknowledged means committed
                }
                acknowledged.add(seq);
                record(new Attempt(seq, System.nanoTime(), true, null));
            } catch (SQLException e) {
                record(new Attempt(seq, System.nanoTime(), false, e.getMessage()));
                close(c);
                c = null;
                try {
                    Thread.sleep(5); // a tight but not spinning retry, as a pool's validation would
                } catch (InterruptedException ie) {
                    break;
                }
            }
        }
        close(c);
    }

    private synchronized void record(Attempt a) {
        attempts.add(a);
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // a broken connection
            }
        }
    }

    void stop() {
        stop = true;
    }

    /**
     * Stops the loop and waits until its last INSERT has finished: only then is
     * {@link #acknowledged} final. Reading the table before would miss an INSERT still in flight
     * that is acknowledged after the read.
     */
    void stopAndAwait(long seconds) throws InterruptedException {
        stop();
        if (!finished.await(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("the INSERT loop did not finish within " + seconds + " s of being stopped");
        }
    }

    Set<Long> acknowledged() {
        return Set.copyOf(acknowledged);
    }

    synchronized List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    /** Whether the latest attempt was acknowledged. */
    synchronized boolean lastOk() {
        return !attempts.isEmpty() && attempts.get(attempts.size() - 1).ok();
    }

    /** Acknowledged INSERTs that finished after {@code nanos}. */
    synchronized long successesAfter(long nanos) {
        return attempts.stream().filter(a -> a.ok() && a.atNanos() > nanos).count();
    }

    /**
     * The error window after {@code faultNanos}: from the first failed attempt to the first
     * success after it, in milliseconds; 0 when nothing failed.
     */
    synchronized ErrorWindow errorWindowAfter(long faultNanos) {
        Attempt firstFailure = null;
        int failures = 0;
        for (Attempt a : attempts) {
            if (a.atNanos() < faultNanos) {
                continue;
            }
            if (!a.ok()) {
                failures++;
                if (firstFailure == null) {
                    firstFailure = a;
                }
            } else if (firstFailure != null) {
                return new ErrorWindow((a.atNanos() - firstFailure.atNanos()) / 1_000_000.0, failures,
                        (firstFailure.atNanos() - faultNanos) / 1_000_000.0, firstFailure.error());
            }
        }
        if (firstFailure == null) {
            return new ErrorWindow(0, 0, 0, null);
        }
        throw new AssertionError("the client never succeeded again after " + failures + " failures; first: "
                + firstFailure.error());
    }

    /** The measured window: its length, how many attempts failed, when the first failure came after the fault. */
    record ErrorWindow(double millis, int failedAttempts, double firstFailureAfterFaultMillis, String firstError) {
        @Override
        public String toString() {
            return failedAttempts == 0 ? "no failed query"
                    : String.format("%.1f ms (%d failed attempts, first %.1f ms after the fault: %s)", millis, failedAttempts,
                            firstFailureAfterFaultMillis, firstError);
        }
    }
}
