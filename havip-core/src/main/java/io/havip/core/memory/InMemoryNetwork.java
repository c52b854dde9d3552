package io.havip.core.memory;

import io.havip.core.Clock;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.Ipv6Address;
import io.havip.core.net.MacAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One simulated Ethernet segment for tests and the no-root demo: nodes attach with a name,
 * a MAC and a primary address; each gets {@link io.havip.core.AdvertTransport}s (VRRP messages, multicast
 * to every other node, unicast to the owner of the destination address, always TTL 255)
 * and a {@link io.havip.core.VipBinder} whose binds announce the address on the segment, so
 * {@link #whoAnswers} tells which node a client would reach.
 *
 * <p>Faults: {@link #partition} / {@link #heal}, message loss with a seeded {@link Random}
 * ({@link #setLossProbability}), and {@link #detach} for a crashed host. Delivery is
 * immediate (no delay). Every control action and address change is recorded as an
 * {@link Event} for a demo timeline.
 *
 * <p>Thread-safe: one lock guards the segment; transports may be used from any thread;
 * event listeners are called after the lock is released, on the thread that caused the event.
 */
public final class InMemoryNetwork {

    /** How many events are kept; older ones are dropped. */
    public static final int EVENT_CAPACITY = 10_000;

    private final Clock clock;
    private final Random random;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    /** The segment's "ARP view": which node last announced each address. */
    private final Map<IpAddress, Node> arpView = new HashMap<>();
    /** Partition side of each node name; nodes on different sides cannot hear each other. */
    private final Map<String, Integer> side = new HashMap<>();
    private final List<Event> events = new ArrayList<>();
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private double lossProbability;
    private long nextSequence = 1;
    private long sent;
    private long delivered;
    private long lost;
    private long blocked;

    /**
     * @param clock time for event stamps
     * @param seed  seeds the loss decisions, so a run with the same traffic order repeats
     */
    public InMemoryNetwork(Clock clock, long seed) {
        if (clock == null) {
            throw new IllegalArgumentException("clock is null");
        }
        this.clock = clock;
        this.random = new Random(seed);
    }

    /** A segment on the system clock with loss seed 0. */
    public InMemoryNetwork() {
        this(Clock.system(), 0);
    }

    /**
     * Attaches a node. Names, MACs and primary addresses are unique among attached nodes; a
     * detached node's name may be attached again (a restart).
     */
    public Node attach(String name, MacAddress mac, IpAddress primaryAddress) {
        if (name == null || name.isBlank() || mac == null || primaryAddress == null) {
            throw new IllegalArgumentException("attach needs a name, a MAC and a primary address; got " + name + ", "
                    + mac + ", " + primaryAddress);
        }
        Node node;
        synchronized (this) {
            for (Node n : nodes.values()) {
                if (n.name().equals(name)) {
                    throw new IllegalArgumentException("cannot attach " + name + ": a node of that name is attached; "
                            + "detach it first");
                }
                if (n.mac().equals(mac)) {
                    throw new IllegalArgumentException("cannot attach " + name + ": MAC " + mac + " belongs to "
                            + n.name());
                }
                if (n.primaryAddress().equals(primaryAddress)) {
                    throw new IllegalArgumentException("cannot attach " + name + ": address " + primaryAddress
                            + " belongs to " + n.name());
                }
            }
            node = new Node(this, name, mac, primaryAddress);
            nodes.put(name, node);
            side.put(name, 0);
        }
        record(Event.Kind.ATTACH, name, mac + " " + primaryAddress);
        return node;
    }

    /**
     * Detaches a node as if its host crashed: its transports close, it stops answering for
     * any address, and it receives nothing more. Unknown names are ignored.
     */
    public void detach(String name) {
        Node node;
        Set<InterfaceAddress> held;
        synchronized (this) {
            node = nodes.remove(name);
            if (node == null) {
                return;
            }
            side.remove(name);
            held = node.heldAddresses();
            node.markDetached();
        }
        node.closeTransports();
        record(Event.Kind.DETACH, name, "crashed; held " + held);
    }

    /** The attached node of that name. */
    public synchronized Optional<Node> node(String name) {
        return Optional.ofNullable(nodes.get(name));
    }

    /** The attached nodes in attach order. */
    public synchronized List<Node> nodes() {
        return List.copyOf(nodes.values());
    }

    /**
     * Splits the segment: each collection is one side; nodes not named form one more side
     * together. Replaces any earlier partition.
     *
     * @throws IllegalArgumentException if a name is unknown or named twice
     */
    @SafeVarargs
    public final void partition(Collection<String>... sides) {
        StringBuilder detail = new StringBuilder();
        synchronized (this) {
            Map<String, Integer> next = new HashMap<>();
            for (String n : nodes.keySet()) {
                next.put(n, 0);
            }
            Set<String> named = new HashSet<>();
            for (int i = 0; i < sides.length; i++) {
                for (String n : sides[i]) {
                    if (!nodes.containsKey(n)) {
                        throw new IllegalArgumentException("cannot partition: no attached node named " + n);
                    }
                    if (!named.add(n)) {
                        throw new IllegalArgumentException("cannot partition: " + n + " is named on two sides");
                    }
                    next.put(n, i + 1);
                }
                detail.append(i == 0 ? "" : " | ").append(sides[i]);
            }
            side.clear();
            side.putAll(next);
        }
        record(Event.Kind.PARTITION, null, detail.toString());
    }

    /** Joins every side again. */
    public void heal() {
        synchronized (this) {
            side.replaceAll((k, v) -> 0);
        }
        record(Event.Kind.HEAL, null, "all nodes hear each other");
    }

    /** Drops each delivery (per recipient) with probability {@code p}, 0 to 1. */
    public void setLossProbability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("loss probability " + p + " is outside 0-1");
        }
        synchronized (this) {
            lossProbability = p;
        }
        record(Event.Kind.LOSS, null, "loss probability " + p);
    }

    /**
     * The node a client on the segment reaches for {@code address}: the last node that
     * announced it, if that node is still attached and still holds it. Empty when nobody
     * answers (never bound, released without a new announcement, or the holder crashed).
     */
    public synchronized Optional<Node> whoAnswers(IpAddress address) {
        Node n = arpView.get(address);
        return n != null && n.attached() && n.holds(address) ? Optional.of(n) : Optional.empty();
    }

    /** Every attached node that holds {@code address} now (more than one is a split brain). */
    public synchronized List<Node> holders(IpAddress address) {
        return nodes.values().stream().filter(n -> n.holds(address)).toList();
    }

    /** The recorded events, oldest first (at most {@link #EVENT_CAPACITY}). */
    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** Events with a sequence number above {@code sequence}, for polling a timeline. */
    public synchronized List<Event> eventsSince(long sequence) {
        return events.stream().filter(e -> e.sequence() > sequence).toList();
    }

    /** Calls {@code listener} for each later event, after the segment's lock is released. */
    public void addListener(Consumer<Event> listener) {
        listeners.add(listener);
    }

    /** Message counters: sent, delivered, lost to the loss probability, blocked by a partition. */
    public synchronized Traffic traffic() {
        return new Traffic(sent, delivered, lost, blocked);
    }

    /** Message counters over the segment's life. */
    public record Traffic(long sent, long delivered, long lost, long blocked) {
    }

    // ------------------------------------------------------------------ used by Node and its parts

    void deliver(Node from, IpAddress destination, byte[] message) {
        List<InMemoryTransport> targets = new ArrayList<>();
        synchronized (this) {
            sent++;
            boolean multicast = isMulticast(destination);
            Integer fromSide = side.get(from.name());
            for (Node n : nodes.values()) {
                if (n == from || !multicast && !n.primaryAddress().equals(destination)) {
                    continue;
                }
                for (InMemoryTransport t : n.openTransports()) {
                    if (t.family() != destination.family()) {
                        continue;
                    }
                    if (fromSide == null || !fromSide.equals(side.get(n.name()))) {
                        blocked++;
                    } else if (lossProbability > 0 && random.nextDouble() < lossProbability) {
                        lost++;
                    } else {
                        delivered++;
                        targets.add(t);
                    }
                }
            }
        }
        for (InMemoryTransport t : targets) {
            t.enqueue(from.primaryAddress(), destination, message);
        }
    }

    void announced(Node node, Collection<InterfaceAddress> addresses, String how) {
        synchronized (this) {
            for (InterfaceAddress a : addresses) {
                arpView.put(a.address(), node);
            }
        }
        record(Event.Kind.ANNOUNCE, node.name(), how + " " + addresses + " at " + node.mac());
    }

    void record(Event.Kind kind, String node, String detail) {
        Event e;
        synchronized (this) {
            e = new Event(nextSequence++, clock.instant(), kind, node, detail);
            events.add(e);
            if (events.size() > EVENT_CAPACITY) {
                events.remove(0);
            }
        }
        for (Consumer<Event> l : listeners) {
            l.accept(e);
        }
    }

    static boolean isMulticast(IpAddress a) {
        return a instanceof Ipv4Address v4 ? v4.isMulticast() : ((Ipv6Address) a).isMulticast();
    }

    @Override
    public synchronized String toString() {
        return "InMemoryNetwork" + nodes.keySet();
    }
}
