package io.havip.vrrp.liveness;

import io.havip.core.RouterState;
import io.havip.vrrp.Havip;
import io.havip.vrrp.RouterStats;
import io.havip.vrrp.VirtualRouter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A havip node for the namespace ITs, run as a child JVM:
 * {@code LivenessNode <statusDir> <name> <priority> <intervalMs> <secret> <peer>...} (no peer:
 * multicast).
 * It appends {@code <state> <reason> <System.nanoTime()>} to {@code <name>.events} on every
 * state change (after the address is bound or released: the listener's view) and rewrites
 * {@code <name>.status} every 20 ms with the state and the liveness counters. The parent
 * compares nanoTime readings: on Linux both JVMs read CLOCK_MONOTONIC.
 *
 * <p>It also runs the service clients use through the virtual address: a TCP accept loop on
 * 0.0.0.0:{@value #SERVICE_PORT} answering each connection with one byte. Bound to the
 * wildcard, it needs no {@code ip_nonlocal_bind} and answers on the address as soon as the
 * address is on the interface; it dies with the JVM, as a real application would.
 */
public final class LivenessNode {

    /** The port of the service on the virtual address. */
    static final int SERVICE_PORT = 8080;

    private LivenessNode() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String name = args[1];
        // Before the first logger: the node's log goes to <name>.log for the test to show on failure.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        System.setProperty("org.slf4j.simpleLogger.logFile", dir.resolve(name + ".log").toString());
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        Havip.Builder b = Havip.builder().name(name).interfaceName("eth0").vrid(51).priority(Integer.parseInt(args[2]))
                .advertInterval(Duration.ofMillis(Long.parseLong(args[3]))).virtualAddress("198.51.100.50/24")
                .handoverTimeout(Duration.ZERO).livenessSecret(args[4]);
        for (int i = 5; i < args.length; i++) {
            b.unicastPeers(args[i]);
        }
        Path events = dir.resolve(name + ".events");
        b.listener(change -> {
            String line = change.to() + " " + change.reason() + " " + System.nanoTime() + "\n";
            try {
                Files.writeString(events, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        serve();
        VirtualRouter router = b.start();
        Path status = dir.resolve(name + ".status");
        Path tmp = dir.resolve(name + ".status.tmp");
        while (router.state() != RouterState.STOP) {
            RouterStats s = router.stats();
            LivenessStats l = s.liveness();
            String text = "state=" + router.state() + " advertsReceived=" + s.vrrp().advertisementsReceived()
                    + " channelsUp=" + l.channelsUp() + " established=" + l.channelsEstablished()
                    + " refusedBadProof=" + l.refusedBadProof() + " refusedUnknownPeer=" + l.refusedUnknownPeer()
                    + " refusedMalformed=" + l.refusedMalformed() + " processDeaths=" + l.processDeaths()
                    + " takeoversTriggered=" + l.takeoversTriggered() + " halfOpenClosed=" + l.halfOpenClosed()
                    + " goodbyesReceived=" + l.goodbyesReceived() + " refusedOverLimit=" + l.refusedOverLimit()
                    + " handshakesTimedOut=" + l.handshakesTimedOut() + " evictedUnauthenticated="
                    + l.evictedUnauthenticated() + " unauthenticatedOpen=" + l.unauthenticatedOpen() + "\n";
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, status, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Thread.sleep(20);
        }
    }

    private static void serve() throws java.io.IOException {
        java.net.ServerSocket server = new java.net.ServerSocket();
        server.setReuseAddress(true);
        server.bind(new java.net.InetSocketAddress("0.0.0.0", SERVICE_PORT), 128);
        Thread t = new Thread(() -> {
            while (true) {
                try (java.net.Socket s = server.accept()) {
                    s.getOutputStream().write('x');
                } catch (java.io.IOException e) {
                    // the client went away; serve the next one
                }
            }
        }, "service");
        t.setDaemon(true);
        t.start();
    }
}
