package io.havip.zookeeper.it;

import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.it.HavipProcess;
import io.havip.vrrp.it.Mode;
import io.havip.vrrp.it.VipChecks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The scenario bed of issue 14, shared by the tests of one class (a ZooKeeper ensemble takes
 * seconds to form): a testbed with two havip nodes n1 and n2 (NodeMain JVMs, VRRPv3 over IPv4
 * multicast at 100 ms, VIP 198.51.100.50), a client, and a 3-server {@link ZkEnsemble} zk1..zk3.
 * Each test starts its routers with {@link #start} in one {@link Election} mode, with a ZooKeeper
 * path of its own, and {@link #reset} between tests ends them, heals every partition, removes a
 * VIP a killed router left behind and restarts any ZooKeeper server a test stopped.
 *
 * <p>A {@link Sampler} records every 30 ms which of n1 and n2 has the VIP on eth0 (the kernel's
 * view, which is what answers ARP: a SIGSTOPped or SIGKILLed router's address counts too).
 */
final class ZkBed implements AutoCloseable {

    static final Mode MODE = Mode.IPV4_MULTICAST;
    static final long ADVERT_MS = 100;
    /** The ZooKeeper session timeout every guarded node asks for. */
    static final int SESSION_MS = 2_000;
    static final Duration CONVERGE = Duration.ofSeconds(20);
    /** What a loaded 2-core CI host adds to a bound: JVM wake-ups, scheduling, the 30 ms sampling. */
    static final long SLACK_MS = 1_000;

    /** How the two nodes decide who holds the VIP. */
    enum Election {
        /** VRRP alone (no ZooKeeper): the control. */
        VRRP,
        /** VRRP elects, the ZooKeeper lease guards the address. */
        GUARD,
        /** The ZooKeeper lease alone; the tests drop protocol 112 everywhere to prove it. */
        LEASE
    }

    final Testbed net;
    final Node n1;
    final Node n2;
    final Node client;
    final ZkEnsemble zk;
    final IpAddress vip = MODE.vip();
    final Sampler sampler;
    final List<VipChecks.Partition> partitions = new ArrayList<>();
    private final List<HavipProcess> processes = new ArrayList<>();
    HavipProcess p1;
    HavipProcess p2;

    private ZkBed(Testbed net, Node n1, Node n2, Node client, ZkEnsemble zk) {
        this.net = net;
        this.n1 = n1;
        this.n2 = n2;
        this.client = client;
        this.zk = zk;
        this.sampler = new Sampler(this);
    }

    /** A fresh testbed with n1, n2, client and a formed 3-server ensemble; closes all of it on failure. */
    static ZkBed create() throws Exception {
        Testbed net = Testbed.create();
        try {
            Node n1 = net.addNode("n1");
            Node n2 = net.addNode("n2");
            Node client = net.addNode("client");
            ZkEnsemble zk = ZkEnsemble.start(net, 3);
            ZkBed bed = new ZkBed(net, n1, n2, client, zk);
            bed.sampler.start();
            return bed;
        } catch (Exception | Error e) {
            net.close();
            throw e;
        }
    }

    /**
     * Starts n1 at priority {@code p1} and n2 at {@code p2} in {@code election} mode, with the lease
     * under ZooKeeper path {@code path} (unique per test), plus {@code extra} NodeMain arguments.
     */
    void start(Election election, String path, int p1, int p2, String... extra) {
        this.p1 = startRouter(n1, election, path, p1, extra);
        this.p2 = startRouter(n2, election, path, p2, extra);
    }

    /** Starts one router (e.g. to restart a killed one) and returns it. */
    HavipProcess startRouter(Node node, Election election, String path, int priority, String... extra) {
        List<String> args = new ArrayList<>(MODE.args(node, List.of(n1, n2), priority, extra));
        HavipProcess p;
        if (election == Election.VRRP) {
            p = HavipProcess.start(node, args);
        } else {
            args.addAll(ZkNodeExtension.args(node.name(), zk.connectString(), path, election, SESSION_MS));
            p = HavipProcess.start(node, args, ZkNodeExtension.classPath());
        }
        processes.add(p);
        return p;
    }

    HavipProcess process(Node node) {
        return node == n1 ? p1 : p2;
    }

    /** Waits until {@code master} says MASTER and is the only holder of the VIP, and the client reaches it there. */
    void awaitServing(Node master) {
        process(master).awaitState("MASTER", CONVERGE);
        sampler.awaitSole(master, CONVERGE);
        VipChecks.awaitClientReaches(client, vip, master, CONVERGE);
    }

    /** Drops VRRP (IP protocol 112) on the whole segment. */
    VipChecks.Partition dropVrrp() {
        return rule("novrrp", "ip protocol 112 drop");
    }

    /** Drops every frame between {@code node} and the ZooKeeper servers (both ways); the rest still flows. */
    VipChecks.Partition cutFromZooKeeper(Node node) {
        String zkPorts = "{ " + String.join(", ", zk.bridgePorts().stream().map(p -> "\"" + p + "\"").toList()) + " }";
        return rule("nozk_" + node.name(), "iifname \"" + node.bridgePort() + "\" oifname " + zkPorts + " drop\n"
                + "  iifname " + zkPorts + " oifname \"" + node.bridgePort() + "\" drop");
    }

    /** Drops every frame between n1 and n2 (both ways); both still reach the client and ZooKeeper. */
    VipChecks.Partition cutBetweenNodes() {
        return rule("nopeer", "iifname \"" + n1.bridgePort() + "\" oifname \"" + n2.bridgePort() + "\" drop\n"
                + "  iifname \"" + n2.bridgePort() + "\" oifname \"" + n1.bridgePort() + "\" drop");
    }

    /** An nftables bridge-family table {@code name} with {@code body} in a forward chain; healed by closing or {@link #reset}. */
    VipChecks.Partition rule(String name, String body) {
        String table = "havip_" + name;
        VipChecks.runNft(net, "table bridge " + table + " {\n chain forward {\n  type filter hook forward priority 0; "
                + "policy accept;\n  " + body + "\n }\n}\n");
        VipChecks.Partition p = new VipChecks.Partition(net, table);
        partitions.add(p);
        return p;
    }

    /** Ends the routers, heals every partition, removes left-over VIPs and brings every ZooKeeper server back. */
    void reset() throws Exception {
        for (HavipProcess p : processes) {
            if (p.isAlive()) {
                Cmd.run("kill", "-CONT", Long.toString(p.pid()));
            }
            p.close();
        }
        processes.clear();
        partitions.forEach(VipChecks.Partition::close);
        partitions.clear();
        for (Node n : List.of(n1, n2)) {
            if (VipChecks.holds(n, vip)) {
                n.ip("addr", "del", vip + "/24", "dev", "eth0");
            }
        }
        boolean restarted = false;
        for (ZkEnsemble.Server s : zk.servers()) {
            if (!s.alive()) {
                zk.restart(s.id());
                restarted = true;
            }
        }
        if (restarted) {
            zk.awaitQuorum(Duration.ofSeconds(60));
        }
        sampler.clear();
    }

    @Override
    public void close() throws Exception {
        try {
            sampler.close();
            reset();
        } finally {
            zk.close();
            net.close();
        }
    }

    /** A measured value, printed on stdout with the prefix benchmarks/zookeeper.sh greps for. */
    static void measured(String format, Object... args) {
        System.out.println("MEASURED " + String.format(format, args));
        System.out.flush();
    }

    /**
     * One figure for benchmarks/zookeeper.sh's table: {@code BENCH mode|scenario|metric|value}, e.g.
     * {@code BENCH guard|(a) nodes partitioned|two holders ms|0}.
     */
    static void bench(Election mode, String scenario, String metric, double value) {
        System.out.println("BENCH " + mode.name().toLowerCase(java.util.Locale.ROOT) + "|" + scenario + "|" + metric + "|"
                + Math.round(value));
        System.out.flush();
    }

    /** Which of n1, n2 hold the VIP, every 30 ms. */
    static final class Sampler implements AutoCloseable {
        static final long PERIOD_MS = 30;

        /** One observation at {@code atMillis} (epoch ms). */
        record Sample(long atMillis, boolean n1, boolean n2) {
            int holders() {
                return (n1 ? 1 : 0) + (n2 ? 1 : 0);
            }
        }

        private final ZkBed bed;
        private final List<Sample> samples = new ArrayList<>();
        private final Thread thread;
        private volatile boolean closed;

        Sampler(ZkBed bed) {
            this.bed = bed;
            this.thread = new Thread(this::run, "zkbed-sampler");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            while (!closed) {
                try {
                    Sample s = new Sample(System.currentTimeMillis(), VipChecks.holds(bed.n1, bed.vip),
                            VipChecks.holds(bed.n2, bed.vip));
                    synchronized (samples) {
                        samples.add(s);
                    }
                } catch (RuntimeException e) {
                    // a namespace going away at the end; the next sample decides
                }
                HavipProcess.sleep(PERIOD_MS);
            }
        }

        void clear() {
            synchronized (samples) {
                samples.clear();
            }
        }

        List<Sample> since(long fromMillis) {
            synchronized (samples) {
                return samples.stream().filter(s -> s.atMillis() >= fromMillis).toList();
            }
        }

        /** The longest run (ms, plus one period) of samples since {@code fromMillis} in which both nodes hold the VIP. */
        long longestDualMillis(long fromMillis) {
            return longest(fromMillis, s -> s.holders() > 1);
        }

        /** The longest run (ms, plus one period) of samples since {@code fromMillis} in which nobody holds the VIP. */
        long longestNoneMillis(long fromMillis) {
            return longest(fromMillis, s -> s.holders() == 0);
        }

        private long longest(long fromMillis, Predicate<Sample> bad) {
            long longest = 0;
            long runStart = -1;
            for (Sample s : since(fromMillis)) {
                if (bad.test(s)) {
                    if (runStart < 0) {
                        runStart = s.atMillis();
                    }
                    longest = Math.max(longest, s.atMillis() - runStart + PERIOD_MS);
                } else {
                    runStart = -1;
                }
            }
            return longest;
        }

        /** Waits until three samples in a row show {@code node} as the only holder; returns the first of them (epoch ms). */
        long awaitSole(Node node, Duration timeout) {
            long from = System.currentTimeMillis();
            long end = from + timeout.toMillis();
            while (true) {
                List<Sample> recent = since(from);
                int run = 0;
                long runStart = 0;
                for (Sample s : recent) {
                    boolean sole = s.holders() == 1 && (node == bed.n1 ? s.n1() : s.n2());
                    if (sole && run == 0) {
                        runStart = s.atMillis();
                    }
                    run = sole ? run + 1 : 0;
                }
                if (run >= 3) {
                    return runStart;
                }
                if (System.currentTimeMillis() > end) {
                    throw new AssertionError("not " + node.name() + " alone holding " + bed.vip + " within " + timeout
                            + "; last samples " + recent.subList(Math.max(0, recent.size() - 5), recent.size())
                            + "; n1 events " + (bed.p1 == null ? "-" : bed.p1.lines()) + "; n2 events "
                            + (bed.p2 == null ? "-" : bed.p2.lines()));
                }
                HavipProcess.sleep(PERIOD_MS);
            }
        }

        /** Waits until the first sample since {@code fromMillis} in which {@code node} holds the VIP; returns its time. */
        long awaitHolds(Node node, long fromMillis, Duration timeout) {
            long end = System.currentTimeMillis() + timeout.toMillis();
            while (true) {
                for (Sample s : since(fromMillis)) {
                    if (node == bed.n1 ? s.n1() : s.n2()) {
                        return s.atMillis();
                    }
                }
                if (System.currentTimeMillis() > end) {
                    throw new AssertionError(node.name() + " did not hold " + bed.vip + " within " + timeout);
                }
                HavipProcess.sleep(PERIOD_MS);
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
