package io.havip.vrrp.it;

import io.havip.vrrp.Havip;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.codec.VrrpVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * One havip node as its own JVM, started by the ITs inside a node namespace
 * ({@code Node.java(NodeMain.class, args)}). Arguments are {@code key=value}:
 * <pre>
 *   events=/tmp/x/events   (required) file the machine-readable lines are appended to
 *   if=eth0 vrid=51 version=3 priority=100 interval-ms=100
 *   vips=198.51.100.50/24[,...]   peers=198.51.100.12[,...] (unicast; none: multicast)
 *   preempt=true password=secret handover-ms=300 (default: the builder's)
 * </pre>
 * Lines, each also printed on stdout, with the wall-clock millisecond they were written at:
 * {@code STARTED <pid> t=<ms>}, {@code STATE <to> <reason> <priority> t=<ms>} for every state
 * change a listener sees (after the address is bound or released), {@code CLOSED handovers=<n> t=<ms>}
 * once {@code close()} returned in the SIGTERM shutdown hook. SIGKILL leaves the addresses behind,
 * as a crash does. Exit status 2 on bad arguments or a failed start (the reason on stderr).
 */
public final class NodeMain {

    private static final Set<String> KEYS = Set.of("events", "if", "vrid", "version", "priority", "interval-ms", "vips",
            "peers", "preempt", "password", "handover-ms");

    private NodeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> o = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 1 || !KEYS.contains(a.substring(0, eq))) {
                fail("argument \"" + a + "\" is not key=value with a key of " + KEYS);
            }
            o.put(a.substring(0, eq), a.substring(eq + 1));
        }
        if (!o.containsKey("events")) {
            fail("events=FILE is required");
        }
        Path events = Path.of(o.get("events"));
        VirtualRouter router;
        try {
            Havip.Builder b = Havip.builder()
                    .interfaceName(o.getOrDefault("if", "eth0"))
                    .vrid(Integer.parseInt(o.getOrDefault("vrid", "51")))
                    .version("2".equals(o.getOrDefault("version", "3")) ? VrrpVersion.V2 : VrrpVersion.V3)
                    .priority(Integer.parseInt(o.getOrDefault("priority", "100")))
                    .advertInterval(Duration.ofMillis(Long.parseLong(o.getOrDefault("interval-ms", "1000"))))
                    .preempt(Boolean.parseBoolean(o.getOrDefault("preempt", "true")))
                    .listener(change -> emit(events, "STATE " + change.to() + " " + change.reason() + " "
                            + change.priority()));
            for (String vip : o.getOrDefault("vips", "").split(",")) {
                if (!vip.isBlank()) {
                    b.virtualAddress(vip);
                }
            }
            for (String peer : o.getOrDefault("peers", "").split(",")) {
                if (!peer.isBlank()) {
                    b.unicastPeers(peer);
                }
            }
            if (o.containsKey("password")) {
                b.authPassword(o.get("password"));
            }
            if (o.containsKey("handover-ms")) {
                b.handoverTimeout(Duration.ofMillis(Long.parseLong(o.get("handover-ms"))));
            }
            router = b.start();
        } catch (RuntimeException e) {
            fail("cannot start the router: " + e);
            return;
        }
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            router.close();
            emit(events, "CLOSED handovers=" + router.stats().handovers());
            closed.countDown();
        }, "nodemain-close"));
        emit(events, "STARTED " + ProcessHandle.current().pid());
        closed.await();
    }

    private static synchronized void emit(Path events, String line) {
        String stamped = line + " t=" + System.currentTimeMillis();
        System.out.println(stamped);
        System.out.flush();
        try {
            Files.writeString(events, stamped + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + events, e);
        }
    }

    private static void fail(String message) {
        System.err.println("NodeMain: " + message);
        System.exit(2);
    }
}
