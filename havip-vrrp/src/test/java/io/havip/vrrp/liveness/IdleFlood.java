package io.havip.vrrp.liveness;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A slowloris attacker for the namespace ITs: it keeps {@code connections} idle TCP connections
 * to a port (connected, never a byte sent), each on its own thread, and opens a new one as soon
 * as the server closes one it had held for a while (a handshake timeout); one the server closes
 * at once is retried with a backoff of up to 500 ms, so the attacker holds every slot it can
 * without spinning. Start it on a thread of the attacker's namespace (threads inherit it).
 */
final class IdleFlood implements AutoCloseable {

    private static final long QUICK_CLOSE_NANOS = 200_000_000L;
    private static final long MAX_BACKOFF_MS = 500;

    private final InetSocketAddress target;
    private final int connections;
    private final AtomicLong connected = new AtomicLong();
    private final AtomicLong closedByServer = new AtomicLong();
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    IdleFlood(InetSocketAddress target, int connections) {
        this.target = target;
        this.connections = connections;
    }

    /** Starts the threads; call it in the attacker's namespace. */
    void start() {
        for (int i = 0; i < connections; i++) {
            Thread t = new Thread(this::hold, "idle-flood-" + target.getPort() + "-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    private void hold() {
        long backoff = 0;
        while (running) {
            Socket s = new Socket();
            sockets.add(s);
            try {
                s.connect(target, 1_000);
            } catch (IOException e) {
                close(s);
                pause(20); // nothing listens yet
                continue;
            }
            connected.incrementAndGet();
            open.incrementAndGet();
            long at = System.nanoTime();
            try {
                InputStream in = s.getInputStream();
                while (in.read() >= 0) {
                    // the server never speaks first; read until it closes
                }
            } catch (IOException e) {
                // reset by the server, or closed by close()
            }
            open.decrementAndGet();
            if (running) {
                closedByServer.incrementAndGet();
            }
            close(s);
            backoff = System.nanoTime() - at < QUICK_CLOSE_NANOS ? Math.min(MAX_BACKOFF_MS, Math.max(10, 2 * backoff)) : 0;
            pause(backoff);
        }
    }

    /** Connections the server accepted (at the TCP level). */
    long connected() {
        return connected.get();
    }

    /** Connections the server closed (or reset). */
    long closedByServer() {
        return closedByServer.get();
    }

    /** Connections open now. */
    int open() {
        return open.get();
    }

    @Override
    public String toString() {
        return "idle flood on " + target + ": " + connected() + " connected, " + closedByServer() + " closed by the "
                + "server, " + open() + " open";
    }

    private void close(Socket s) {
        sockets.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }

    private void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        for (Socket s : sockets) {
            close(s);
        }
    }
}
