package io.havip.vrrp.sim;

import io.havip.core.RouterState;
import io.havip.core.TransitionReason;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.codec.VrrpCodec;
import io.havip.vrrp.machine.Action;
import io.havip.vrrp.machine.RouterConfig;
import io.havip.vrrp.machine.VrrpMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A discrete-event simulation of several {@link VrrpMachine}s on one segment under a
 * virtual clock: every advert is encoded with {@link VrrpCodec}, carried with a seeded
 * delay and loss (or blocked by a partition), and decoded by the receiver's machine.
 * Nodes can crash (no goodbye), shut down (priority 0) and restart. It also checks, at
 * every step, two invariants the scenarios rely on: a node binds only as MASTER, and
 * binds and unbinds alternate; violations are collected in {@link #violations()}.
 */
final class Simulation {

    /**
     * One transition as the machine notified it.
     *
     * @param quiet how long before it the node had last accepted a master's advert
     *              ({@link Long#MAX_VALUE} if never since it started)
     */
    record Transition(long at, String node, RouterState from, RouterState to, TransitionReason reason, long quiet) {
    }

    /** A simulated host with one virtual router. */
    final class Node {
        final String name;
        final IpAddress address;
        RouterConfig config;
        VrrpMachine machine;
        boolean alive;
        boolean bound;
        int incarnation;
        long timerGeneration;
        /** When this node last received an advert its machine accepted as from a master (for timer checks). */
        long lastAdvertAt = Long.MIN_VALUE;

        Node(String name, IpAddress address, RouterConfig config) {
            this.name = name;
            this.address = address;
            this.config = config;
        }

        RouterState state() {
            return alive ? machine.state() : RouterState.STOP;
        }

        @Override
        public String toString() {
            return name + "[" + state() + " p" + (alive ? machine.priority() : config.priority()) + "]";
        }
    }

    private record Event(long at, long seq, Runnable run) {
    }

    private final Random random;
    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Integer> side = new HashMap<>();
    private final List<Transition> transitions = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final List<Consumer<Simulation>> observers = new ArrayList<>();
    private long now;
    private long seq;
    private double loss;
    private long minDelay = 500_000; // 0.5 ms: a LAN hop
    private long maxDelay = 2_000_000;
    private long sent;
    private long delivered;

    Simulation(long seed) {
        this.random = new Random(seed);
    }

    // ---------------------------------------------------------------- set-up and faults

    Node add(String name, String address, RouterConfig config) {
        Node n = new Node(name, IpAddress.parse(address), config);
        nodes.put(name, n);
        side.put(name, 0);
        return n;
    }

    Node node(String name) {
        return nodes.get(name);
    }

    Collection<Node> nodes() {
        return nodes.values();
    }

    /** Starts (or restarts) the node's router now. */
    void start(String name) {
        Node n = nodes.get(name);
        n.machine = new VrrpMachine(n.config, n.address);
        n.alive = true;
        n.bound = false;
        n.incarnation++;
        n.lastAdvertAt = Long.MIN_VALUE;
        apply(n, n.machine.start(now));
    }

    void startAll() {
        nodes.keySet().forEach(this::start);
    }

    /** The host dies: no goodbye, its addresses vanish with it. */
    void crash(String name) {
        Node n = nodes.get(name);
        n.alive = false;
        n.bound = false;
    }

    /** A planned stop: priority-0 advert and unbind (RFC 5798 section 6.4.3 Shutdown). */
    void shutdown(String name) {
        Node n = nodes.get(name);
        apply(n, n.machine.shutdown(now));
        n.alive = false;
    }

    void setPriority(String name, int priority) {
        Node n = nodes.get(name);
        apply(n, n.machine.setPriority(now, priority));
    }

    /** The named nodes form one side, every other node the other. */
    void partition(Set<String> oneSide) {
        side.replaceAll((k, v) -> oneSide.contains(k) ? 1 : 0);
    }

    void heal() {
        side.replaceAll((k, v) -> 0);
    }

    void setLoss(double p) {
        loss = p;
    }

    void setDelay(Duration min, Duration max) {
        minDelay = min.toNanos();
        maxDelay = max.toNanos();
    }

    long maxDelay() {
        return maxDelay;
    }

    /** Runs {@code action} at virtual time {@code at}. */
    void at(long at, Runnable action) {
        schedule(at, action);
    }

    /** Called after every event (for invariants sampled at every step). */
    void observe(Consumer<Simulation> observer) {
        observers.add(observer);
    }

    // ---------------------------------------------------------------- running

    long now() {
        return now;
    }

    void runUntil(long until) {
        while (!queue.isEmpty() && queue.peek().at <= until) {
            Event e = queue.poll();
            now = e.at;
            e.run.run();
            for (Consumer<Simulation> o : observers) {
                o.accept(this);
            }
        }
        now = Math.max(now, until);
    }

    void runFor(Duration d) {
        runUntil(now + d.toNanos());
    }

    // ---------------------------------------------------------------- observations

    List<Node> masters() {
        return nodes.values().stream().filter(n -> n.state() == RouterState.MASTER).toList();
    }

    List<Node> boundNodes() {
        return nodes.values().stream().filter(n -> n.bound).toList();
    }

    List<Transition> transitions() {
        return transitions;
    }

    List<Transition> transitionsOf(String name) {
        return transitions.stream().filter(t -> t.node.equals(name)).toList();
    }

    /** The time of the first transition of {@code name} to {@code to} at or after {@code from}, or -1. */
    long firstTransition(String name, RouterState to, long from) {
        return transitions.stream().filter(t -> t.node.equals(name) && t.to == to && t.at >= from)
                .mapToLong(Transition::at).findFirst().orElse(-1);
    }

    List<String> violations() {
        return violations;
    }

    long sent() {
        return sent;
    }

    long delivered() {
        return delivered;
    }

    // ---------------------------------------------------------------- machinery

    private void schedule(long at, Runnable r) {
        queue.add(new Event(at, seq++, r));
    }

    private void apply(Node n, List<Action> actions) {
        for (Action a : actions) {
            if (a instanceof Action.SendAdvert s) {
                send(n, s);
            } else if (a instanceof Action.BindAddresses) {
                check(n.machine.state() == RouterState.MASTER, n, "binds in state " + n.machine.state());
                check(!n.bound, n, "binds twice");
                n.bound = true;
            } else if (a instanceof Action.UnbindAddresses) {
                check(n.bound, n, "unbinds what it does not hold");
                check(n.machine.state() != RouterState.MASTER, n, "unbinds while MASTER");
                n.bound = false;
            } else if (a instanceof Action.Reannounce) {
                check(n.bound, n, "reannounces what it does not hold");
            } else if (a instanceof Action.NotifyStateChange c) {
                transitions.add(new Transition(now, n.name, c.from(), c.to(), c.reason(),
                        n.lastAdvertAt == Long.MIN_VALUE ? Long.MAX_VALUE : now - n.lastAdvertAt));
            }
        }
        armTimer(n);
    }

    private void check(boolean ok, Node n, String what) {
        if (!ok) {
            violations.add(Duration.ofNanos(now) + ": " + n.name + " " + what);
        }
    }

    private void armTimer(Node n) {
        long deadline = n.machine.nextDeadlineNanos();
        long generation = ++n.timerGeneration;
        if (deadline == Long.MAX_VALUE) {
            return;
        }
        int incarnation = n.incarnation;
        schedule(Math.max(deadline, now), () -> {
            if (n.alive && n.incarnation == incarnation && n.timerGeneration == generation) {
                apply(n, n.machine.onTimer(now));
            }
        });
    }

    private void send(Node from, Action.SendAdvert s) {
        for (IpAddress dst : s.destinations()) {
            byte[] bytes = VrrpCodec.encode(s.advertisement(), from.address, dst);
            boolean multicast = RouterConfig.MULTICAST_V4.equals(dst) || RouterConfig.MULTICAST_V6.equals(dst);
            for (Node to : nodes.values()) {
                if (to == from || !multicast && !to.address.equals(dst)) {
                    continue;
                }
                sent++;
                if (!side.get(to.name).equals(side.get(from.name)) || random.nextDouble() < loss) {
                    continue;
                }
                long delay = minDelay + (maxDelay > minDelay ? (long) (random.nextDouble() * (maxDelay - minDelay)) : 0);
                int incarnation = to.incarnation;
                schedule(now + delay, () -> receive(to, incarnation, from.address, dst, VrrpMachine.REQUIRED_TTL, bytes));
            }
        }
    }

    /** Delivers {@code bytes} to {@code to} now as if {@code src} had sent them to {@code dst} (forged packets). */
    void inject(String to, IpAddress src, IpAddress dst, int ttl, byte[] bytes) {
        Node n = nodes.get(to);
        receive(n, n.incarnation, src, dst, ttl, bytes);
    }

    private void receive(Node to, int incarnation, IpAddress src, IpAddress dst, int ttl, byte[] bytes) {
        if (!to.alive || to.incarnation != incarnation) {
            return;
        }
        delivered++;
        long before = to.machine.nextDeadlineNanos();
        RouterState state = to.machine.state();
        List<Action> out = to.machine.onPacket(now, src, dst, ttl, bytes);
        if (state == RouterState.BACKUP && to.machine.state() == RouterState.BACKUP
                && to.machine.nextDeadlineNanos() != before) {
            to.lastAdvertAt = now; // accepted: the Master_Down_Timer was reset
        }
        apply(to, out);
    }

    @Override
    public String toString() {
        return "t=" + Duration.ofNanos(now) + " " + nodes.values();
    }
}
