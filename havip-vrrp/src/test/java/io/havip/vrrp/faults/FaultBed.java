package io.havip.vrrp.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.it.HavipProcess;
import io.havip.vrrp.it.Mode;
import io.havip.vrrp.it.VipChecks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two havip routers (n1, n2, each a NodeMain JVM in its own namespace) and a client on one
 * bridge, IPv4 multicast VRRPv3 at a 100 ms advert interval (or another {@link Mode}: in unicast
 * modes each router's peer is the other), plus an {@link InvariantChecker}
 * sampling who holds the VIP and who says MASTER. Each router's RouterStats are rewritten to a
 * file every 50 ms (NodeMain {@code stats-file=}). Closing kills what still runs; the testbed
 * (closed by TestbedExtension) removes the namespaces.
 */
final class FaultBed implements AutoCloseable {

    /** The mode of {@link #FaultBed(Testbed)}. */
    static final Mode MODE = Mode.IPV4_MULTICAST;
    static final Duration CONVERGE = Duration.ofSeconds(10);
    /** The advert interval every scenario runs at (NodeMain interval-ms=100). */
    static final long ADVERT_MS = 100;
    /**
     * What a loaded 2-core CI host adds to a protocol bound: JVM wake-up and scheduling,
     * address work on another thread, the listener's file write, and our 40 ms sampling.
     */
    static final long SLACK_MS = 900;
    /** Whether the long variants run (-Dhavip.faults.long=true, scripts/faults-long.sh). */
    static final boolean LONG = Boolean.getBoolean("havip.faults.long");

    private static final Pattern STAT = Pattern.compile("(\\w+)=(\\d+)");

    final Testbed net;
    final Node n1;
    final Node n2;
    final Node client;
    final Mode mode;
    final IpAddress vip;
    final Router r1;
    final Router r2;
    final InvariantChecker checker;

    FaultBed(Testbed net) {
        this(net, MODE);
    }

    FaultBed(Testbed net, Mode mode) {
        this.net = net;
        this.mode = mode;
        this.vip = mode.vip();
        this.n1 = net.addNode("n1");
        this.n2 = net.addNode("n2");
        this.client = net.addNode("client");
        this.r1 = new Router(n1, mode, List.of(n1, n2));
        this.r2 = new Router(n2, mode, List.of(n1, n2));
        this.checker = new InvariantChecker(List.of(r1, r2), vip);
    }

    List<Node> routers() {
        return List.of(n1, n2);
    }

    /** Starts n1 at priority {@code p1} and n2 at {@code p2} with {@code extra} NodeMain arguments for both. */
    FaultBed start(int p1, int p2, String... extra) {
        r1.start(p1, extra);
        r2.start(p2, extra);
        checker.start();
        return this;
    }

    /** Starts n1 at {@code p1} with {@code extra1} and n2 at {@code p2} with {@code extra2}. */
    FaultBed start(int p1, List<String> extra1, int p2, List<String> extra2) {
        r1.start(p1, extra1.toArray(String[]::new));
        r2.start(p2, extra2.toArray(String[]::new));
        checker.start();
        return this;
    }

    /**
     * Waits until {@code master} is MASTER, the other BACKUP, the invariant holds and the client
     * reaches the VIP at the master's MAC.
     */
    void awaitServing(Router master) {
        Router backup = master == r1 ? r2 : r1;
        master.process().awaitState("MASTER", CONVERGE);
        backup.process().awaitState("BACKUP", CONVERGE);
        assertThat(checker.awaitConverged(CONVERGE)).isSameAs(master);
        VipChecks.awaitClientReaches(client, vip, master.node, CONVERGE);
    }

    @Override
    public void close() {
        checker.close();
        r1.close();
        r2.close();
    }

    /** Adds an nftables bridge-family table {@code name} with {@code chainBody} in a forward chain; closing deletes it. */
    VipChecks.Partition bridgeRule(String name, String chainBody) {
        String table = "havip_" + name;
        VipChecks.runNft(net, "table bridge " + table + " {\n chain forward {\n  type filter hook forward priority 0; "
                + "policy accept;\n  " + chainBody + "\n }\n}\n");
        return new VipChecks.Partition(net, table);
    }

    /** The packets counted by the {@code counter} statements of bridge table {@code name} (summed). */
    long bridgeCounter(String name) {
        String out = Cmd.check("ip", "netns", "exec", net.bridgeNamespace(), "nft", "list", "table", "bridge",
                "havip_" + name);
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(out);
        long sum = 0;
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    /** Parses {@code RouterStats[vrrp=VrrpStats[a=1, ...], lateTimers=0, ...]} into name to value. */
    static Map<String, Long> parseStats(String text) {
        Map<String, Long> out = new HashMap<>();
        Matcher m = STAT.matcher(text);
        while (m.find()) {
            out.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return out;
    }

    /** One router slot: its node, and the NodeMain process currently running there (replaced on restart). */
    static final class Router implements AutoCloseable {
        final Node node;
        final Path stats;
        final Path health;
        private final Mode mode;
        /** Both routers' nodes: in unicast modes the other one is the peer. */
        private final List<Node> routers;
        private HavipProcess process;
        private final List<HavipProcess> previous = new ArrayList<>();

        Router(Node node, Mode mode, List<Node> routers) {
            this.node = node;
            this.mode = mode;
            this.routers = routers;
            try {
                Path dir = Files.createTempDirectory("havip-faults-" + node.name());
                dir.toFile().setReadable(true, false);
                dir.toFile().setWritable(true, false);
                dir.toFile().setExecutable(true, false);
                this.stats = dir.resolve("stats");
                this.health = dir.resolve("health");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Starts NodeMain here (replacing a dead process) with the mode's arguments at {@code priority} plus {@code extra}. */
        HavipProcess start(int priority, String... extra) {
            List<String> args = new ArrayList<>(mode.args(node, routers, priority, extra));
            args.add("stats-file=" + stats);
            args.add("health-file=" + health);
            if (process != null) {
                previous.add(process);
            }
            try {
                Files.deleteIfExists(stats);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            process = HavipProcess.start(node, args);
            return process;
        }

        HavipProcess process() {
            return process;
        }

        boolean alive() {
            return process != null && process.isAlive();
        }

        /** The last RouterStats the process wrote (empty before the first write). */
        Map<String, Long> stats() {
            try {
                return Files.exists(stats) ? parseStats(Files.readString(stats)) : Map.of();
            } catch (IOException e) {
                return Map.of(); // replaced while read: the next poll sees it
            }
        }

        long stat(String name) {
            return stats().getOrDefault(name, 0L);
        }

        /** Waits until counter {@code name} satisfies {@code ok}; returns its value. */
        long awaitStat(String name, LongPredicate ok, Duration timeout) {
            long end = System.nanoTime() + timeout.toNanos();
            while (true) {
                long v = stat(name);
                if (ok.test(v)) {
                    return v;
                }
                if (System.nanoTime() > end) {
                    throw new AssertionError(node.name() + ": counter " + name + " is " + v + " after " + timeout
                            + "; stats " + stats() + "; events " + process.lines());
                }
                HavipProcess.sleep(25);
            }
        }

        /** Steers the NodeMain health check: "ok", "fail", "hang" or "flaky". */
        void health(String mode) {
            try {
                Files.writeString(health, mode);
                health.toFile().setReadable(true, false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** SIGSTOP or SIGCONT to the current process, by its pid. */
        void signal(String signal) {
            Cmd.check("kill", "-" + signal, Long.toString(process.pid()));
        }

        @Override
        public void close() {
            previous.forEach(HavipProcess::close);
            if (process != null) {
                if (process.isAlive()) {
                    Cmd.run("kill", "-CONT", Long.toString(process.pid())); // a stopped JVM cannot die of SIGKILL late
                }
                process.close();
            }
        }

        @Override
        public String toString() {
            return node.name();
        }
    }
}
