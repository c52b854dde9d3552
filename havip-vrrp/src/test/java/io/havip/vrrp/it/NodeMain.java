package io.havip.vrrp.it;

import io.havip.core.FailoverListener;
import io.havip.vrrp.Havip;
import io.havip.vrrp.HealthCheck;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.codec.VrrpVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One havip node as its own JVM, started by the ITs inside a node namespace
 * ({@code Node.java(NodeMain.class, args)}). Arguments are {@code key=value}:
 * <pre>
 *   events=/tmp/x/events   (required) file the machine-readable lines are appended to
 *   if=eth0 vrid=51 version=3 priority=100 interval-ms=100
 *   vips=198.51.100.50/24[,...]   peers=198.51.100.12[,...] (unicast; none: multicast)
 *   preempt=true password=secret handover-ms=300 (default: the builder's)
 *   garp-lower=false          (the builder's garpOnLowerPriorityAdvert; default true)
 *   accept-non-peers=true     (the builder's acceptAdvertsFromNonPeers; default false)
 *   stats-file=/tmp/x/stats   RouterStats.toString() rewritten there every 50 ms (and a STATS line at close)
 *   health-file=/tmp/x/hc health=INTERVAL_MS,TIMEOUT_MS,RISE,FALL,WEIGHT
 *                             a health check steered by that file: absent or "ok" healthy, "fail" failing,
 *                             "hang" never returns (ignores interrupts), "flaky" every other run outlives
 *                             the timeout (interruptibly) and the others succeed
 *   listener=throw|block      an extra listener on the router's own listener thread that throws, or never
 *                             returns; the events listener then runs on an executor of its own
 *   log=info                  slf4j-simple level of the io.havip loggers (default: the test resources' warn)
 *   extension=CLASS           a {@link Extension} from another module's tests (e.g. havip-zookeeper's guard), which
 *                             adds its own keys, configures and starts the router, and adds words to STATE lines
 * </pre>
 * Lines, each also printed on stdout, with the wall-clock millisecond they were written at:
 * {@code STARTED <pid> t=<ms>}, {@code STATE <to> <reason> <priority>[ <extension words>] t=<ms>} for every state
 * change a listener sees (after the address is bound or released), {@code CLOSED handovers=<n> t=<ms>}
 * once {@code close()} returned in the SIGTERM shutdown hook. SIGKILL leaves the addresses behind,
 * as a crash does. Exit status 2 on bad arguments or a failed start (the reason on stderr).
 */
public final class NodeMain {

    private static final Set<String> KEYS = Set.of("events", "if", "vrid", "version", "priority", "interval-ms", "vips",
            "peers", "preempt", "password", "handover-ms", "garp-lower", "stats-file", "health-file", "health", "listener",
            "accept-non-peers", "log", "extension");

    /**
     * What a module that havip-vrrp cannot depend on (e.g. havip-zookeeper) adds to a NodeMain
     * node: named by {@code extension=CLASS} (public, with a public no-argument constructor) and
     * put on the child's class path by the test ({@link HavipProcess#start(io.havip.arp.testbed.Node,
     * java.util.List, Class[])}).
     */
    public interface Extension {
        /** The keys this extension reads, besides NodeMain's own. */
        Set<String> keys();

        /** Adds to {@code builder} what {@code options} ask for and starts the router (default: {@code builder.start()}). */
        VirtualRouter start(Havip.Builder builder, Map<String, String> options) throws Exception;

        /** Words appended to the STATE line of {@code change} (e.g. "token=7"); empty for none. Listener thread. */
        default String describe(io.havip.core.StateChange change) {
            return "";
        }

        /** Called in the SIGTERM shutdown hook after the router closed. */
        default void close() {
        }
    }

    private NodeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> o = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 1) {
                fail("argument \"" + a + "\" is not key=value");
            }
            o.put(a.substring(0, eq), a.substring(eq + 1));
        }
        Extension extension = o.containsKey("extension") ? extension(o.get("extension")) : null;
        Set<String> keys = new java.util.HashSet<>(KEYS);
        if (extension != null) {
            keys.addAll(extension.keys());
        }
        for (String k : o.keySet()) {
            if (!keys.contains(k)) {
                fail("argument key \"" + k + "\" is not one of " + keys);
            }
        }
        if (!o.containsKey("events")) {
            fail("events=FILE is required");
        }
        if (o.containsKey("log")) { // before the first logger exists
            System.setProperty("org.slf4j.simpleLogger.log.io.havip", o.get("log"));
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
                    .garpOnLowerPriorityAdvert(Boolean.parseBoolean(o.getOrDefault("garp-lower", "true")))
                    .acceptAdvertsFromNonPeers(Boolean.parseBoolean(o.getOrDefault("accept-non-peers", "false")));
            FailoverListener eventsListener = change -> emit(events, "STATE " + change.to() + " " + change.reason()
                    + " " + change.priority() + (extension == null ? "" : words(extension.describe(change))));
            String extra = o.get("listener");
            if (extra == null) {
                b.listener(eventsListener);
            } else {
                b.listener(eventsListener, Executors.newSingleThreadExecutor(r -> daemon(r, "nodemain-events")));
                b.listener(misbehavingListener(extra));
            }
            if (o.containsKey("health")) {
                b.healthCheck(healthCheck(Path.of(o.getOrDefault("health-file", events + ".health")), o.get("health")));
            }
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
            router = extension == null ? b.start() : extension.start(b, o);
        } catch (Exception e) {
            fail("cannot start the router: " + e);
            return;
        }
        CountDownLatch closed = new CountDownLatch(1);
        if (o.containsKey("stats-file")) {
            Path statsFile = Path.of(o.get("stats-file"));
            ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "nodemain-stats"));
            writer.scheduleWithFixedDelay(() -> writeStats(statsFile, router), 0, 50, TimeUnit.MILLISECONDS);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            router.close();
            if (extension != null) {
                extension.close();
            }
            emit(events, "STATS " + router.stats());
            emit(events, "CLOSED handovers=" + router.stats().handovers());
            closed.countDown();
        }, "nodemain-close"));
        emit(events, "STARTED " + ProcessHandle.current().pid());
        closed.await();
    }

    private static Extension extension(String className) {
        try {
            return (Extension) Class.forName(className).getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            fail("extension=" + className + " is not a public NodeMain.Extension with a public no-argument constructor on "
                    + "the class path: " + e);
            return null;
        }
    }

    private static String words(String extra) {
        return extra == null || extra.isBlank() ? "" : " " + extra.strip();
    }

    /** Writes the stats to a temporary file and moves it over {@code file}, so a reader never sees half of it. */
    private static void writeStats(Path file, VirtualRouter router) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, router.stats() + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            System.err.println("NodeMain: cannot write stats to " + file + ": " + e);
        }
    }

    /** {@code throw}: a listener that always throws; {@code block}: one that never returns. */
    private static FailoverListener misbehavingListener(String kind) {
        return switch (kind) {
            case "throw" -> change -> {
                throw new IllegalStateException("NodeMain listener=throw: thrown on purpose for " + change.to());
            };
            case "block" -> change -> sleepForever();
            default -> {
                fail("listener=" + kind + " is not throw or block");
                yield null;
            }
        };
    }

    /** health=INTERVAL_MS,TIMEOUT_MS,RISE,FALL,WEIGHT steered by {@code file}; see the class comment. */
    private static HealthCheck healthCheck(Path file, String spec) {
        String[] f = spec.split(",");
        if (f.length != 5) {
            fail("health=" + spec + " is not INTERVAL_MS,TIMEOUT_MS,RISE,FALL,WEIGHT");
        }
        Duration timeout = Duration.ofMillis(Long.parseLong(f[1]));
        AtomicLong runs = new AtomicLong();
        Callable<Boolean> check = () -> {
            String mode = Files.exists(file) ? Files.readString(file).strip() : "ok";
            switch (mode) {
                case "fail":
                    return false;
                case "hang":
                    sleepForever();
                    return false;
                case "flaky":
                    if (runs.incrementAndGet() % 2 == 1) {
                        Thread.sleep(timeout.toMillis() * 3); // interrupted at the timeout
                    }
                    return true;
                default:
                    return true;
            }
        };
        return new HealthCheck("nodemain", check, Duration.ofMillis(Long.parseLong(f[0])), timeout,
                Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]));
    }

    /** Never returns, and ignores interrupts, like a check or listener stuck in a blocking call. */
    private static void sleepForever() {
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException ignored) {
                // stuck on purpose
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
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
