package io.havip.examples.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * A client that opens a new TCP connection to the proxy every few milliseconds, as a
 * connection-per-request client (or a pool refilling itself) would, and counts it as served only
 * when the MySQL server's greeting arrives through the proxy: the connect was accepted <em>and</em>
 * forwarded. A refused connect (RST to the SYN), a reset or end of stream before the greeting, a
 * timeout, or an attempt slower than {@link #STALL_MILLIS} (a dropped SYN is retransmitted after
 * Linux's 1 s initial RTO) is a failure. Run {@link #run} on a thread inside the client namespace.
 */
final class ConnectProbe implements Runnable {

    /** Slower than this is a stall a client would notice: below the 1 s SYN retransmission, far above a LAN handshake. */
    static final long STALL_MILLIS = 500;
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    private static final int GREETING_TIMEOUT_MILLIS = 2_000;
    /** Pause between attempts: a new connection every 5-10 ms. */
    private static final long PAUSE_MILLIS = 5;

    /** The kind of outcome of one attempt. */
    enum Outcome { SERVED, REFUSED, FAILED, STALLED }

    /** One attempt: when it started and ended (System.nanoTime), and how it went. */
    record Attempt(long startNanos, long endNanos, Outcome outcome, String error) {
        boolean ok() {
            return outcome == Outcome.SERVED;
        }

        double millis() {
            return (endNanos - startNanos) / 1e6;
        }
    }

    private final InetSocketAddress target;
    private final List<Attempt> attempts = new ArrayList<>();
    private volatile boolean stop;

    ConnectProbe(InetSocketAddress target) {
        this.target = target;
    }

    @Override
    public void run() {
        while (!stop) {
            record(attempt());
            try {
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Attempt attempt() {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(target, CONNECT_TIMEOUT_MILLIS);
            s.setSoTimeout(GREETING_TIMEOUT_MILLIS);
            InputStream in = s.getInputStream();
            // The MySQL protocol's first packet: a 3-byte little-endian length, a sequence number, then the greeting.
            byte[] header = in.readNBytes(4);
            if (header.length < 4) {
                return new Attempt(start, System.nanoTime(), Outcome.FAILED, "end of stream before the greeting");
            }
            int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
            if (in.readNBytes(length).length < length) {
                return new Attempt(start, System.nanoTime(), Outcome.FAILED, "end of stream inside the greeting");
            }
            long end = System.nanoTime();
            return (end - start) / 1_000_000 > STALL_MILLIS
                    ? new Attempt(start, end, Outcome.STALLED, "served, but after " + (end - start) / 1_000_000 + " ms")
                    : new Attempt(start, end, Outcome.SERVED, null);
        } catch (ConnectException e) {
            return new Attempt(start, System.nanoTime(), Outcome.REFUSED, e.getMessage());
        } catch (IOException e) {
            return new Attempt(start, System.nanoTime(), Outcome.FAILED, e.toString());
        }
    }

    private synchronized void record(Attempt a) {
        attempts.add(a);
    }

    void stop() {
        stop = true;
    }

    /** Served attempts that started after {@code nanos}. */
    synchronized long servedAfter(long nanos) {
        return attempts.stream().filter(a -> a.ok() && a.startNanos() > nanos).count();
    }

    /**
     * The unserved attempts that started in [{@code fromNanos}, {@code toNanos}], one line each with
     * its wall-clock start (to lay beside the proxies' logs), duration and error.
     */
    synchronized List<String> unserved(long fromNanos, long toNanos) {
        long wallMinusNanos = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
        DateTimeFormatter f = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
        return attempts.stream().filter(a -> !a.ok() && a.startNanos() >= fromNanos && a.startNanos() <= toNanos)
                .map(a -> String.format("%s +%.1f ms: %s %.1f ms %s", f.format(Instant.ofEpochMilli(
                        (a.startNanos() + wallMinusNanos) / 1_000_000L)), (a.startNanos() - fromNanos) / 1e6, a.outcome(),
                        a.millis(), a.error()))
                .toList();
    }

    /** What happened to the attempts that started in [{@code fromNanos}, {@code toNanos}]. */
    synchronized Summary summary(long fromNanos, long toNanos) {
        List<Attempt> in = attempts.stream().filter(a -> a.startNanos() >= fromNanos && a.startNanos() <= toNanos).toList();
        int refused = 0;
        int failed = 0;
        int stalled = 0;
        double longestRun = 0;
        double untriedAfterLongest = 0;
        double slowest = 0;
        String firstError = null;
        Attempt runStart = null;
        Attempt runEnd = null;
        for (Attempt a : in) {
            slowest = Math.max(slowest, a.millis());
            switch (a.outcome()) {
                case REFUSED -> refused++;
                case FAILED -> failed++;
                case STALLED -> stalled++;
                case SERVED -> { }
            }
            if (a.ok()) {
                if (runStart != null) {
                    // The run of unserved connects: from the start of its first attempt to the end of its last. The
                    // next attempt was served; the time between (normally the 5 ms pause) is reported beside it,
                    // because a prober starved of CPU on a loaded host would otherwise count its own sleep as outage.
                    double run = (runEnd.endNanos() - runStart.startNanos()) / 1e6;
                    if (run > longestRun) {
                        longestRun = run;
                        untriedAfterLongest = (a.startNanos() - runEnd.endNanos()) / 1e6;
                    }
                    runStart = null;
                }
            } else {
                if (firstError == null) {
                    firstError = a.outcome() + ": " + a.error();
                }
                if (runStart == null) {
                    runStart = a;
                }
                runEnd = a;
            }
        }
        if (runStart != null) {
            throw new AssertionError("no connection was served again after " + firstError);
        }
        return new Summary(in.size(), refused, failed, stalled, longestRun, untriedAfterLongest, slowest, firstError);
    }

    /**
     * The attempts of a window: how many, how many were refused, failed or stalled, the longest
     * run of unserved attempts (ms, from the start of its first to the end of its last), how long
     * after that run the next (served) attempt started (ms: the probe's resolution there), the
     * slowest attempt (ms) and the first error.
     */
    record Summary(int attempts, int refused, int failed, int stalled, double longestFailedRunMillis,
                   double untriedAfterLongestRunMillis, double slowestMillis, String firstError) {
        int unserved() {
            return refused + failed + stalled;
        }

        @Override
        public String toString() {
            return String.format("%d connects, %d refused, %d failed, %d stalled; longest run of unserved connects %.1f ms"
                    + " (the next, served, started %.1f ms after it); slowest connect %.1f ms%s", attempts, refused, failed,
                    stalled, longestFailedRunMillis, untriedAfterLongestRunMillis, slowestMillis,
                    firstError == null ? "" : "; first: " + firstError);
        }
    }
}
