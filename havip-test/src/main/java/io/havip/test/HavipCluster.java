package io.havip.test;

import io.havip.core.Clock;
import io.havip.core.ManualClock;
import io.havip.core.RouterState;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.Havip;
import io.havip.vrrp.HealthCheck;
import io.havip.vrrp.VirtualRouter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * N virtual routers of one VRID, one per node of an {@link InMemoryNetwork}, under one
 * {@link ManualClock}: what Curator's {@code TestingCluster} is for ZooKeeper, for a failover
 * test that needs no root and no real time. Crash, stop, restart, partition, heal, pause and
 * resume nodes, {@link #advance} time, and ask who holds the address (or assert it with
 * {@link HavipAssertions}).
 *
 * <pre>{@code
 * try (HavipCluster cluster = HavipCluster.builder().nodes("n1", "n2", "n3").start()) {
 *     cluster.advance(Duration.ofSeconds(1));
 *     assertThat(cluster).hasMaster("n1");       // n1 has the highest priority by default
 *     cluster.crash("n1");
 *     cluster.advance(Duration.ofSeconds(1));
 *     assertThat(cluster).hasMaster("n2");
 * }
 * }</pre>
 *
 * <h2>Time</h2>
 * The routers read only the virtual clock; it moves only in {@link #advance}, in steps of
 * {@link Builder#timeStep} (10 ms by default), and after each step the cluster waits until the
 * routers have handled what fell due and the adverts they sent were taken off the segment. A
 * router's listener and hooks run on its own threads, as in production: after {@code advance}
 * returns, a callback may still be on its way (the assertions of {@link HavipAssertions} wait
 * for it, with the clock standing still, for at most {@link Builder#settleTimeout}).
 *
 * <p><b>Workaround, to go when the runtime has a public sync:</b> nothing public tells a router
 * "the clock moved, look again" or "you are idle", so each router gets one more
 * {@link HealthCheck} named {@value #CLOCK_TICK_CHECK} that returns {@code true} every 2 ms of
 * real time: its result wakes the router so that it reads the virtual clock; it never fails
 * (timeout one hour) and weighs -1 should it ever. It shows in the router's trackers. The
 * cluster then judges a step done when no node has an advert waiting and the segment carried
 * nothing new for two 2 ms looks in a row.
 *
 * <h2>Threads</h2>
 * Not thread-safe: drive a cluster from the test's thread.
 */
public final class HavipCluster implements AutoCloseable {

    /** The name of the health check that wakes each router (see "Workaround" above). */
    public static final String CLOCK_TICK_CHECK = "havip-test-clock-tick";
    private static final Duration TICK = Duration.ofMillis(2);
    private static final Duration BOUNDED_CLOSE = Duration.ofSeconds(60);

    private final Builder settings;
    private final ManualClock clock;
    private final InMemoryNetwork network;
    private final InterfaceAddress vip;
    private final Map<String, Member> members = new LinkedHashMap<>();
    /** Routers of crashed or replaced nodes, closed with the cluster. */
    private final List<Member> retired = new ArrayList<>();

    /** One node: its settings and, while it runs, its router. */
    private static final class Member {
        final String name;
        final int index;
        final int priority;
        NodeClock clock;
        VirtualRouter router;
        PausableTransport transport;

        Member(String name, int index, int priority, ManualClock base) {
            this.name = name;
            this.index = index;
            this.priority = priority;
            this.clock = new NodeClock(base);
        }
    }

    private HavipCluster(Builder b) {
        this.settings = b;
        this.clock = Clock.manual(b.start);
        this.network = new InMemoryNetwork(clock, b.seed);
        this.vip = InterfaceAddress.parse(b.virtualAddress);
        for (int i = 0; i < b.names.size(); i++) {
            String name = b.names.get(i);
            int priority = b.priorities.getOrDefault(name, 100 + defaultSpacing(b.names.size()) * (b.names.size() - 1 - i));
            members.put(name, new Member(name, i + 1, priority, clock));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Priority points between two nodes by default: 50 (up to 4 nodes), so that their Skew_Times
     * differ by 19.5 ms at 100 ms adverts, two time steps, and the node with the higher priority
     * is heard before the next one's timer falls due; less for more nodes, so that all fit under 255.
     */
    static int defaultSpacing(int nodes) {
        return nodes < 2 ? 0 : Math.max(1, Math.min(50, 154 / (nodes - 1)));
    }

    /** Starts every node that does not run yet (in the order they were named). */
    public HavipCluster start() {
        for (Member m : members.values()) {
            if (m.router == null) {
                startMember(m);
            }
        }
        return this;
    }

    /**
     * Starts {@code node} again after {@link #crash} or {@link #stop}: a new router on a host
     * with the same name, MAC and address (a reboot), in INITIALIZE then BACKUP.
     */
    public VirtualRouter restart(String node) {
        Member m = member(node);
        if (m.router != null) {
            throw new IllegalStateException("cannot restart " + node + ": it is running; crash(\"" + node
                    + "\") or stop(\"" + node + "\") it first");
        }
        startMember(m);
        return m.router;
    }

    private void startMember(Member m) {
        Havip.Builder b = Havip.builder().name(m.name).interfaceName(settings.interfaceName).vrid(settings.vrid)
                .priority(m.priority).virtualAddress(vip).advertInterval(settings.advertInterval);
        wire(m, b);
        settings.configure.accept(m.name, b);
        m.router = b.start();
    }

    /** Connects {@code b} to {@code m}'s host: its transport, binder, clock, and the clock tick. */
    private void wire(Member m, Havip.Builder b) {
        Node host = network.node(m.name).orElseGet(() -> network.attach(m.name,
                MacAddress.parse(String.format("02:00:c6:33:64:%02x", m.index)),
                IpAddress.parse(settings.addressPrefix + m.index)));
        m.clock = new NodeClock(clock); // a crashed router keeps its own frozen clock
        m.transport = new PausableTransport(host.openTransport(settings.interfaceName), m.clock);
        b.transport(m.transport).binder(host.binder()).clock(m.clock)
                // WORKAROUND (see the class comment): wakes the router to read the virtual clock
                .healthCheck(new HealthCheck(CLOCK_TICK_CHECK, () -> true, TICK, Duration.ofHours(1), 1, 1, -1));
    }

    // ------------------------------------------------------------------ routers built elsewhere

    /**
     * For routers that the code under test builds itself (a Spring application, a service's own
     * wiring): connects {@code builder} to {@code node}'s host on the segment (transport, binder,
     * the node's clock) and leaves every other setting (interface, VRID, priority, addresses) as
     * the code set it. Start it, then {@link #adopt} the router so that the cluster can crash,
     * pause and close it and the assertions see it. Call it again for a restart.
     *
     * @return {@code builder}
     */
    public Havip.Builder prepare(String node, Havip.Builder builder) {
        Member m = member(node);
        if (m.router != null) {
            throw new IllegalStateException("cannot prepare a router for " + node + ": it runs one; crash(\"" + node
                    + "\") or stop(\"" + node + "\") it first");
        }
        wire(m, builder);
        return builder;
    }

    /**
     * Makes {@code router}, started from a builder given to {@link #prepare}, {@code node}'s
     * router. The code that started it may close it too (close is idempotent). The virtual
     * address of the assertions is still {@link Builder#virtualAddress}: give the router that one.
     */
    public void adopt(String node, VirtualRouter router) {
        Member m = member(node);
        if (m.router != null && m.router != router) {
            throw new IllegalStateException("cannot adopt a router for " + node + ": it runs another one");
        }
        if (m.transport == null) {
            throw new IllegalStateException("cannot adopt a router for " + node + ": prepare(\"" + node
                    + "\", builder) its builder first");
        }
        m.router = router;
    }

    // ------------------------------------------------------------------ faults

    /**
     * The host of {@code node} dies at once: it leaves the segment (its address answers no more,
     * it neither sends nor hears anything) and its router freezes, so none of its listeners or
     * hooks hear anything more, as in a real crash. {@link #restart} brings it back.
     */
    public void crash(String node) {
        Member m = running(node, "crash");
        m.clock.pause();
        network.detach(node);
        retired.add(copyOf(m));
        m.router = null;
    }

    /**
     * Closes {@code node}'s router gracefully ({@link VirtualRouter#close()}: a master sends
     * priority 0 and hands over) while virtual time moves on, until the close returned.
     */
    public void stop(String node) throws InterruptedException {
        Member m = running(node, "stop");
        closeWhileAdvancing(List.of(m.router));
        m.router = null;
    }

    /**
     * Splits the segment: each collection is one side, nodes not named form one more side.
     * Replaces any earlier partition. See {@link InMemoryNetwork#partition}.
     */
    @SafeVarargs
    public final void partition(Collection<String>... sides) {
        network.partition(sides);
    }

    /** Cuts {@code node} off from every other node (both directions). */
    public void isolate(String node) {
        member(node);
        network.partition(List.of(node));
    }

    /** Every node hears every other again. */
    public void heal() {
        network.heal();
    }

    /** Each message is lost with probability {@code p} (0 to 1), seeded by {@link Builder#seed}. */
    public void setLossProbability(double p) {
        network.setLossProbability(p);
    }

    /**
     * Freezes {@code node}'s process as SIGSTOP or a long GC pause would: its clock stands
     * still, it sends nothing and reads nothing (messages wait for it, as in a socket buffer),
     * and it keeps whatever address it holds. {@link #resume} lets it see the time that passed.
     */
    public void pause(String node) {
        running(node, "pause").clock.pause();
    }

    /** Ends a {@link #pause}: the node reads the messages that waited and its timers catch up. */
    public void resume(String node) {
        running(node, "resume").clock.resume();
    }

    // ------------------------------------------------------------------ time

    /**
     * Moves virtual time forward by {@code duration}, one {@link Builder#timeStep} at a time,
     * letting the routers handle each step before the next.
     */
    public void advance(Duration duration) throws InterruptedException {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("advance(" + duration + "): time only moves forward");
        }
        long steps = (duration.toNanos() + settings.timeStep.toNanos() - 1) / settings.timeStep.toNanos();
        for (long i = 0; i < steps; i++) {
            Duration step = i < steps - 1 ? settings.timeStep
                    : duration.minus(settings.timeStep.multipliedBy(steps - 1));
            clock.advance(step);
            settle();
        }
    }

    /**
     * Advances time until {@code condition} holds, at most {@code limit} of virtual time.
     *
     * @return the virtual time it took
     * @throws AssertionError if it still does not hold after {@code limit}
     */
    public Duration advanceUntil(BooleanSupplier condition, Duration limit, String description)
            throws InterruptedException {
        long start = clock.nanoTime();
        while (!condition.getAsBoolean()) {
            if (clock.nanoTime() - start >= limit.toNanos()) {
                throw new AssertionError("after " + limit + " of virtual time, still not: " + description + "; "
                        + describe());
            }
            advance(settings.timeStep);
        }
        return Duration.ofNanos(clock.nanoTime() - start);
    }

    /**
     * Waits, with the clock standing still, until the routers are quiet: no advert waits to be
     * read and the segment carried nothing new for two looks {@value #TICK_MILLIS} ms apart. Bounded
     * by {@link Builder#settleTimeout}; returns then even if not quiet (a router kept sending).
     */
    public void settle() throws InterruptedException {
        long end = System.nanoTime() + settings.settleTimeout.toNanos();
        long lastSent = -1;
        int quiet = 0;
        while (System.nanoTime() < end) {
            Thread.sleep(TICK_MILLIS);
            long sent = network.traffic().sent();
            long pending = 0;
            for (Member m : members.values()) {
                if (m.router != null && !m.clock.paused()) {
                    pending += m.transport.pending();
                }
            }
            if (pending == 0 && sent == lastSent) {
                if (++quiet >= 2) {
                    return;
                }
            } else {
                quiet = 0;
            }
            lastSent = sent;
        }
    }

    static final int TICK_MILLIS = 2;

    // ------------------------------------------------------------------ queries

    /** The virtual clock every router reads (a paused node reads it frozen). */
    public ManualClock clock() {
        return clock;
    }

    /** The segment, for what the cluster does not offer (events, traffic, a node's held addresses). */
    public InMemoryNetwork network() {
        return network;
    }

    /** The virtual address every router of the cluster serves. */
    public InterfaceAddress virtualAddress() {
        return vip;
    }

    /** The node names, in the order given. */
    public List<String> nodes() {
        return List.copyOf(members.keySet());
    }

    /** {@code node}'s running router. */
    public VirtualRouter router(String node) {
        return running(node, "read the router of").router;
    }

    private Member running(String node, String what) {
        Member m = member(node);
        if (m.router == null) {
            throw new IllegalStateException("cannot " + what + " " + node + ": it is not running (crashed or "
                    + "stopped); restart(\"" + node + "\") it first");
        }
        return m;
    }

    /** Whether {@code node} runs (started, and neither crashed nor stopped since). */
    public boolean isRunning(String node) {
        return member(node).router != null;
    }

    /** {@code node}'s router state; {@link RouterState#STOP} when it does not run. */
    public RouterState state(String node) {
        Member m = member(node);
        return m.router == null ? RouterState.STOP : m.router.state();
    }

    /** The running nodes whose router is MASTER. */
    public List<String> masters() {
        return members.values().stream().filter(m -> m.router != null && m.router.state() == RouterState.MASTER)
                .map(m -> m.name).toList();
    }

    /** The node a client on the segment reaches at the virtual address, if any. */
    public Optional<String> addressAnsweredBy() {
        return network.whoAnswers(vip.address()).map(Node::name);
    }

    /** Every node that has the virtual address on its interface now (more than one is a split brain). */
    public List<String> addressHolders() {
        return network.holders(vip.address()).stream().map(Node::name).toList();
    }

    /** One line per node: state, priority, paused, address; and who answers. For failure messages. */
    public String describe() {
        StringBuilder sb = new StringBuilder("at +").append(Duration.ofNanos(clock.nanoTime()).toMillis()).append(" ms:");
        List<String> holders = addressHolders();
        for (Member m : members.values()) {
            sb.append(' ').append(m.name).append('=');
            if (m.router == null) {
                sb.append("down");
            } else {
                sb.append(m.router.state()).append("/prio ").append(m.router.priority());
                if (m.clock.paused()) {
                    sb.append("/paused");
                }
            }
            if (holders.contains(m.name)) {
                sb.append("/holds ").append(vip.address());
            }
        }
        return sb.append("; clients reach ").append(addressAnsweredBy().orElse("nobody")).toString();
    }

    private Member member(String node) {
        Member m = members.get(node);
        if (m == null) {
            throw new IllegalArgumentException("no node named " + node + " in this cluster (it has " + members.keySet()
                    + ")");
        }
        return m;
    }

    private static Member copyOf(Member m) {
        Member r = new Member(m.name, m.index, m.priority, null);
        r.clock = m.clock;
        r.router = m.router;
        return r;
    }

    // ------------------------------------------------------------------ close

    /**
     * Closes every router, the crashed ones too (their hosts are gone, so they reach nobody), while
     * virtual time moves on for the handovers. Idempotent.
     */
    @Override
    public void close() throws InterruptedException {
        List<VirtualRouter> all = new ArrayList<>();
        for (Member m : members.values()) {
            m.clock.resume();
            if (m.router != null) {
                all.add(m.router);
                m.router = null;
            }
        }
        for (Member m : retired) {
            // a crashed router's clock stayed frozen until now: let it see time again so its close completes
            m.clock.resume();
            all.add(m.router);
        }
        retired.clear();
        closeWhileAdvancing(all);
    }

    private void closeWhileAdvancing(List<VirtualRouter> routers) throws InterruptedException {
        List<Thread> closers = new ArrayList<>();
        for (VirtualRouter r : routers) {
            Thread t = new Thread(r::close, "havip-test-close-" + r.id().name());
            t.setDaemon(true);
            t.start();
            closers.add(t);
        }
        long end = System.nanoTime() + BOUNDED_CLOSE.toNanos();
        while (closers.stream().anyMatch(Thread::isAlive)) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("routers did not close within " + BOUNDED_CLOSE + " of real time: "
                        + describe());
            }
            clock.advance(settings.timeStep);
            settle();
        }
    }

    @Override
    public String toString() {
        return "HavipCluster " + describe();
    }

    /** Settings of a cluster; every one has a default. */
    public static final class Builder {
        private final List<String> names = new ArrayList<>(List.of("n1", "n2", "n3"));
        private final Map<String, Integer> priorities = new LinkedHashMap<>();
        private String interfaceName = "eth0";
        private String addressPrefix = "198.51.100.";
        private String virtualAddress = "198.51.100.50/24";
        private int vrid = 51;
        private Duration advertInterval = Duration.ofMillis(100);
        private Duration timeStep = Duration.ofMillis(10);
        private Duration settleTimeout = Duration.ofSeconds(2);
        private long seed;
        private Instant start = Instant.parse("2026-01-01T00:00:00Z");
        private BiConsumer<String, Havip.Builder> configure = (n, b) -> { };

        private Builder() {
        }

        /**
         * The nodes, by name (default {@code n1, n2, n3}), at 198.51.100.1, .2, ... in this
         * order. Unless {@link #priority} says otherwise the first has the highest priority and
         * the last 100, 50 points apart up to four nodes (three nodes: 200, 150, 100), so the
         * first wins the first election.
         */
        public Builder nodes(String... names) {
            if (names.length == 0 || names.length > 40) {
                throw new IllegalArgumentException("nodes: give 1 to 40 names, got " + names.length);
            }
            List<String> list = List.of(names);
            if (list.stream().distinct().count() != list.size()) {
                throw new IllegalArgumentException("nodes: names must differ, got " + list);
            }
            this.names.clear();
            this.names.addAll(list);
            return this;
        }

        /** {@code count} nodes named {@code n1} to {@code n<count>}. */
        public Builder nodes(int count) {
            if (count < 1 || count > 40) {
                throw new IllegalArgumentException("nodes: " + count + " is outside 1-40");
            }
            String[] n = new String[count];
            for (int i = 0; i < count; i++) {
                n[i] = "n" + (i + 1);
            }
            return nodes(n);
        }

        /** {@code node}'s priority (1-255). */
        public Builder priority(String node, int priority) {
            if (priority < 1 || priority > 255) {
                throw new IllegalArgumentException("priority of " + node + ": " + priority + " is outside 1-255");
            }
            priorities.put(node, priority);
            return this;
        }

        /** The VRID (default 51). */
        public Builder vrid(int vrid) {
            this.vrid = vrid;
            return this;
        }

        /** The virtual address (default {@code 198.51.100.50/24}). */
        public Builder virtualAddress(String address) {
            InterfaceAddress.parse(address);
            this.virtualAddress = address;
            return this;
        }

        /** The advert interval (default 100 ms; Master_Down_Interval is then about 340 ms). */
        public Builder advertInterval(Duration interval) {
            this.advertInterval = interval;
            return this;
        }

        /**
         * How far {@link HavipCluster#advance} moves the clock at a time (default 10 ms). Timers
         * that fall due within one step fire in the same step, before either router hears the
         * other: two backups whose Skew_Times differ by less than a step (0.39 ms per priority
         * point at 100 ms adverts) may both become MASTER for a moment, which a real network would
         * not show. Shorter steps order close deadlines more finely and take more real time
         * (about 5 ms per step).
         */
        public Builder timeStep(Duration step) {
            if (step.isNegative() || step.isZero()) {
                throw new IllegalArgumentException("timeStep " + step + " must be positive");
            }
            this.timeStep = step;
            return this;
        }

        /** The longest real time one {@link HavipCluster#settle} and one assertion wait (default 2 s). */
        public Builder settleTimeout(Duration timeout) {
            this.settleTimeout = timeout;
            return this;
        }

        /** Seeds the segment's message loss (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Called for each node's builder before its router starts (and again at each restart):
         * add listeners, hooks, health checks, or change any setting.
         */
        public Builder configure(BiConsumer<String, Havip.Builder> configure) {
            this.configure = configure;
            return this;
        }

        Duration settleTimeout() {
            return settleTimeout;
        }

        /** The cluster, not started. */
        public HavipCluster build() {
            return new HavipCluster(this);
        }

        /** The cluster with every node started (all BACKUP until time moves). */
        public HavipCluster start() {
            return build().start();
        }
    }

    Duration settleTimeout() {
        return settings.settleTimeout;
    }
}
