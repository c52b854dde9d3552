package io.havip.vrrp.liveness;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * A client of the service on the virtual address, for the namespace ITs: one short TCP request
 * (connect, read one byte) every {@code periodNanos}, each with a 20 ms connect and read
 * timeout, recording when each ended and whether it succeeded. Start it on a thread created in
 * the client's namespace (threads inherit the namespace of the thread that creates them).
 */
final class TcpProbe implements Runnable, AutoCloseable {

    /** One request: when it started and ended (System.nanoTime) and whether the byte came back. */
    record Attempt(long startNanos, long endNanos, boolean ok) { }

    private static final int TIMEOUT_MS = 20;

    private final InetSocketAddress target;
    private final long periodNanos;
    private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    TcpProbe(InetSocketAddress target, long periodNanos) {
        this.target = target;
        this.periodNanos = periodNanos;
    }

    @Override
    public void run() {
        while (running) {
            long start = System.nanoTime();
            boolean ok = false;
            try (Socket s = new Socket()) {
                s.setSoTimeout(TIMEOUT_MS);
                s.connect(target, TIMEOUT_MS);
                InputStream in = s.getInputStream();
                ok = in.read() == 'x';
            } catch (IOException e) {
                // refused, reset or timed out: a failed request
            }
            long end = System.nanoTime();
            attempts.add(new Attempt(start, end, ok));
            long next = start + periodNanos - System.nanoTime();
            if (next > 0) {
                LockSupport.parkNanos(next);
            }
        }
    }

    /** Whether a request succeeded after {@code nanos}. */
    boolean succeededAfter(long nanos) {
        return attempts.stream().anyMatch(a -> a.ok() && a.startNanos() >= nanos);
    }

    /**
     * The outage a client saw around {@code eventNanos}: the longest gap between the ends of two
     * consecutive successful requests, among requests ending from 100 ms before the event to
     * {@code windowNanos} after it; the gap includes up to one probe period of sampling.
     */
    Outage outageAround(long eventNanos, long windowNanos) {
        List<Attempt> window = new ArrayList<>();
        for (Attempt a : attempts) {
            if (a.endNanos() >= eventNanos - 100_000_000L && a.endNanos() <= eventNanos + windowNanos) {
                window.add(a);
            }
        }
        long lastOk = -1;
        long worst = 0;
        int failed = 0;
        for (Attempt a : window) {
            if (!a.ok()) {
                failed++;
                continue;
            }
            if (lastOk >= 0) {
                worst = Math.max(worst, a.endNanos() - lastOk);
            }
            lastOk = a.endNanos();
        }
        return new Outage(worst, failed, window.size());
    }

    record Outage(long nanos, int failedRequests, int requests) {
        double millis() {
            return nanos / 1e6;
        }
    }

    @Override
    public void close() {
        running = false;
    }
}
